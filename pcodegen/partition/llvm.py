"""LLVM SplitModule's rules (llvm/lib/Transforms/Utils/SplitModule.cpp, as `llvm-split`
runs it by default, i.e. without `-preserve-locals`).

`findPartitions` first gathers clusters that must not be separated: members of a comdat
with more than one member, an alias or ifunc with its aliasee object or resolver, a
function with every global value that uses one of its block addresses. (Locals are
externalised as hidden first, so they form no clusters.) Each cluster goes, whole, onto
the partition that holds the fewest *symbols* so far. Everything else is placed by
`isInPartition`: the MD5 of the name of its partitioning root (the comdat's name where it
has a comdat), `(R[0] | R[1] << 8) % N`.

With `-round-robin`, external function definitions (locals count: they were
externalised) that no cluster placed go, in module order, onto the partition with the
fewest such functions; everything else still goes by hash.
"""

from __future__ import annotations

import heapq

from ..graph import ModuleGraph
from ..irtext import symbol_name
from . import strategy
from .common import md5_bucket

# SplitModule visits M.functions(), then M.globals(), M.aliases(), M.ifuncs().
_KIND_RANK = {"function": 0, "variable": 1, "alias": 2, "ifunc": 3}


def _hash_name(graph: ModuleGraph, name: str) -> str:
    comdat = graph.g.nodes[name].get("comdat")
    if comdat:
        return symbol_name(comdat[1:])  # "$name" -> name
    return symbol_name(name)


def _place_clusters(graph: ModuleGraph, parts: int, out: dict[str, int]) -> None:
    """Multi-member units onto the partition with the fewest members (ties: lowest
    number), in the order SplitModule meets their first member."""
    g = graph.g
    clusters = [u for u in graph.units if len(u.members) > 1]

    def first_seen(unit) -> tuple[int, int]:
        return min((_KIND_RANK.get(g.nodes[m]["kind"], 4), g.nodes[m]["order"]) for m in unit.members)

    clusters.sort(key=first_seen)
    heap = [(0, p) for p in range(parts)]
    for unit in clusters:
        count, p = heapq.heappop(heap)
        for m in unit.members:
            out[m] = p
        heapq.heappush(heap, (count + len(unit.members), p))


@strategy("llvm-hash")
def llvm_hash(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """SplitModule's default: clusters by member count, the rest by MD5 of the name."""
    out: dict[str, int] = {}
    _place_clusters(graph, parts, out)
    for name in graph.g:
        if name not in out:
            out[name] = md5_bucket(_hash_name(graph, name), parts)
    return out


@strategy("llvm-round-robin")
def llvm_round_robin(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """SplitModule's `-round-robin`: clusters first, then unclustered external function
    definitions in module order onto the partition with the fewest external functions,
    everything else by MD5 of the name."""
    g = graph.g
    out: dict[str, int] = {}
    _place_clusters(graph, parts, out)

    def external_function(name: str) -> bool:
        d = g.nodes[name]
        # externalizeGlobal() has turned internal/private into external hidden.
        return d["kind"] == "function" and d["linkage"] in ("external", "internal", "private")

    counts = [0] * parts
    unmapped = []
    for name in sorted(g, key=lambda n: g.nodes[n]["order"]):
        if not external_function(name):
            continue
        if name in out:
            counts[out[name]] += 1
        else:
            unmapped.append(name)
    heap = [(counts[p], p) for p in range(parts)]
    heapq.heapify(heap)
    for name in unmapped:
        count, p = heapq.heappop(heap)
        out[name] = p
        heapq.heappush(heap, (count + 1, p))
    for name in g:
        if name not in out:
            out[name] = md5_bucket(_hash_name(graph, name), parts)
    return out
