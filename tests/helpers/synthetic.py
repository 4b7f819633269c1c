"""Synthetic module graphs for scaling benchmarks and property tests.

The shape follows what real C programs linked with llvm-link look like: functions come
in translation units of a few dozen, most calls stay inside their unit or go to a few
widely used helpers (allocation, error reporting), costs are heavy-tailed, a quarter
as many global variables as functions hang off their users, and a small share of
definitions sit in must-stay-together groups (comdats, aliases).
"""

from __future__ import annotations

import math
import random

import networkx as nx

from pcodegen.graph import ModuleGraph, Unit


def synthetic_graph(functions: int, seed: int = 0, tu_size: int = 40) -> ModuleGraph:
    """A ModuleGraph of `functions` functions plus about a quarter as many variables."""
    rng = random.Random(seed)
    g = nx.DiGraph()
    n_vars = functions // 4
    order = 0
    # variables first, as LLVM prints them
    names_v = [f"v{i}" for i in range(n_vars)]
    for name in names_v:
        local = rng.random() < 0.6
        g.add_node(name, kind="variable", cost=1, instructions=0, blocks=0,
                   linkage="internal" if local else "external", local=local, order=order, comdat=None, duplicable=False)
        order += 1
    names_f = [f"f{i}" for i in range(functions)]
    tus: list[int] = []
    tu, left = 0, max(1, int(rng.expovariate(1 / tu_size)))
    for i, name in enumerate(names_f):
        if left == 0:
            tu += 1
            left = max(1, int(rng.expovariate(1 / tu_size)))
        left -= 1
        tus.append(tu)
        insts = max(1, min(20000, int(math.exp(rng.gauss(3.3, 1.2)))))
        blocks = max(1, insts // 6)
        local = rng.random() < 0.45
        g.add_node(name, kind="function", cost=1 + insts + blocks, instructions=insts, blocks=blocks,
                   linkage="internal" if local else "external", local=local, order=order, comdat=None,
                   duplicable=False, unit=f"tu{tu}")
        order += 1
    tu_start: dict[int, int] = {}
    tu_end: dict[int, int] = {}
    for i, t in enumerate(tus):
        tu_start.setdefault(t, i)
        tu_end[t] = i + 1
    hubs = rng.sample(range(functions), max(1, functions // 200))

    def add_edge(a: str, b: str, call: bool) -> None:
        if a == b:
            return
        if g.has_edge(a, b):
            d = g.edges[a, b]
            d["calls" if call else "refs"] += 1
            d["weight"] += 1
        else:
            g.add_edge(a, b, calls=int(call), refs=int(not call), weight=1)

    for i, name in enumerate(names_f):
        t = tus[i]
        for _ in range(min(40, int(rng.expovariate(1 / 4.0)))):
            r = rng.random()
            if r < 0.7:
                j = rng.randrange(tu_start[t], tu_end[t])
            elif r < 0.85:
                j = rng.choice(hubs)
            else:
                j = rng.randrange(functions)
            add_edge(name, names_f[j], True)
    init_edges = []
    for k, name in enumerate(names_v):
        # a variable belongs to a unit: its users are there
        i = rng.randrange(functions)
        t = tus[i]
        for _ in range(1 + int(rng.expovariate(1 / 2.0))):
            add_edge(names_f[rng.randrange(tu_start[t], tu_end[t])], name, False)
        if rng.random() < 0.1:  # a function-pointer table
            target = names_f[rng.randrange(tu_start[t], tu_end[t])]
            add_edge(name, target, False)
            init_edges.append((name, target))
        g.nodes[name]["unit"] = f"tu{t}"
    # must-stay-together groups: comdat pairs among neighbours, about 1% of functions
    groups: list[list[str]] = []
    for i in range(0, functions - 1, 100):
        a, b = names_f[i], names_f[i + 1]
        g.nodes[a]["comdat"] = g.nodes[b]["comdat"] = f"$c{i}"
        groups.append([a, b])
    grouped = {m for grp in groups for m in grp}
    units = [Unit((grp[0], grp[1]), g.nodes[grp[0]]["cost"] + g.nodes[grp[1]]["cost"], g.nodes[grp[0]]["order"])
             for grp in groups]
    units += [Unit((n,), d["cost"], d["order"]) for n, d in g.nodes(data=True) if n not in grouped]
    units.sort(key=lambda u: u.order)
    return ModuleGraph(g, units, init_edges, None, f"synthetic:{functions}:{seed}")
