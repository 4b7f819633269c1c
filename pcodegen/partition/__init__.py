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


# Strategy modules register themselves on import.
from pcodegen.partition import gcc, julia, library, llvm, multilevel, rustc, sequence  # noqa: E402,F401

__all__ = ["Plan", "PlanMetrics", "STRATEGIES", "DEFAULT_STRATEGY", "auto_parts", "check_strategy", "partition", "strategy", "list_schedule"]
