"""The Plan: which partition owns each definition, what the split must rewrite, and
how good the partitioning is (balance, cut, predicted makespan)."""

from __future__ import annotations

import hashlib
import heapq
from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence

from pcodegen.graph import ModuleGraph
from pcodegen.ir.text import ir_token, symbol_name


def list_schedule(costs: Sequence[float], workers: int, order: Sequence[int] | None = None,
                  release: Sequence[float] | None = None) -> float:
    """Makespan of list scheduling: jobs with `costs` dispatched in `order` (default:
    largest first, LPT), each onto the first free of `workers` (what the executor does).
    With the default order it is also an achievable bound on the largest of `workers`
    bins, never below the largest job. `release`: when each job can start at the
    earliest (default: at once; the jobs of a plan made beside the first ones wait until
    it exists)."""
    if not costs:
        return 0.0
    if order is None:
        order = sorted(range(len(costs)), key=lambda i: -costs[i])
    free = [0.0] * max(1, min(workers, len(costs)))
    for i in order:
        start = free[0] if release is None else max(free[0], release[i])
        heapq.heapreplace(free, start + costs[i])
    return max(free)


@dataclass
class PlanMetrics:
    """Quality figures of a plan; costs are in graph cost units."""

    total_cost: int
    partition_costs: list[int]
    imbalance: float  # max / mean partition cost
    cut_edges: int
    cut_weight: int
    promoted_locals: int
    duplicated_constants: int
    declarations_added: int
    workers: int
    predicted_makespan: float
    predicted_speedup: float
    partition_sizes: list[int] = field(default_factory=list)  # size units (1 + instructions + blocks), whatever the cost rule
    cost_rule: str = "size"  # what the costs are: size units, or microseconds (model: predicted, profile: measured)


@dataclass
class Plan:
    """Symbol -> partition, with the rewrites the split stage must make."""

    strategy: str
    requested_parts: int
    parts: int
    members: list[list[str]]  # per partition, in module order
    promoted: dict[str, str]  # local IR name -> new hidden global IR name
    weakened: dict[str, str]  # discardable definition -> non-discardable linkage
    duplicated: dict[str, list[int]]  # local constant -> other partitions that get a copy
    metrics: PlanMetrics
    notes: list[str] = field(default_factory=list)

    @property
    def assignment(self) -> dict[str, int]:
        return {m: p for p, ms in enumerate(self.members) for m in ms}

    def to_dict(self, with_members: bool = True) -> dict:
        d = asdict(self)
        if not with_members:
            del d["members"]
        return d


def module_identity(graph: ModuleGraph) -> str:
    """What names the module in promoted names: its `source_filename`, which an edit to
    its code does not change."""
    for line in graph.ir.header if graph.ir is not None else []:
        if line.startswith("source_filename = "):
            return line.split(" = ", 1)[1]
    return ""


def _promoted_name(name: str, taken: set[str], module: str) -> str:
    """The hidden global a promoted local becomes: its name and a digest of the module's
    identity and the name (as ThinLTO's `.llvm.<hash>`), so it depends on nothing else
    and an edit elsewhere renames nothing."""
    sym = symbol_name(name)
    digest = hashlib.sha256(f"{module}\0{sym}".encode("utf-8", "surrogateescape")).hexdigest()[:12]
    base = f"{sym}.pcg.{digest}"
    while ir_token(base) in taken:
        base += "_"
    return ir_token(base)


def make_plan(graph: ModuleGraph, assignment: dict[str, int], strategy: str, requested_parts: int,
              workers: int, edges: Iterable[tuple[str, str, int]] | None = None) -> Plan:
    """Turn a strategy's assignment into a Plan: drop empty partitions, work out which
    locals to promote and which discardable definitions to keep, and measure. `edges`:
    the (user, target, weight) edges that may cross partitions, when the caller knows
    them to be fewer than the graph's (every edge by default)."""
    g = graph.g
    missing = [n for n in g if n not in assignment]
    if missing:
        raise ValueError(f"strategy {strategy} left {len(missing)} symbols unassigned, e.g. {missing[0]}")
    for unit in graph.units:
        if len(unit.members) > 1 and len({assignment[m] for m in unit.members}) > 1:
            raise ValueError(f"strategy {strategy} split the group of {unit.members[0]}")
    used = sorted(set(assignment.values()))
    renumber = {p: i for i, p in enumerate(used)}
    members: list[list[str]] = [[] for _ in used]
    order = dict(g.nodes(data="order"))
    for n in sorted(g, key=order.__getitem__):
        members[renumber[assignment[n]]].append(n)
    part = {m: p for p, ms in enumerate(members) for m in ms}
    notes = []
    if len(used) < requested_parts:
        notes.append(f"made {len(used):,} partitions, not the {requested_parts:,} asked: {strategy} placed the "
                     f"module's {len(graph.units):,} indivisible units (symbols that must stay together) in "
                     f"{len(used):,}, and the other {requested_parts - len(used):,} of {requested_parts:,} "
                     "partitions would be empty, so they were dropped")

    cut_edges = cut_weight = 0
    crossing: set[str] = set()
    declared: list[set[str]] = [set() for _ in members]
    duplicated: dict[str, set[int]] = {}
    duplicable = {n for n, d in g.nodes(data="duplicable") if d}
    for u, v, w in g.edges(data="weight") if edges is None else edges:
        if part[u] != part[v]:
            if v in duplicable:
                duplicated.setdefault(v, set()).add(part[u])
                continue
            cut_edges += 1
            cut_weight += w
            crossing.add(v)
            declared[part[u]].add(v)
    taken = set(g.nodes)
    if graph.ir is not None:
        taken |= set(graph.ir.declarations)
    promoted: dict[str, str] = {}
    weakened: dict[str, str] = {}
    module = module_identity(graph)
    for n in sorted(crossing, key=order.__getitem__):
        linkage = g.nodes[n]["linkage"]
        if linkage in ("internal", "private"):
            promoted[n] = _promoted_name(n, taken, module)
            taken.add(promoted[n])
        elif linkage in ("linkonce", "linkonce_odr"):
            weakened[n] = "weak_odr" if linkage == "linkonce_odr" else "weak"

    cost = dict(g.nodes(data="cost"))
    size = {n: cost[n] if s is None else s for n, s in g.nodes(data="size")}
    costs = [sum(map(cost.__getitem__, ms)) for ms in members]
    total = sum(costs)
    mean = total / len(costs) if costs else 0
    makespan = list_schedule(costs, workers)
    metrics = PlanMetrics(
        total_cost=total,
        partition_costs=costs,
        imbalance=round(max(costs) / mean, 4) if mean else 1.0,
        cut_edges=cut_edges,
        cut_weight=cut_weight,
        promoted_locals=len(promoted),
        duplicated_constants=len(duplicated),
        declarations_added=sum(len(d) for d in declared),
        workers=workers,
        predicted_makespan=makespan,
        predicted_speedup=round(total / makespan, 4) if makespan else 1.0,
        partition_sizes=[sum(map(size.__getitem__, ms)) for ms in members],
        cost_rule=getattr(graph, "cost_rule", "size"),
    )
    dup = {n: sorted(duplicated[n]) for n in sorted(duplicated, key=order.__getitem__)}
    return Plan(strategy, requested_parts, len(members), members, promoted, weakened, dup, metrics, notes)
