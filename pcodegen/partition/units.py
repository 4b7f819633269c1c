"""Shared machinery for strategies: the unit-level graph and small helpers.

Every strategy assigns *units* (the graph's must-stay-together groups), never single
symbols, so most work happens on a compact, index-based view of the graph: one entry
per unit with its cost, its module order and its undirected neighbours (edge weights of
both directions summed). Building that view once per ModuleGraph and caching it keeps
the strategies fast on 100k-node graphs.
"""

from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass

from pcodegen.graph import ModuleGraph


@dataclass
class UnitGraph:
    """Index-based view of a ModuleGraph's units.

    `adj[i]` maps neighbour unit -> summed weight of the edges between the two units in
    either direction; `succ[i]` holds the same for edges leaving unit i only.
    """

    members: list[tuple[str, ...]]
    cost: list[int]
    order: list[int]
    adj: list[dict[int, int]]
    succ: list[dict[int, int]]
    unit_of: dict[str, int]

    @property
    def n(self) -> int:
        return len(self.cost)

    @property
    def total(self) -> int:
        return sum(self.cost)

    def assignment(self, part: list[int]) -> dict[str, int]:
        """Unit partition numbers -> the symbol assignment strategies return."""
        return {m: part[i] for i, ms in enumerate(self.members) for m in ms}

    def cut_weight(self, part: list[int]) -> int:
        return sum(w for i, nb in enumerate(self.adj) for j, w in nb.items() if j > i and part[i] != part[j])

    def loads(self, part: list[int], parts: int) -> list[int]:
        load = [0] * parts
        for i, p in enumerate(part):
            load[p] += self.cost[i]
        return load


def unit_graph(graph: ModuleGraph) -> UnitGraph:
    """The (cached) unit-level view of `graph` (a ModuleGraph's graph is not changed
    once made; the key only notices a replaced one: counting the edges of a system
    image, 0.04 s, was a tenth of the early plan on the critical path)."""
    g = graph.g
    key = (id(g), g.number_of_nodes(), len(graph.units))
    cached = getattr(graph, "_pcg_unit_graph", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    units = graph.units
    unit_of: dict[str, int] = {}
    for i, u in enumerate(units):
        for m in u.members:
            unit_of[m] = i
    n = len(units)
    adj: list[dict[int, int]] = [{} for _ in range(n)]
    succ: list[dict[int, int]] = [{} for _ in range(n)]
    # A reference to a duplicable constant costs nothing across partitions: the split
    # gives every user's partition its own copy.
    free = {n for n, d in g.nodes(data="duplicable") if d}
    for a, b, w in g.edges(data="weight"):
        i, j = unit_of[a], unit_of[b]
        if i == j or b in free:
            continue
        w = w or 1
        s = succ[i]
        s[j] = s.get(j, 0) + w
        ai, aj = adj[i], adj[j]
        ai[j] = ai.get(j, 0) + w
        aj[i] = aj.get(i, 0) + w
    ug = UnitGraph([u.members for u in units], [u.cost for u in units], [u.order for u in units], adj, succ, unit_of)
    graph._pcg_unit_graph = (key, ug)  # type: ignore[attr-defined]
    return ug


def least_loaded_fill(items: list[tuple[int, int]], parts: int, loads: list[int] | None = None) -> list[int]:
    """Place (index, cost) items in the given order, each onto the currently lightest
    partition (ties: lowest number). Returns the partition per item position."""
    heap = [(loads[p] if loads else 0, p) for p in range(parts)]
    heapq.heapify(heap)
    out = []
    for _, c in items:
        load, p = heapq.heappop(heap)
        out.append(p)
        heapq.heappush(heap, (load + c, p))
    return out


def md5_bucket(name: str, parts: int) -> int:
    """LLVM SplitModule's `isInPartition` bucket: the low 16 bits of the name's MD5,
    little-endian (`R[0] | R[1] << 8`), modulo the partition count."""
    r = hashlib.md5(name.encode("utf-8", "surrogateescape")).digest()
    return (r[0] | (r[1] << 8)) % parts
