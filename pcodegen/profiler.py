"""Measured compile time per unit (`pcodegen profile`).

A unit is what the graph says must stay together. Compiling every unit alone would cost
a module setup per unit (thousands); instead:

1. Compile the module in many small partitions (about `PROFILE_PART_COST` cost units
   each, at most `PROFILE_MAX_PARTS`) on the workers, and share each partition's
   measured optimise and emit CPU seconds among its units by their size.
2. Partitions much slower than their size says (measured over predicted, against the
   module's median rate) hide a slow unit. Compile their largest units alone, and the
   rest of each such partition as one, and replace the shared-out figures with those.

Unit times sum to what the partitioned build spends optimising and emitting, a little
less than a serial build (no inlining across partitions). Deterministic in everything
but the measured seconds.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pcodegen.graph import ModuleGraph, build_graph
from pcodegen.ir.compile import CompileResult, CompileTask, compile_task
from pcodegen.ir.load import LoadedModule, load_module
from pcodegen.parallel.executors import make_executor
from pcodegen.partition import DEFAULT_STRATEGY, partition
from pcodegen.partition.plan import Plan, make_plan
from pcodegen.partition.units import unit_graph
from pcodegen.split import PartitionSource

PROFILE_SCHEMA = "pcodegen.profile/1"
PROFILE_PART_COST = 7000  # size units per first-round partition (SQLite: 64 partitions)
PROFILE_MAX_PARTS = 256
OUTLIER_RATIO = 1.5  # a partition this much slower than its size predicts is split up
OUTLIER_PARTS = 12  # at most this many partitions are split up, largest excess first
OUTLIER_ALONE = 4  # units compiled alone from each of them, largest first


@dataclass
class UnitTime:
    """One unit's measured compile time (CPU seconds at the profile's opt level)."""

    name: str  # its largest member
    members: list[str]
    cost: int  # size: 1 + instructions + blocks
    optimize_s: float
    emit_s: float
    alone: bool  # measured in a partition of its own; else its partition's time shared by size

    @property
    def seconds(self) -> float:
        return self.optimize_s + self.emit_s


@dataclass
class Profile:
    """What `pcodegen profile` measured."""

    input_path: str
    input_sha256: str
    opt: int
    workers: int
    units: list[UnitTime]
    rounds: list[dict] = field(default_factory=list)  # per round: partitions, wall_s, cpu_s
    partitions: list[dict] = field(default_factory=list)  # each compiled partition: units, optimize_s, emit_s
    wall_s: float = 0.0

    @property
    def total_s(self) -> float:
        return sum(u.seconds for u in self.units)

    def size_estimate(self, unit: UnitTime) -> float:
        """What the size rule predicts for `unit`: its share of the measured total by cost."""
        total_cost = sum(u.cost for u in self.units)
        return self.total_s * unit.cost / total_cost if total_cost else 0.0

    def slowest(self, n: int | None = None) -> list[UnitTime]:
        ranked = sorted(self.units, key=lambda u: (-u.seconds, u.name))
        return ranked if n is None else ranked[:n]

    def to_dict(self) -> dict:
        return {"schema": PROFILE_SCHEMA,
                "input": {"path": self.input_path, "sha256": self.input_sha256},
                "settings": {"opt": self.opt, "workers": self.workers},
                "total_s": self.total_s, "wall_s": self.wall_s, "rounds": self.rounds,
                "partitions": self.partitions,
                "units": [{**asdict(u), "seconds": u.seconds, "size_estimate_s": self.size_estimate(u)}
                          for u in self.slowest()]}


def _largest_member(graph: ModuleGraph, members: tuple[str, ...] | list[str]) -> str:
    return max(members, key=lambda m: (graph.g.nodes[m]["cost"], m))


def _run_round(loaded: LoadedModule, plan: Plan, indices: list[int], opt: int, workers: int) -> dict[int, CompileResult]:
    """Compile partitions `indices` of `plan` on the workers (largest first)."""
    tasks = [CompileTask(i, f"part-{i:03d}", PartitionSource(loaded.ir, plan, i), opt, emit_object=True)
             for i in indices]
    sizes = plan.metrics.partition_costs
    order = sorted(range(len(tasks)), key=lambda k: (-sizes[indices[k]], indices[k]))
    executor = make_executor("local", max(1, min(workers, len(tasks))))
    try:
        results = executor.map(compile_task, tasks, labels=[t.name for t in tasks], order=order)
    finally:
        executor.close()
    return dict(zip(indices, results))


def _phase_s(result: CompileResult, name: str) -> float:
    return result.cpu_phases.get(name, result.timings.get(name, 0.0))


def profile_module(path: str | Path, opt: int = 2, workers: int = 2) -> Profile:
    """Measure the compile time of every unit of the module at `path` (see module doc)."""
    t0 = time.perf_counter()
    loaded = load_module(path, jobs=min(2, workers))
    graph = build_graph(loaded.ir, str(path))
    ug = unit_graph(graph)
    parts = max(2 * workers, min(PROFILE_MAX_PARTS, math.ceil(ug.total / PROFILE_PART_COST)))
    plan = partition(graph, parts, DEFAULT_STRATEGY, workers)
    unit_of = ug.unit_of
    rounds = []

    def measure(plan: Plan, indices: list[int]) -> dict[int, CompileResult]:
        r0 = time.perf_counter()
        got = _run_round(loaded, plan, indices, opt, workers)
        cpu = sum(_phase_s(r, "optimize") + _phase_s(r, "emit") for r in got.values())
        rounds.append({"partitions": len(indices), "wall_s": time.perf_counter() - r0, "cpu_s": cpu})
        return got

    first = measure(plan, list(range(plan.parts)))
    opt_s = [0.0] * ug.n
    emit_s = [0.0] * ug.n
    alone = [False] * ug.n

    records: list[dict] = []

    def share_out(members: list[str], result: CompileResult, round_no: int) -> None:
        units = sorted({unit_of[m] for m in members})
        cost = sum(ug.cost[u] for u in units) or 1
        for u in units:
            opt_s[u] = _phase_s(result, "optimize") * ug.cost[u] / cost
            emit_s[u] = _phase_s(result, "emit") * ug.cost[u] / cost
            alone[u] = len(units) == 1
        records.append({"round": round_no, "units": [_largest_member(graph, ug.members[u]) for u in units],
                        "optimize_s": _phase_s(result, "optimize"), "emit_s": _phase_s(result, "emit")})

    for p, result in sorted(first.items()):
        share_out(plan.members[p], result, 1)

    # Round 2: partitions slower than their size says hide a slow unit.
    sizes = plan.metrics.partition_costs
    secs = {p: _phase_s(r, "optimize") + _phase_s(r, "emit") for p, r in first.items()}
    rate = statistics.median(secs[p] / sizes[p] for p in secs if sizes[p]) if secs else 0.0
    excess = sorted(((secs[p] - rate * sizes[p], p) for p in secs
                     if rate and secs[p] > OUTLIER_RATIO * rate * sizes[p]), reverse=True)
    suspects = [p for _, p in excess[:OUTLIER_PARTS]]
    if suspects:
        assignment: dict[str, int] = {}
        measured: list[int] = []
        next_part = 1  # partition 0 holds everything not re-measured; it is not compiled
        for p in sorted(suspects):
            units = sorted({unit_of[m] for m in plan.members[p]}, key=lambda u: (-ug.cost[u], u))
            for u in units[:OUTLIER_ALONE]:
                for m in ug.members[u]:
                    assignment[m] = next_part
                measured.append(next_part)
                next_part += 1
            if len(units) > OUTLIER_ALONE:
                for u in units[OUTLIER_ALONE:]:
                    for m in ug.members[u]:
                        assignment[m] = next_part
                measured.append(next_part)
                next_part += 1
        for m in graph.g:
            assignment.setdefault(m, 0)
        second = make_plan(graph, assignment, "profile-outliers", next_part, workers)
        # make_plan renumbers partitions in order of first appearance; map ours to its
        renumber = {assignment[ms[0]]: i for i, ms in enumerate(second.members)}
        got = measure(second, sorted(renumber[q] for q in measured if q in renumber))
        for i, result in sorted(got.items()):
            share_out(second.members[i], result, 2)

    units = [UnitTime(_largest_member(graph, ug.members[u]), list(ug.members[u]), ug.cost[u], opt_s[u], emit_s[u],
                      alone[u]) for u in range(ug.n)]
    return Profile(str(path), loaded.sha256, opt, workers, units, rounds, records, time.perf_counter() - t0)
