"""Julia's `partitionModule` rule.

Julia (src/aotcompile.cpp, `partitionModule`) weighs every definition (functions:
1 + instructions + basic blocks; everything else 1), unions a global value with every
*global value* that uses it through constants (initializers of global variables and
aliasees: the `ConstantUses<GlobalValue>` walk; uses from instructions do not count),
sorts the union-find sets by total weight, heaviest first, and hands each to the
currently lightest of `threads` partitions (a min-heap on weight). Empty partitions are
possible and dropped by the Plan.
"""

from __future__ import annotations

import heapq

from networkx.utils import UnionFind

from pcodegen.graph import ModuleGraph
from pcodegen.partition import strategy


@strategy("julia")
def julia(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """Union-find along initializer and alias edges (and the graph's other
    must-stay-together groups, which pcodegen never splits), sets by weight descending,
    each onto the lightest partition."""
    g = graph.g
    uf = UnionFind(g.nodes)
    for unit in graph.units:  # aliases with aliasees, comdats, blockaddress users
        if len(unit.members) > 1:
            uf.union(*unit.members)
    for user, used in graph.init_edges:  # initializer references, both ends together
        uf.union(user, used)
    order = dict(g.nodes(data="order"))
    cost = dict(g.nodes(data="cost"))
    sets = []
    for s in uf.to_sets():
        members = sorted(s, key=order.__getitem__)
        sets.append((-sum(cost[m] for m in members), order[members[0]], members))
    # Julia sorts with std::sort by weight only; module order breaks ties here so that
    # the result is deterministic.
    sets.sort(key=lambda t: (t[0], t[1]))
    heap = [(0, p) for p in range(parts)]
    out: dict[str, int] = {}
    for neg_weight, _, members in sets:
        load, p = heapq.heappop(heap)
        for m in members:
            out[m] = p
        heapq.heappush(heap, (load - neg_weight, p))
    return out
