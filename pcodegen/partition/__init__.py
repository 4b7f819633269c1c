"""Partition stage: pluggable strategies that assign the graph's units to partitions.

A strategy is a function `(graph, parts, workers) -> {symbol: partition}` registered
with `@strategy(name)`; `partition(graph, parts, name, workers)` runs one and wraps its
answer in a Plan with quality metrics.
"""

from __future__ import annotations

import math
from typing import Callable

from ..errors import UsageError
from ..graph import ModuleGraph
from .plan import Plan, PlanMetrics, list_schedule, make_plan

Strategy = Callable[[ModuleGraph, int, int], dict[str, int]]
STRATEGIES: dict[str, Strategy] = {}
DEFAULT_STRATEGY = "pcodegen"
# The default partition count (`--parts auto`): one partition per this much cost, about
# 0.75 s of O2 work on x86-64 (SQLite: 445,797 cost, 24-27 s serial), from 2 to 64.
# Workers take partitions largest first as they free up, so many small partitions let
# them finish together; on SQLite with 2 workers 32 partitions beat 2 by 10% end to end.
AUTO_PARTITION_COST = 14_000
AUTO_MAX_PARTS = 64


def strategy(name: str) -> Callable[[Strategy], Strategy]:
    """Register a partitioning strategy under `name`."""

    def register(fn: Strategy) -> Strategy:
        STRATEGIES[name] = fn
        return fn

    return register


def auto_parts(graph: ModuleGraph) -> int:
    """The partition count `--parts auto` gives: a function of the module alone (never
    of the worker count, so outputs do not change with it)."""
    return max(2, min(AUTO_MAX_PARTS, math.ceil(graph.total_cost / AUTO_PARTITION_COST)))


def partition(graph: ModuleGraph, parts: int | None, name: str = DEFAULT_STRATEGY, workers: int = 1) -> Plan:
    """Partition `graph` into at most `parts` partitions (None: `auto_parts`) with
    strategy `name`."""
    if parts is None:
        parts = auto_parts(graph)
    if name not in STRATEGIES:
        raise UsageError(f"unknown strategy {name!r}; choose one of: {', '.join(sorted(STRATEGIES))}")
    if parts < 1:
        raise UsageError(f"--parts must be at least 1, got {parts}")
    if workers < 1:
        raise UsageError(f"--workers must be at least 1, got {workers}")
    if graph.g.number_of_nodes() == 0:
        raise UsageError("the module defines nothing to partition")
    assignment = STRATEGIES[name](graph, parts, workers)
    return make_plan(graph, assignment, name, parts, workers)


# Strategy modules register themselves on import.
from . import basic, gcc, graphlib, llvm, multilevel, rustc  # noqa: E402,F401

__all__ = ["Plan", "PlanMetrics", "STRATEGIES", "DEFAULT_STRATEGY", "partition", "strategy", "list_schedule"]
