"""`multilevel.polish` skips ranges of swap partners that cannot beat its best move;
it must choose exactly what a full scan of every partner chooses."""

from __future__ import annotations

import bisect
import random

import pytest

from pcodegen.partition.multilevel import SWAP_DELTA_SLACK, Partitioning, polish


def _full_scan_polish(s: Partitioning, limit: float, max_steps: int = 64) -> bool:
    """The same search without the bounds: every partner in every window is scored."""
    cost, adj, part, load, k = s.cost, s.adj, s.part, s.load, s.k
    conn_of = s.connections

    for _ in range(max_steps):
        over = s.overloaded(limit)
        if over is None:
            return True
        p, excess = over
        lowest_of_cost = s.lowest_unit_of_cost()
        best = None
        for q in sorted(range(k), key=lambda x: (load[x], x)):
            room = int(limit - load[q])
            if q == p or room < 1:
                continue
            costs_q = sorted(lowest_of_cost[q])
            for u in (u for u in range(len(cost)) if part[u] == p):
                cu, cu_conn = cost[u], conn_of(u)
                du = cu_conn.get(p, 0) - cu_conn.get(q, 0)
                if cu <= room and (best is None or (cu < excess, du, -cu) < best[0]):
                    best = ((cu < excess, du, -cu), u, -1, q)
                most = min(room, cu - 1, excess + SWAP_DELTA_SLACK)
                for i in range(bisect.bisect_left(costs_q, cu) - 1, bisect.bisect_left(costs_q, cu - most) - 1, -1):
                    v = lowest_of_cost[q][costs_q[i]]
                    cv_conn = conn_of(v)
                    d = du + cv_conn.get(q, 0) - cv_conn.get(p, 0) + 2 * adj[u].get(v, 0)
                    key = (cu - costs_q[i] < excess, d, costs_q[i] - cu)
                    if best is None or key < best[0]:
                        best = (key, u, v, q)
        if best is None:
            return False
        _, u, v, q = best
        s.exchange(u, v, p, q)
    return max(load) <= limit


@pytest.mark.parametrize("seed", range(12))
def test_polish_chooses_what_a_full_scan_chooses(seed: int) -> None:
    rng = random.Random(seed)
    n, k = rng.randrange(40, 160), rng.randrange(2, 6)
    cost = [rng.choice([rng.randrange(1, 20), rng.randrange(100, 5000)]) for _ in range(n)]
    adj: list[dict[int, int]] = [{} for _ in range(n)]
    for _ in range(3 * n):
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b:
            w = rng.randrange(1, 9)
            adj[a][b] = adj[b][a] = adj[a].get(b, 0) + w
    part = [rng.randrange(k) if rng.random() < 0.7 else 0 for _ in range(n)]  # partition 0 overloaded
    load = [sum(c for c, p in zip(cost, part) if p == q) for q in range(k)]
    limit = sum(cost) / k * rng.choice([1.0, 1.01, 1.05])
    ours, full = Partitioning(cost, adj, list(part), list(load)), Partitioning(cost, adj, list(part), list(load))
    assert polish(ours, limit) == _full_scan_polish(full, limit)
    assert ours.part == full.part and ours.load == full.load
    assert ours.part != part  # something moved
