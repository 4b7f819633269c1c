"""Partition stage: pluggable strategies that assign the graph's units to partitions.

A strategy is a function `(graph, parts, workers) -> {symbol: partition}` registered
with `@strategy(name)`; `partition(graph, parts, name, workers)` runs one and wraps its
answer in a Plan with quality metrics.
"""

from __future__ import annotations

import math
from typing import Callable

from pcodegen.defaults import AUTO_MAX_PARTS, AUTO_PARTITION_COST, AUTO_PARTITION_SECONDS, DEFAULT_STRATEGY
from pcodegen.errors import ParameterError, UsageError
from pcodegen.graph import ModuleGraph
from pcodegen.partition.plan import Plan, PlanMetrics, list_schedule, make_plan

Strategy = Callable[[ModuleGraph, int, int], dict[str, int]]
STRATEGIES: dict[str, Strategy] = {}


def strategy(name: str) -> Callable[[Strategy], Strategy]:
    """Register a partitioning strategy under `name`."""

    def register(fn: Strategy) -> Strategy:
        STRATEGIES[name] = fn
        return fn

    return register


def auto_parts(graph: ModuleGraph) -> int:
    """The partition count `--parts auto` gives: a function of the module alone (never
    of the worker count, so outputs do not change with it)."""
    per = AUTO_PARTITION_COST if graph.cost_rule == "size" else AUTO_PARTITION_SECONDS * 1e6  # microseconds
    return max(2, min(AUTO_MAX_PARTS, math.ceil(graph.total_cost / per)))


def check_strategy(name: str) -> None:
    """A one-line UsageError unless `name` is a registered strategy."""
    if name not in STRATEGIES:
        raise UsageError(f"unknown strategy {name!r}; choose one of: {', '.join(sorted(STRATEGIES))}")


def partition(graph: ModuleGraph, parts: int | None, name: str = DEFAULT_STRATEGY, workers: int = 1) -> Plan:
    """Partition `graph` into at most `parts` partitions (None: `auto_parts`) with
    strategy `name`."""
    if parts is None:
        parts = auto_parts(graph)
    check_strategy(name)
    if parts < 1:
        raise ParameterError("parts", f"must be at least 1, got {parts}")
    if workers < 1:
        raise ParameterError("workers", f"must be at least 1, got {workers}")
    if graph.g.number_of_nodes() == 0:
        raise UsageError("the module defines nothing to partition")
    assignment = STRATEGIES[name](graph, parts, workers)
    return make_plan(graph, assignment, name, parts, workers)


def opening_groups(graph: ModuleGraph, parts: int | None, name: str = DEFAULT_STRATEGY) -> list[list[int]] | None:
    """The units of the partitions the plan is sure to open with, known before it is
    made: under pcodegen's own strategy, `multilevel.opening_partitions` (each unit
    costlier than a share alone, largest first; in plans of 16 partitions or more,
    grown partitions, one per 8 partitions and at least two). None when no partition is
    known early or the strategy is another."""
    from pcodegen.partition.multilevel import opening_partitions
    from pcodegen.partition.units import unit_graph

    if parts is None:
        parts = auto_parts(graph)
    if name != "pcodegen" or parts < 2 or len(graph.units) < 2:
        return None
    ug = unit_graph(graph)
    return opening_partitions(ug.cost, ug.adj, parts) or None  # the strategy's own decision


def provisional_plan(graph: ModuleGraph, parts: int | None, groups: list[list[int]],
                     name: str = DEFAULT_STRATEGY) -> Plan:
    """The opening partitions `groups` as a plan: those partitions, then everything else
    as one. Its split of each opening partition is what the final plan's will be, unless
    metadata alone names a global whose treatment depends on where the rest goes (the
    pipeline compares the two texts)."""
    if parts is None:
        parts = auto_parts(graph)
    assignment = dict.fromkeys(graph.g, len(groups))
    early: list[str] = []
    for i, members in enumerate(groups):
        for u in members:
            assignment.update(dict.fromkeys(graph.units[u].members, i))
            early.extend(graph.units[u].members)
    # Every edge that crosses this plan's partitions touches an early one (the rest is
    # one partition): only those are looked at (on a system image, 8 of 64 partitions).
    g = graph.g
    edges = dict.fromkeys((*g.in_edges(early, data="weight"), *g.out_edges(early, data="weight")))  # once each, in order
    plan = make_plan(graph, assignment, name, parts, 1, edges)
    plan.notes = [f"provisional: partitions 0-{len(groups) - 1} of the plan, the rest in partition {len(groups)}"]
    return plan


def early_partitions(graph: ModuleGraph, parts: int | None, name: str = DEFAULT_STRATEGY) -> tuple[Plan, int] | None:
    """The partitions the plan is sure to open with (`opening_groups`) as a provisional
    plan (`provisional_plan`), and their number; None when none is known early."""
    groups = opening_groups(graph, parts, name)
    if groups is None:
        return None
    return provisional_plan(graph, parts, groups, name), len(groups)


# Strategy modules register themselves on import.
from pcodegen.partition import gcc, julia, library, llvm, multilevel, rustc, sequence  # noqa: E402,F401

__all__ = ["Plan", "PlanMetrics", "STRATEGIES", "DEFAULT_STRATEGY", "auto_parts", "check_strategy", "partition", "strategy", "list_schedule",
           "early_partitions", "opening_groups", "provisional_plan"]
