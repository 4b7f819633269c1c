"""Plans that stay put across edits (`--previous-plan FILE`, or the cache's last plan).

An edit to one function should recompile one partition. A fresh plan may move many
units when one changes size; instead, every unit whose members were all in one
partition of the previous plan stays there, and units the previous plan did not know go
where their references are (most weight to already placed neighbours), else onto the
lightest partition. The kept plan is used unless its largest partition is more than
`STABLE_BALANCE_BOUND` over the fresh plan's; then the fresh one is, and the report says
so (`Stability`). The fresh plan is made only when that question is open: a kept plan
within the bound of the ideal (the mean partition, or the largest unit if bigger), which
no fresh plan beats, is used without partitioning afresh (on SQLite that saves the
0.15-0.2 s the partitioner takes on a warm rebuild).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from pcodegen.errors import UsageError
from pcodegen.graph import ModuleGraph
from pcodegen.partition.plan import Plan, make_plan
from pcodegen.partition.units import unit_graph

STABLE_BALANCE_BOUND = 1.05  # the kept plan's largest partition over the fresh plan's, at most


@dataclass
class Stability:
    """How a plan relates to the previous one."""

    previous: str  # where the previous plan came from
    used: str  # "previous" (units kept in place) or "fresh" (the bound was exceeded, or nothing to keep)
    kept_units: int
    new_units: int
    moved_units: int  # units whose partition differs from the previous plan's
    largest_over_ideal: float  # the kept plan's largest partition over max(mean partition, largest unit)
    largest_over_fresh: float | None  # ... over the fresh plan's (None: not needed, so not made)

    def to_dict(self) -> dict:
        return asdict(self)


def read_previous(path: str | Path) -> dict[str, int]:
    """symbol -> partition from a compile's report.json, a plan JSON (`partition --json`)
    or a cache's saved plan; a one-line UsageError otherwise."""
    from pcodegen.output import read_json

    doc = read_json(path, "previous plan", "give a compile's report.json or `partition --json` output")
    plan = doc.get("plan", doc) if isinstance(doc, dict) else None
    members = plan.get("members") if isinstance(plan, dict) else None
    if not isinstance(members, list):
        raise UsageError(f"{path}: holds no plan with members (give a compile's report.json or `partition --json` output)")
    return {m: i for i, ms in enumerate(members) for m in ms}


def stable_plan(graph: ModuleGraph, parts: int, previous: dict[str, int], source: str, workers: int,
                strategy: str, fresh: Callable[[], Plan]) -> tuple[Plan, Stability]:
    """The plan of `parts` partitions that keeps `previous`'s placement where it can (see
    the module doc), or `fresh()` when keeping it would unbalance the partitions past the
    bound."""
    ug = unit_graph(graph)
    part = [-1] * ug.n
    load = [0] * parts
    kept = new = 0
    for u, members in enumerate(ug.members):
        where = {previous.get(m) for m in members}
        if len(where) == 1 and None not in where and 0 <= next(iter(where)) < parts:  # type: ignore[operator]
            part[u] = next(iter(where))  # type: ignore[assignment]
            load[part[u]] += ug.cost[u]
            kept += 1
        elif not where - {None}:
            new += 1
    if kept == 0:
        return fresh(), Stability(source, "fresh", 0, new, ug.n, 1.0, 1.0)
    for u in sorted((u for u in range(ug.n) if part[u] < 0), key=lambda u: (-ug.cost[u], u)):
        conn: dict[int, int] = {}
        for v, w in ug.adj[u].items():
            if part[v] >= 0:
                conn[part[v]] = conn.get(part[v], 0) + w
        target = max(conn, key=lambda q: (conn[q], -load[q], -q)) if conn else min(range(parts), key=lambda q: (load[q], q))
        part[u] = target
        load[target] += ug.cost[u]
    plan = make_plan(graph, ug.assignment(part), strategy, parts, workers)
    largest = max(plan.metrics.partition_costs)
    ideal = max(sum(ug.cost) / parts, max(ug.cost))
    over_ideal = round(largest / ideal, 4)
    moved = sum(1 for u, members in enumerate(ug.members) if previous.get(members[0], part[u]) != part[u])
    if plan.parts == parts and largest <= STABLE_BALANCE_BOUND * ideal:  # no fresh plan could do better
        return plan, Stability(source, "previous", kept, new, moved, over_ideal, None)
    other = fresh()
    ratio = round(largest / max(other.metrics.partition_costs), 4)
    if plan.parts != other.parts or ratio > STABLE_BALANCE_BOUND:
        return other, Stability(source, "fresh", kept, new, moved, over_ideal, ratio)
    return plan, Stability(source, "previous", kept, new, moved, over_ideal, ratio)
