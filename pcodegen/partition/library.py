"""Graph partitioning methods from the libraries, run on the unit graph.

- `kl-bisection`: recursive Kernighan-Lin bisection (networkx). Each bisection starts
  from a cut of module order at the cost fraction the two halves should get, then lets
  networkx swap pairs of units; KL keeps the *number* of units on each side, not their
  cost, so balance is whatever the swaps leave.
- `louvain`: Louvain communities (networkx, fixed seed), then bin packing: communities
  heavier than a partition's share are cut into runs of module order, and the pieces go,
  largest first, onto the lightest partition. (networkx's Leiden only dispatches to
  other backends, so it is not offered.)
- `metis`: METIS k-way partitioning through `pymetis`, with unit costs as vertex
  weights and reference counts as edge weights; registered only when pymetis imports.
"""

from __future__ import annotations

import importlib.util

import networkx as nx

from pcodegen.graph import ModuleGraph
from pcodegen.partition import strategy
from pcodegen.partition.units import UnitGraph, least_loaded_fill, unit_graph


def _nx_graph(ug: UnitGraph, nodes: list[int] | None = None) -> nx.Graph:
    G = nx.Graph()
    keep = range(ug.n) if nodes is None else nodes
    G.add_nodes_from(keep)
    inside = None if nodes is None else set(nodes)
    G.add_weighted_edges_from(
        (i, j, w) for i in keep for j, w in ug.adj[i].items() if j > i and (inside is None or j in inside)
    )
    return G


def _split_by_order(ug: UnitGraph, nodes: list[int], fraction: float) -> tuple[list[int], list[int]]:
    nodes = sorted(nodes, key=ug.order.__getitem__)
    goal = fraction * sum(ug.cost[i] for i in nodes)
    acc = 0
    for k, i in enumerate(nodes):
        if acc + ug.cost[i] / 2 > goal and k > 0:
            return nodes[:k], nodes[k:]
        acc += ug.cost[i]
    return nodes[:-1], nodes[-1:]


def _repair(ug: UnitGraph, a: set[int], b: set[int], fraction: float) -> None:
    """Move units across a bisection until side `a` holds about `fraction` of the cost
    (within 1%), those that cut the fewest references first (KL swaps keep unit counts,
    not costs)."""
    total = sum(ug.cost[i] for i in a) + sum(ug.cost[i] for i in b)
    goal = fraction * total
    for _ in range(4):
        have = sum(ug.cost[i] for i in a)
        if abs(have - goal) <= 0.01 * total:
            return
        src, dst, need = (a, b, have - goal) if have > goal else (b, a, goal - have)

        def loss(i: int) -> float:
            inside = sum(w for j, w in ug.adj[i].items() if j in src)
            outside = sum(w for j, w in ug.adj[i].items() if j in dst)
            return (inside - outside) / (ug.cost[i] or 1)

        for i in sorted(src, key=lambda i: (loss(i), i)):
            c = ug.cost[i]
            if c <= need + 0.01 * total and len(src) > 1:
                src.discard(i)
                dst.add(i)
                need -= c
                if need <= 0.005 * total:
                    break


@strategy("kl-bisection")
def kl_bisection(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """Recursive Kernighan-Lin bisection (networkx), each half's cost repaired to its
    share afterwards."""
    ug = unit_graph(graph)
    part = [0] * ug.n
    next_id = [0]

    def rec(nodes: list[int], k: int) -> None:
        if k == 1 or len(nodes) <= 1:
            p = next_id[0]
            next_id[0] += 1
            for i in nodes:
                part[i] = p
            return
        k1 = k // 2
        a, b = _split_by_order(ug, nodes, k1 / k)
        G = _nx_graph(ug, nodes)
        a, b = nx.community.kernighan_lin_bisection(G, partition=(set(a), set(b)), weight="weight", seed=0)
        _repair(ug, a, b, k1 / k)
        rec(sorted(a, key=ug.order.__getitem__), k1)
        rec(sorted(b, key=ug.order.__getitem__), k - k1)

    rec(list(range(ug.n)), parts)
    return ug.assignment(part)


@strategy("louvain")
def louvain(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """Louvain communities (networkx, seed 0), then bin packing of the communities,
    largest first onto the lightest partition."""
    ug = unit_graph(graph)
    G = _nx_graph(ug)
    comms = nx.community.louvain_communities(G, weight="weight", seed=0)
    share = ug.total / parts
    pieces: list[list[int]] = []
    for comm in comms:
        nodes = sorted(comm, key=ug.order.__getitem__)
        piece: list[int] = []
        acc = 0
        for i in nodes:
            if piece and acc + ug.cost[i] > share:
                pieces.append(piece)
                piece, acc = [], 0
            piece.append(i)
            acc += ug.cost[i]
        pieces.append(piece)
    weighted = sorted(((sum(ug.cost[i] for i in pc), min(ug.order[i] for i in pc), pc) for pc in pieces),
                      key=lambda t: (-t[0], t[1]))
    where = least_loaded_fill([(k, c) for k, (c, _, _) in enumerate(weighted)], parts)
    part = [0] * ug.n
    for (_, _, pc), p in zip(weighted, where):
        for i in pc:
            part[i] = p
    return ug.assignment(part)


# An optional extra: registered when installed, imported when used (0.05 s a command
# that plans with another strategy need not pay).
if importlib.util.find_spec("pymetis") is not None:

    @strategy("metis")
    def metis(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
        """METIS k-way partitioning (pymetis), unit costs as vertex weights, reference
        counts as edge weights."""
        ug = unit_graph(graph)
        if parts == 1 or ug.n <= 1:
            return ug.assignment([0] * ug.n)
        if 2 * parts > ug.n:
            # METIS complains on stdout and gives up on graphs this small for k parts:
            # deal the units out largest first onto the lightest partition instead.
            load = [0] * parts
            part = [0] * ug.n
            for u in sorted(range(ug.n), key=lambda u: (-ug.cost[u], u)):
                part[u] = min(range(parts), key=lambda p: (load[p], p))
                load[part[u]] += ug.cost[u]
            return ug.assignment(part)
        import pymetis

        xadj, adjncy, eweights = [0], [], []
        for i in range(ug.n):
            for j, w in sorted(ug.adj[i].items()):
                adjncy.append(j)
                eweights.append(w)
            xadj.append(len(adjncy))
        opts = pymetis.Options(seed=0)
        if hasattr(pymetis, "CSRAdjacency"):  # pymetis >= 2025.2
            graph_arg = {"adjacency": pymetis.CSRAdjacency(xadj, adjncy)}
        else:  # pragma: no cover - older pymetis
            graph_arg = {"xadj": xadj, "adjncy": adjncy}
        _, membership = pymetis.part_graph(parts, **graph_arg, vweights=list(ug.cost), eweights=eweights,
                                           options=opts)
        return ug.assignment([int(p) for p in membership])
