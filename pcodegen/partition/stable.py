"""Plans that stay put across edits (`--previous-plan FILE`, or the cache's last plan).

An edit to one function should recompile one partition. A fresh plan may move many
units when one changes size; instead, every unit whose members were all in one
partition of the previous plan stays there, and units the previous plan did not know go
where their references are (most weight to already placed neighbours), else onto the
lightest partition.

A kept plan within `STABLE_BALANCE_BOUND` of the ideal (the mean partition, or the
largest unit if bigger), which no fresh plan beats, is used without partitioning afresh
(on SQLite that saves the 0.15-0.2 s the partitioner takes on a warm rebuild). Otherwise
the strategy's own fresh plan is the yardstick (a hash or round-robin plan is not
balanced, and that is no reason to move units): a kept plan within the bound of it is
used; one past it has the fewest units moved out of its overloaded partitions onto the
lightest (a grown function's partition gives up a neighbour: two partitions recompile,
not all); only if moves cannot fix it is the fresh plan used. The report says which
(`Stability`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from pcodegen.errors import UsageError
from pcodegen.graph import ModuleGraph
from pcodegen.partition.plan import Plan, make_plan
from pcodegen.partition.units import UnitGraph, unit_graph

STABLE_BALANCE_BOUND = 1.05  # the kept plan's largest partition over the fresh plan's, at most


@dataclass
class Stability:
    """How a plan relates to the previous one."""

    previous: str  # where the previous plan came from
    used: str  # "previous" (units kept in place) or "fresh" (the bound was exceeded, or nothing to keep)
    kept_units: int
    new_units: int
    moved_units: int  # units whose partition differs from the previous plan's
    largest_over_ideal: float  # the plan's largest partition over max(mean partition, largest unit)
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
    ideal = max(sum(ug.cost) / parts, max(ug.cost))

    def kept_plan(limit: float) -> Plan | None:
        """The kept placement if every partition is within `limit`, else with the fewest
        moves that bring them there; None when moves cannot."""
        fixed, fixed_load = list(part), list(load)
        if max(fixed_load) > limit and not _repair(ug, fixed, fixed_load, limit):
            return None
        plan = make_plan(graph, ug.assignment(fixed), strategy, parts, workers)
        return plan if plan.parts == parts else None

    def stability(used: str, plan: Plan, fresh_largest: int | None) -> Stability:
        """The figures of the plan used; for a fresh plan, the rejected kept one's balance."""
        where = {m: i for i, ms in enumerate(plan.members) for m in ms}
        moved = sum(1 for members in ug.members if members[0] in previous and previous[members[0]] != where[members[0]])
        largest = max(load) if used == "fresh" else max(plan.metrics.partition_costs)
        return Stability(source, used, kept, new, moved, round(largest / ideal, 4),
                         None if fresh_largest is None else round(largest / fresh_largest, 4))

    if max(load) <= STABLE_BALANCE_BOUND * ideal:  # within the bound of the ideal: no fresh plan does better
        plan = kept_plan(STABLE_BALANCE_BOUND * ideal)
        if plan is not None:
            return plan, stability("previous", plan, None)
    other = fresh()  # the strategy's own balance is the yardstick (hash and round-robin plans are not balanced)
    best = max(other.metrics.partition_costs)
    plan = kept_plan(STABLE_BALANCE_BOUND * best)
    if plan is None or plan.parts != other.parts:
        return other, stability("fresh", other, best)
    return plan, stability("previous", plan, best)


def _repair(ug: UnitGraph, part: list[int], load: list[int], limit: float) -> bool:
    """Move units out of partitions above `limit` onto the lightest one, in place: from
    the fullest partition, the smallest unit that clears its excess, else the largest
    that fits. True when every partition ends at or below `limit`."""
    parts = len(load)
    for _ in range(ug.n + 1):
        over = max(range(parts), key=lambda q: (load[q], -q))
        if load[over] <= limit:
            return True
        to = min(range(parts), key=lambda q: (load[q], q))
        room, excess = limit - load[to], load[over] - limit
        fits = [u for u in range(ug.n) if part[u] == over and ug.cost[u] <= room]
        if to == over or not fits:
            return False
        clearing = [u for u in fits if ug.cost[u] >= excess]
        u = min(clearing, key=lambda u: (ug.cost[u], u)) if clearing else max(fits, key=lambda u: (ug.cost[u], -u))
        part[u] = to
        load[over] -= ug.cost[u]
        load[to] += ug.cost[u]
    return False
