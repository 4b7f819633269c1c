"""Graph stage: the call/reference graph of a module's definitions, with costs and groups.

Nodes are defined global values (functions, variables, aliases, ifuncs) keyed by their
IR name; edges carry `calls`, `refs` and `weight` counts. A node's cost is Julia's
weight, 1 + instructions + basic blocks. Must-stay-together groups (comdat members,
aliases and ifuncs with their targets, `blockaddress` users with the function,
`llvm.global_ctors`/`dtors` with the keys of their entries, a global with the one its
`!associated` metadata names, and the locals module asm names with its owner) are
merged into units that no strategy may split; initializer references are kept apart
as `init_edges`, since only some strategies (Julia's) keep them together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import networkx as nx
from networkx.utils import UnionFind

from pcodegen import sabotage
from pcodegen.cost import costs
from pcodegen.defaults import DEFAULT_COST
from pcodegen.ir.text import STRUCTOR_LISTS, Entity, IRModule, module_asm_names, structors, symbol_name

# Special globals every partition gets its own copy of (rebuilt by the split stage).
PER_PARTITION = {"llvm.used", "llvm.compiler.used"}
# Local constants up to this many characters of IR may be copied into each user's partition.
DUPLICABLE_MAX_CHARS = 8192


_ASSOCIATED = re.compile(r"!associated !(\d+)")


def associated_globals(ir: IRModule, e: Entity) -> set[str]:
    """The globals `e`'s `!associated` metadata names. Code generation puts `e` in a
    SHF_LINK_ORDER section linked to that global's section, which must be in the same
    object (a declaration there gives sh_link 0, or crashes LLVM once it is dropped)."""
    end = e.text.find("\n") if e.kind == "function" else -1
    head = e.text[:end] if end >= 0 else e.text
    if "!associated" not in head:
        return set()
    out: set[str] = set()
    for mid in _ASSOCIATED.findall(head):
        out |= ir.metadata_refs.get(int(mid), (set(), set()))[1]
    return out


def module_asm_anchors(ir: IRModule) -> set[str]:
    """Definitions that must be in the partition holding the module asm: locals it
    names (they resolve only inside its object) and users of labels it defines without
    exporting them. The split puts the module asm where these are (partition 0 if none)."""
    if not ir.module_asm:
        return set()
    names = module_asm_names(ir.module_asm)
    anchors = set()
    for n, e in ir.entities.items():
        if n in PER_PARTITION:
            continue
        sym = e.symbol
        if e.is_local and (sym in names.words or (e.linkage == "private" and ".L" + sym in names.words)):
            anchors.add(n)
        elif names.local_labels and any(symbol_name(r) in names.local_labels for r in e.all_refs()):
            anchors.add(n)
    return anchors


def is_duplicable(e: Entity) -> bool:
    """A local, address-insignificant constant that references nothing: copying it into
    every partition that reads it is safe and cheaper than promoting it."""
    return (e.kind == "variable" and e.is_local and not e.all_refs() and len(e.text) <= DUPLICABLE_MAX_CHARS
            and " unnamed_addr constant " in e.text.split(", align", 1)[0][:200])


@dataclass
class Unit:
    """An indivisible set of definitions: a must-stay-together group or one symbol."""

    members: tuple[str, ...]
    cost: int
    order: int  # module order of the first member


@dataclass
class ModuleGraph:
    """Call/reference graph plus the units strategies assign to partitions."""

    g: nx.DiGraph
    units: list[Unit]
    init_edges: list[tuple[str, str]] = field(default_factory=list)
    ir: IRModule | None = None
    source: str = ""
    cost_rule: str = "size"  # what node costs are (pcodegen.cost): size units, or microseconds

    @property
    def total_cost(self) -> int:
        return sum(u.cost for u in self.units)

    def unit_of(self) -> dict[str, int]:
        """Symbol -> index into `units`."""
        return {m: i for i, u in enumerate(self.units) for m in u.members}

    def summary(self) -> dict:
        g = self.g
        kinds: dict[str, int] = {}
        for _, k in g.nodes(data="kind"):
            kinds[k] = kinds.get(k, 0) + 1
        groups = [u for u in self.units if len(u.members) > 1]
        costs = sorted((c for _, c in g.nodes(data="cost")), reverse=True)
        return {
            "source": self.source,
            "nodes": g.number_of_nodes(),
            "edges": g.number_of_edges(),
            "kinds": dict(sorted(kinds.items())),
            "locals": sum(1 for _, loc in g.nodes(data="local") if loc),
            "duplicable_constants": sum(1 for _, d in g.nodes(data="duplicable") if d),
            "total_cost": self.total_cost,
            "largest_costs": costs[:5],
            "call_edges": sum(1 for *_, c in g.edges(data="calls") if c),
            "groups": len(groups),
            "grouped_symbols": sum(len(u.members) for u in groups),
            "largest_group": max((len(u.members) for u in groups), default=0),
            "init_edges": len(self.init_edges),
            "declarations": len(self.ir.declarations) if self.ir else 0,
            "module_asm": bool(self.ir and self.ir.module_asm),
        }


def build_graph(ir: IRModule, source: str = "", cost: str = DEFAULT_COST) -> ModuleGraph:
    """Build the graph of `ir`'s definitions; node `cost` under the cost rule `cost`
    (`pcodegen.cost`), `size` always Julia's weight."""
    g = nx.DiGraph()
    ents = {n: e for n, e in ir.entities.items() if n not in PER_PARTITION}
    sizes = {name: 1 + e.instructions + e.blocks for name, e in ents.items()}
    unit_costs = sizes if cost == "size" else costs({n: e.text for n, e in ents.items()}, sizes, cost, ir.predicted_s)
    g.add_nodes_from((name, dict(
        kind=e.kind, cost=unit_costs[name], size=sizes[name], instructions=e.instructions, blocks=e.blocks,
        linkage=e.linkage, local=e.is_local, order=e.order, comdat=e.comdat, duplicable=is_duplicable(e)))
        for name, e in ents.items())
    uf = UnionFind(ents)
    by_comdat: dict[str, list[str]] = {}
    init_edges: list[tuple[str, str]] = []
    edges: dict[tuple[str, str], list[int]] = {}  # (user, target) -> [calls, refs], in first-use order
    for name, e in ents.items():
        for target, count in e.calls.items():
            if target in ents:
                edges[name, target] = [count, 0]
        for target, count in e.refs.items():
            if target in ents:
                edges.setdefault((name, target), [0, 0])[1] += count
                if e.kind == "variable":
                    init_edges.append((name, target))
        if e.comdat:
            by_comdat.setdefault(e.comdat, []).append(name)
        together = associated_globals(ir, e)
        if e.kind in ("alias", "ifunc"):
            together |= e.all_refs()
        if e.blockaddress:
            together |= e.blockaddress
        if name in STRUCTOR_LISTS and not sabotage.active("structor-keys"):
            # A keyed entry is emitted into its key's comdat group, and code generation
            # drops it where the key is only declared: the list stays with its keys.
            together |= {s.key for s in structors(e.text)}
        if together:
            uf.union(name, *(t for t in together if t in ents))
    g.add_edges_from((a, b, {"calls": c, "refs": r, "weight": c + r}) for (a, b), (c, r) in edges.items())
    uf.union(*module_asm_anchors(ir))
    for members in by_comdat.values():
        uf.union(*members)
    units = []
    for subset in uf.to_sets():
        if len(subset) == 1:  # most units: no sort, no sum
            (m,) = subset
            units.append(Unit((m,), unit_costs[m], ents[m].order))
            continue
        members = tuple(sorted(subset, key=lambda n: ents[n].order))
        units.append(Unit(members, sum(unit_costs[m] for m in members), ents[members[0]].order))
    units.sort(key=lambda u: u.order)
    return ModuleGraph(g, units, init_edges, ir, source, cost)
