"""GCC's balanced LTO partitioning (gcc/lto/lto-partition.cc, `lto_balanced_map`).

GCC walks the function definitions in source order and adds each to the current
partition together with the variables it references that no partition holds yet (and
the non-removable variables that refer to it). It keeps two running sums over the edges
of every symbol added: `internal`, the weight of edges to symbols added to this
partition before it, and `cost`, the weight of edges leaving the partition so far (an
edge counts as leaving until its other end is added). While the partition is below 7/8
of the target size every step is remembered as the best one; past that, a step is only
remembered when it has no boundary at all or a better `internal / cost` ratio. When the
partition grows past 9/8 of the target, it is rolled back to the best step, closed, and
the target for the next one is recomputed from what is left. Once N partitions exist the
last takes everything left, and variables that no function pulled in go to the last.

Differences, all deliberate: sizes are graph costs (GCC counts instructions of
functions only); GCC's minimum partition size (`lto-min-partition`, 10,000 of its
instructions) is not applied, since pcodegen's costs are on another scale and tests use
tiny modules; `internal` is reset with `cost` when a partition is closed.
"""

from __future__ import annotations

from pcodegen.graph import ModuleGraph
from pcodegen.partition import strategy
from pcodegen.partition.units import unit_graph


@strategy("gcc-balanced")
def gcc_balanced(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """GCC's lto_balanced_map: functions in order, filled toward the target size, rolled
    back past 9/8 of it to the best inside-to-boundary ratio seen past 7/8."""
    ug = unit_graph(graph)
    g = graph.g
    n = ug.n
    has_function = [any(g.nodes[m]["kind"] == "function" for m in ms) for ms in ug.members]
    # A variable that may be dropped when unreferenced (a local) is only pulled in by
    # the functions that use it, never by the variables it points to.
    removable = [all(g.nodes[m]["local"] for m in ms) for ms in ug.members]
    order = sorted((i for i in range(n) if has_function[i]), key=ug.order.__getitem__)
    where = [-1] * n
    pos = [0] * n
    total = sum(ug.cost[i] for i in order)
    cur = 0
    plist: list[int] = []
    size = 0
    npart = 1
    partition_size = total / parts
    cost = internal = 0
    best_cost, best_internal, best_i, best_n = -1, 0, 0, 0
    visited = 0

    def add(u: int) -> None:
        nonlocal size
        where[u] = cur
        pos[u] = len(plist)
        plist.append(u)
        if has_function[u]:  # GCC sizes partitions by function instructions only
            size += ug.cost[u]

    i = 0
    while i < len(order):
        u0 = order[i]
        if where[u0] != -1:
            i += 1
            continue
        add(u0)
        while visited < len(plist):
            u = plist[visited]
            visited += 1
            for v, w in ug.adj[u].items():
                if where[v] == cur and pos[v] < pos[u]:
                    cost -= w
                    internal += w
                else:
                    cost += w
                if where[v] == -1 and not has_function[v]:
                    refers = v in ug.succ[u]
                    if refers or (u in ug.succ[v] and not removable[v]):
                        add(v)
        if size < partition_size * 7 / 8 or best_cost == -1 or cost == 0 or best_internal * cost < internal * best_cost:
            best_cost, best_internal, best_i, best_n = cost, internal, i, len(plist)
        if size > partition_size * 9 / 8:
            if best_i != i:
                for u in plist[best_n:]:
                    where[u] = -1
                    if has_function[u]:
                        size -= ug.cost[u]
                del plist[best_n:]
            i = best_i
            while i < len(order) - 1 and where[order[i + 1]] != -1:
                i += 1
            if i == len(order) - 1:
                break
            total -= size
            cur += 1
            plist, size, visited = [], 0, 0
            cost = internal = 0
            best_cost, best_n = -1, 0
            partition_size = total / (parts - npart) if npart < parts else float("inf")
            npart += 1
        i += 1
    part = [where[u] if where[u] != -1 else cur for u in range(n)]
    return ug.assignment(part)
