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


FIXED_SPLIT_PARTS = 64  # GCC splits a set into 4 by file count first when it must make more partitions than this
FIXED_SPLIT_INTO = 4


def _split_parts(n_parts: int, sizes: list[int]) -> list[int]:
    """`n_parts` shared among sets in proportion to their sizes, each at least one."""
    total = sum(sizes) or 1
    out = [max(1, round(n_parts * s / total)) for s in sizes]
    while sum(out) > n_parts and max(out) > 1:
        out[out.index(max(out))] -= 1
    while sum(out) < n_parts:
        out[sizes.index(max(sizes))] += 1
    return out


@strategy("gcc-cache")
def gcc_cache(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """GCC 15's cache partitioning (-flto-partition=cache, `lto_cache_map`): source
    files in order; a set that must make many partitions is first cut into 4 by file
    count, ignoring sizes; a file larger than its share is broken into its symbols; then
    sets are halved by size, in order, until each makes one partition. Edits inside one
    file move few boundaries, so few partitions change."""
    from pcodegen.partition.rustc import debug_files

    ug = unit_graph(graph)
    order = sorted(range(ug.n), key=ug.order.__getitem__)
    files = debug_files(graph, ug)
    groups: list[list[int]] = []
    if files is not None:  # one group per source file, in the order files first appear
        index: dict[str | None, int] = {}
        for u in order:
            key = files[u]
            if key not in index:
                index[key] = len(groups)
                groups.append([])
            groups[index[key]].append(u)
    else:  # no debug info: every unit is its own "file"
        groups = [[u] for u in order]
    part = [0] * ug.n
    next_part = [0]

    def finalize(gs: list[list[int]]) -> None:
        for g in gs:
            for u in g:
                part[u] = next_part[0]
        next_part[0] += 1

    def split(gs: list[list[int]], n: int, state: str) -> None:
        if n <= 1 or not gs or (len(gs) == 1 and len(gs[0]) == 1):
            return finalize(gs)
        sizes = [sum(ug.cost[u] for u in g) for g in gs]
        if state == "fixed" and n > FIXED_SPLIT_PARTS and len(gs) >= FIXED_SPLIT_INTO:
            cut = [gs[i * len(gs) // FIXED_SPLIT_INTO:(i + 1) * len(gs) // FIXED_SPLIT_INTO]
                   for i in range(FIXED_SPLIT_INTO)]
            shares = _split_parts(n, [sum(sum(ug.cost[u] for u in g) for g in c) for c in cut])
            for c, k in zip(cut, shares):
                split(c, k, "over")
            return
        if state in ("fixed", "over"):
            target = sum(sizes) / n
            big = [i for i, s in enumerate(sizes) if s > target and len(gs[i]) > 1]
            if big:  # files over their share are broken into their symbols
                flat: list[list[int]] = []
                for i, g in enumerate(gs):
                    flat += [[u] for u in g] if i in big else [g]
                return split(flat, n, "binary")
        if len(gs) < 2:
            if len(gs[0]) > 1:
                return split([[u] for u in gs[0]], n, "binary")
            return finalize(gs)
        # halve by size, in order
        first_n = n // 2
        target_first = sum(sizes) * first_n / n
        first: list[list[int]] = []
        acc = 0
        for i, g in enumerate(gs):
            s = sizes[i]
            if not first:
                first.append(g)
            elif acc < target_first:
                if acc + s < target_first:
                    first.append(g)
                else:  # the cut falls inside this group: the nearer side takes it
                    if (target_first - acc) * (n - first_n) > (acc + s - target_first) * first_n:
                        first.append(g)
                    else:
                        break
            else:
                break
            acc += s
        second = gs[len(first):]
        if not second:
            return finalize(gs)
        split(first, first_n, "over")
        split(second, n - first_n, "over")

    split(groups, parts, "fixed")
    return ug.assignment(part)
