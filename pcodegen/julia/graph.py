"""The graph stage for a Julia codegen workload: the same `ModuleGraph` the core
partitions, built from CodeInstances instead of a module."""

from __future__ import annotations

import networkx as nx

from pcodegen.graph import ModuleGraph, Unit
from pcodegen.julia.emit import block_count
from pcodegen.julia.workload import CodeInstance, Workload


def workload_symbol(ci: CodeInstance) -> str:
    """Graph node name of a compiled CodeInstance (Julia's `julia_<name>_<N>` shape,
    with the CodeInstance id as N so that it is stable)."""
    return f"julia_{ci.name}_{ci.id}"


def build_workload_graph(workload: Workload) -> ModuleGraph:
    """The graph of a Julia codegen `Workload`: one node per compiled CodeInstance (in
    submission order), an edge to each callee (a workqueue entry), every node its own
    unit. Cost is Julia's weight of the function emission makes, 1 + instructions +
    basic blocks, with blocks counted from emission's body plan. A node
    attribute `unit` carries the module prefix of names that have one (`Base.show`)."""
    g = nx.DiGraph()
    compiled = workload.compiled()
    names = {ci.id: workload_symbol(ci) for ci in compiled}
    with_module = any("." in ci.name.strip(".") for ci in compiled)
    for order, ci in enumerate(compiled):
        blocks = block_count(ci)
        attrs = dict(kind="function", cost=1 + ci.size + blocks, instructions=ci.size, blocks=blocks,
                     linkage="external", local=False, order=order, comdat=None, duplicable=False, ci=ci.id)
        if with_module:
            attrs["unit"] = ci.name.rsplit(".", 1)[0] if "." in ci.name.strip(".") else ""
        g.add_node(names[ci.id], **attrs)
    for ci in compiled:
        for callee in ci.callees:
            if callee in names and callee != ci.id:
                g.add_edge(names[ci.id], names[callee], calls=1, refs=0, weight=1)
    units = [Unit((names[ci.id],), g.nodes[names[ci.id]]["cost"], order) for order, ci in enumerate(compiled)]
    source = f"workload:{workload.preset}" if workload.preset else "workload"
    return ModuleGraph(g, units, [], None, source)
