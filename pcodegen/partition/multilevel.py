"""pcodegen's own strategy: the lowest predicted makespan with the fewest
cross-partition references, never splitting a must-stay-together unit.

0. Free units. Units with no references at all (string constants every user gets a
   copy of, unused exports) cost no cut wherever they go; they are left out and used
   at the end to level the partitions.
1. Coarsen. The other units are clustered level by level along their heaviest
   references (rating w^2 / (cost_a * cost_b), so a small function joins the caller it
   is most tied to before two big functions merge), low-degree units first so that
   leaves and helpers fold into their callers; units left alone because their cluster
   is full go together with their siblings (two-hop). A cluster never grows past 1/8 of
   a partition's share, so the coarsest graph can still be balanced.
2. Initial partitions. On the coarsest graph (about 24 clusters per partition), grow
   the partitions from seeds by best cut gain (four seed orders) and also place
   clusters largest first with affinity; refine each greedily, give the best
   Fiduccia-Mattheyses passes too, and keep it.
3. Uncoarsen and refine. Project back level by level; at each level greedy k-way
   boundary moves, then (on levels of up to 12,000 units) Fiduccia-Mattheyses passes (negative moves allowed, rolled
   back to the best prefix) under a load limit that narrows from 3% over the share on
   the coarsest graph to 0.5% on the finest. For graphs up to 2,000 units, one
   V-cycle follows (coarsen again within the partitions, refine again), kept if it
   lowers the cut. Only the best initial partition gets FM passes, and one V-cycle at
   most: the partitioner runs on the build's critical path.
4. Level. The free units go largest first onto the lightest partition. If a partition
   is still above the longest-processing-time bound of all units (what Julia's rule
   reaches: never below the biggest unit), single moves or swaps of two units of
   different cost take off the last few units of overload with the least added cut
   (`polish`); a larger overload first has small, loosely tied units taken out,
   the rest rebalanced, and the small ones put back (`tighten`). Then the same is tried
   for the mean itself, rounded up, and a last greedy pass lowers the cut under the
   final maximum.

Before all that, a unit that costs more than an even share of the partitions (the
calibrated model's KeccakF1600Step in SQLite: 1.4 s where a partition's share is 0.5 s)
gets a partition of its own, dispatched first as the largest; the others are balanced
among the remaining partitions. Balanced with it instead, every partition would be
allowed up to its cost, and the last ones would be left nearly empty. In plans of 16
partitions or more, partitions grown from the costliest free unit by cut gain, each to
an even share of what is left and never past it, follow until two are known (one per
8 partitions in bigger plans)
(`opening_partitions`): all these are certain before the multilevel step runs, so the
pipeline starts their workers while it does (`partition.early_partitions`).

Deterministic (no randomness; ties broken by index) and near-linear in the graph's
size.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass

from pcodegen.graph import ModuleGraph
from pcodegen.partition import strategy
from pcodegen.partition.plan import list_schedule
from pcodegen.partition.units import unit_graph

Adj = list[dict[int, int]]

EPS = 0.03  # load slack on the coarsest graph
EPS_MIN = 0.005  # load slack on the finest graph, before the final tightening
CLUSTER_SHARE = 8  # a cluster holds at most 1/CLUSTER_SHARE of a partition's share
COARSE_PER_PART = 24  # stop coarsening at about this many clusters per partition
FM_MAX_NODES = 12000  # levels with more units get the greedy passes only (FM: 1.4 s on a 50,000-unit system image)
FM_CANDIDATES = 1  # initial partitions (of five, best first) that get FM passes on the coarsest graph
VCYCLES = 1  # extra V-cycles (coarsen within the partitions, refine again) ...
VCYCLE_MAX_NODES = 2000  # ... for graphs up to this many units (on SQLite, 5,000 units, it would take 0.06 s of the critical path for 1.7% less cut)
COARSEN_MIN_SHRINK = 0.93  # stop coarsening once a level keeps more than this share of the nodes
SMALL_UNIT_SHARE = 64  # `tighten` takes out units of at most 1/SMALL_UNIT_SHARE of a partition's share
EXACT_BALANCE_MAX_UNITS = 20000  # larger graphs are balanced to within BALANCE_TOLERANCE of the bound:
BALANCE_TOLERANCE = 0.002  # no cost predicts time this well, and on a system image (50,000 units) the exact
# polish took 2.7 s of the critical path
EXACT_STEPS = 8  # polish steps towards the exact bound after balancing microsecond costs within the tolerance
SWAP_DELTA_SLACK = 32  # `polish` tries swaps whose cost difference is up to the excess plus this
PRUNE_RANGE = 16  # `polish` bounds a range of swap partners this wide before scanning it


@dataclass
class Partitioning:
    """One level's partitioning, which the refinement passes change in place: each
    unit's cost and weighted neighbours, its partition, and each partition's load."""

    cost: list[int]
    adj: Adj
    part: list[int]
    load: list[int]

    @property
    def k(self) -> int:
        return len(self.load)

    def connections(self, u: int) -> dict[int, int]:
        """Partition -> total weight of `u`'s edges into it."""
        conn: dict[int, int] = {}
        part = self.part
        for v, w in self.adj[u].items():
            q = part[v]
            conn[q] = conn.get(q, 0) + w
        return conn

    def overloaded(self, limit: float) -> tuple[int, int] | None:
        """(the heaviest partition, by how much it is over `limit`, rounded up), or None
        when none is over."""
        p = max(range(self.k), key=lambda x: (self.load[x], -x))
        return None if self.load[p] <= limit else (p, int(self.load[p] - limit + 0.999999))

    def lowest_unit_of_cost(self) -> list[dict[int, int]]:
        """Per partition: each cost present -> the lowest unit of that cost."""
        found: list[dict[int, int]] = [{} for _ in range(self.k)]
        for v, (q, c) in enumerate(zip(self.part, self.cost)):
            found[q].setdefault(c, v)
        return found

    def exchange(self, u: int, v: int, p: int, q: int) -> None:
        """Move unit `u` from partition `p` to `q`, and unit `v` (unless -1) from `q` to `p`."""
        self.part[u] = q
        self.load[p] -= self.cost[u]
        self.load[q] += self.cost[u]
        if v >= 0:
            self.part[v] = p
            self.load[q] -= self.cost[v]
            self.load[p] += self.cost[v]


def _cluster(cost: list[int], adj: Adj, cap: float, part: list[int] | None = None) -> tuple[list[int], int]:
    """Size-limited heavy-edge clustering: cluster id per node and the cluster count.
    With `part`, only nodes of the same partition are clustered (a V-cycle)."""
    n = len(cost)
    cid = [-1] * n
    ccost: list[int] = []
    alone: list[tuple[int, int]] = []  # (node, the node it wanted but could not join)
    for u in sorted(range(n), key=lambda i: (len(adj[i]), i)):
        if cid[u] != -1:
            continue
        cu = cost[u]
        conn: dict[int, int] = {}  # candidate key -> weight; key >= 0 cluster, < 0 node
        pu = part[u] if part is not None else 0
        for v, w in adj[u].items():
            if part is not None and part[v] != pu:
                continue
            key = cid[v] if cid[v] != -1 else -1 - v
            conn[key] = conn.get(key, 0) + w
        best_key, best_r = None, 0.0
        wanted, wanted_w = -1, 0
        for key, w in conn.items():
            other = ccost[key] if key >= 0 else cost[-1 - key]
            if cu + other > cap:
                if w > wanted_w:
                    wanted, wanted_w = key, w
                continue
            r = w * w / ((cu or 1) * (other or 1))
            if r > best_r:
                best_r, best_key = r, key
        if best_key is None:
            cid[u] = len(ccost)
            ccost.append(cu)
            alone.append((u, wanted if conn else n))
        elif best_key >= 0:
            cid[u] = best_key
            ccost[best_key] += cu
        else:
            v = -1 - best_key
            cid[u] = cid[v] = len(ccost)
            ccost.append(cu + cost[v])
    # Two-hop: nodes left alone because the cluster they are tied to is full go
    # together with the others tied to the same cluster (siblings hanging off one
    # hub); nodes with no references at all go together in module order.
    groups: dict[tuple[int, int], list[int]] = {}
    for u, wanted in alone:
        if ccost[cid[u]] == cost[u]:
            groups.setdefault((wanted, part[u] if part is not None else 0), []).append(u)
    for members in groups.values():
        members.sort()
        head = -1
        for u in members:
            c = cid[u]
            if head >= 0 and ccost[head] + cost[u] <= cap:
                ccost[head] += cost[u]
                ccost[c] = 0
                cid[u] = head
            else:
                head = c
    # renumber densely
    dense: dict[int, int] = {}
    for u in range(n):
        cid[u] = dense.setdefault(cid[u], len(dense))
    return cid, len(dense)


def _contract(cost: list[int], adj: Adj, cid: list[int], nc: int) -> tuple[list[int], Adj]:
    ncost = [0] * nc
    nadj: Adj = [{} for _ in range(nc)]
    for u, cu in enumerate(cid):
        ncost[cu] += cost[u]
        row = nadj[cu]
        for v, w in adj[u].items():
            cv = cid[v]
            if cv != cu:
                row[cv] = row.get(cv, 0) + w
    return ncost, nadj


def _loads(cost: list[int], part: list[int], k: int) -> list[int]:
    load = [0] * k
    for u, p in enumerate(part):
        load[p] += cost[u]
    return load


def cut_weight(adj: Adj, part: list[int]) -> int:
    return sum(w for u, row in enumerate(adj) for v, w in row.items() if v > u and part[u] != part[v])


def best_target(u: int, s: Partitioning, maxload: float, min_gain: int | None = None) -> tuple[int, int] | None:
    """(gain, partition) of the best move of boundary node `u` into a neighbouring
    partition with room: highest cut gain, ties to the lighter partition; None for an
    interior node or when no move qualifies (gain below `min_gain`, if given)."""
    cost, adj, part, load = s.cost, s.adj, s.part, s.load
    p = part[u]
    row = adj[u]
    for v in row:
        if part[v] != p:
            break
    else:
        return None  # interior
    conn: dict[int, int] = {}
    for v, w in row.items():
        q = part[v]
        conn[q] = conn.get(q, 0) + w
    inw = conn.get(p, 0)
    cu = cost[u]
    best_q, best_gain = -1, 0
    for q, w in conn.items():
        if q == p or load[q] + cu > maxload:
            continue
        gain = w - inw
        if min_gain is not None and gain < min_gain:
            continue
        if best_q < 0 or gain > best_gain or (gain == best_gain and load[q] < load[best_q]):
            best_q, best_gain = q, gain
    return None if best_q < 0 else (best_gain, best_q)


def refine(s: Partitioning, maxload: float, passes: int = 6, todo: list[int] | None = None) -> int:
    """Greedy k-way boundary refinement in place; returns the number of moves."""
    cost, adj, part, load = s.cost, s.adj, s.part, s.load
    total_moves = 0
    nodes = list(range(len(cost))) if todo is None else todo
    for _ in range(passes):
        moved = 0
        dirty: set[int] = set()
        for u in nodes:
            row = adj[u]
            if not row or len(row) > REFINE_MAX_DEGREE:
                continue
            p = part[u]
            move = best_target(u, s, maxload, min_gain=0)
            if move is None:
                continue
            best_gain, best_q = move
            cu = cost[u]
            if best_gain > 0 or (best_gain == 0 and load[best_q] + cu < load[p]):
                part[u] = best_q
                load[p] -= cu
                load[best_q] += cu
                moved += 1
                dirty.add(u)
                dirty.update(row)
        total_moves += moved
        if not moved:
            break
        nodes = sorted(dirty)
    return total_moves


FM_PATIENCE = 100  # moves without a new best before an FM pass gives up
FM_MAX_DEGREE = 64  # busier nodes are left to the greedy pass (recomputing them is costly)
REFINE_MAX_DEGREE = 512  # hubs (a runtime function half the module calls) stay where coarsening put them


def fm_refine(s: Partitioning, maxload: float, passes: int = 3) -> int:
    """k-way Fiduccia-Mattheyses passes in place: repeatedly move the unlocked boundary
    node with the best gain (negative gains too) into a partition with room, then roll
    back to the best prefix. Returns the total cut reduction."""
    cost, adj, part, load = s.cost, s.adj, s.part, s.load
    total_gain = 0

    def best_move(u: int) -> tuple[int, int] | None:
        return best_target(u, s, maxload)

    for _ in range(passes):
        heap: list[tuple[int, int, int]] = []
        for u, row in enumerate(adj):
            if row and len(row) <= FM_MAX_DEGREE:
                bm = best_move(u)
                if bm is not None:
                    heap.append((-bm[0], u, bm[1]))
        heapq.heapify(heap)
        locked: set[int] = set()
        moves: list[tuple[int, int, int]] = []
        cum = best_cum = 0
        best_len = 0
        while heap:
            neg, u, q = heapq.heappop(heap)
            if u in locked:
                continue
            bm = best_move(u)
            if bm is None:
                continue
            if bm[0] != -neg or bm[1] != q:
                heapq.heappush(heap, (-bm[0], u, bm[1]))
                continue
            p = part[u]
            cu = cost[u]
            part[u] = q
            load[p] -= cu
            load[q] += cu
            locked.add(u)
            moves.append((u, p, q))
            cum -= neg
            if cum > best_cum:
                best_cum, best_len = cum, len(moves)
            elif len(moves) - best_len > FM_PATIENCE:
                break
            for v in adj[u]:
                if v not in locked and len(adj[v]) <= FM_MAX_DEGREE:
                    bv = best_move(v)
                    if bv is not None:
                        heapq.heappush(heap, (-bv[0], v, bv[1]))
        for u, p, q in reversed(moves[best_len:]):
            part[u] = p
            load[q] -= cost[u]
            load[p] += cost[u]
        total_gain += best_cum
        if best_cum <= 0:
            break
    return total_gain


def rebalance(s: Partitioning, maxload: float, rounds: int = 4) -> bool:
    """Move units out of partitions above `maxload`, cheapest cut increase per unit of
    cost first. Returns whether every partition ends at or under the limit."""
    cost, adj, part, load, k = s.cost, s.adj, s.part, s.load, s.k
    interior = False  # boundary units first; interior ones only if that is not enough
    for _ in range(rounds):
        over = {p for p in range(k) if load[p] > maxload}
        if not over:
            return True
        cands = []
        for u, p in enumerate(part):
            if p not in over:  # also skips units taken out (-1)
                continue
            row = adj[u]
            if not interior and row:
                for v in row:
                    if part[v] != p:
                        break
                else:
                    continue
            cu = cost[u]
            conn: dict[int, int] = {}
            for v, w in row.items():
                q = part[v]
                if q >= 0:
                    conn[q] = conn.get(q, 0) + w
            inw = conn.pop(p, 0)
            # best connected target, then the lightest partition as a fallback
            top_q, top_w = -1, 0
            for q, w in conn.items():
                if w > top_w or (w == top_w and q < top_q):
                    top_q, top_w = q, w
            cands.append(((inw - top_w) / (cu or 1), cu, u, conn))
        cands.sort(key=lambda t: (t[0], t[1], t[2]))
        progress = False
        for _, cu, u, conn in cands:
            p = part[u]
            if load[p] <= maxload:
                continue
            dest, dest_w = -1, -1
            for q, w in conn.items():
                if load[q] + cu <= maxload and (w > dest_w or (w == dest_w and q < dest)):
                    dest, dest_w = q, w
            if dest < 0:
                q = min(range(k), key=lambda x: (load[x], x))
                if q != p and load[q] + cu <= maxload:
                    dest = q
            if dest < 0:
                continue
            part[u] = dest
            load[p] -= cu
            load[dest] += cu
            progress = True
        if not progress:
            if interior:
                break
            interior = True
    return max(load) <= maxload


FILL_SHARE = 0.01  # at least this share of the total is re-placed by the final fill


def _fill(s: Partitioning, items: list[int], limit: float, affinity: bool) -> None:
    cost, adj, part, load, k = s.cost, s.adj, s.part, s.load, s.k
    for u in items:  # largest first
        cu = cost[u]
        best = -1
        if affinity:
            conn: dict[int, int] = {}
            for v, w in adj[u].items():
                q = part[v]
                if q >= 0:
                    conn[q] = conn.get(q, 0) + w
            best_w = -1
            for q, w in conn.items():
                if load[q] + cu <= limit and (w > best_w or (w == best_w and load[q] < load[best])):
                    best, best_w = q, w
        if best < 0:
            best = min(range(k), key=lambda q: (load[q], q))
        part[u] = best
        load[best] += cu


def tighten(s: Partitioning, limit: float) -> None:
    """Bring every partition to `limit` (an LPT bound, often within one unit of the
    mean). Small units that are least tied to anything are taken out, the rest is
    rebalanced under the limit, and the small ones are put back largest first, each
    with its neighbours where there is room, else onto the lightest partition, which
    levels the partitions the way LPT does."""
    cost, adj, part, load, k = s.cost, s.adj, s.part, s.load, s.k
    n = len(cost)
    total = sum(cost)
    excess = sum(max(0, x - limit) for x in load)
    attach = [sum(row.values()) for row in adj]
    small = total / k / SMALL_UNIT_SHARE
    cands = sorted((u for u in range(n) if cost[u] <= small), key=lambda u: (attach[u], cost[u], u))
    want = max(2 * excess, FILL_SHARE * total)
    items: list[int] = []
    got = 0
    for u in cands:
        if got >= want and attach[u] > 0:
            break
        items.append(u)
        got += cost[u]
    items.sort(key=lambda u: (-cost[u], u))
    saved = list(part), list(load)
    for u in items:
        load[part[u]] -= cost[u]
        part[u] = -1
    if max(load) > limit:
        rebalance(s, limit, rounds=8)
    base = list(part), list(load)
    results = []
    for affinity in (True, False):
        part[:], load[:] = base[0], base[1]
        _fill(s, items, limit, affinity)
        results.append((max(load) > limit, max(load), cut_weight(adj, part), list(part), list(load)))
        if not results[-1][0]:
            break
    best = min(results, key=lambda t: t[:3])
    if best[1] > max(saved[1]):
        part[:], load[:] = saved
    else:
        part[:], load[:] = best[3], best[4]


class _RangeMin:
    """Minimum of `values[a:b]` in constant time (a sparse table)."""

    def __init__(self, values: list[int]) -> None:
        self.levels = [values]
        width = 1
        while 2 * width <= len(values):
            last = self.levels[-1]
            self.levels.append([min(last[i], last[i + width]) for i in range(len(last) - width)])
            width *= 2

    def __call__(self, a: int, b: int) -> int:
        j = (b - a).bit_length() - 1
        row = self.levels[j]
        return min(row[a], row[b - (1 << j)])


def polish(s: Partitioning, limit: float, max_steps: int = 64) -> bool:
    """Remove small overloads exactly: move one unit, or swap two units of different
    cost, between the heaviest partition and one with room, never pushing that one past
    `limit`. Moves that remove the whole overload come first, then the least added cut.
    Every step lowers the total overload, so this ends. Returns whether every partition
    ends at or under the limit."""
    cost, adj, part, load, k = s.cost, s.adj, s.part, s.load, s.k
    n = len(cost)
    conn_of = s.connections

    for _ in range(max_steps):
        over = s.overloaded(limit)
        if over is None:
            return True
        p, excess = over
        first_of_cost = s.lowest_unit_of_cost()
        in_p = [(u, conn_of(u)) for u in range(n) if part[u] == p]
        best = None  # (key, u, v or -1, q)
        for q in sorted(range(k), key=lambda x: (load[x], x)):
            room = int(limit - load[q])
            if q == p or room < 1:
                continue
            by_cost = first_of_cost[q]
            costs_q = sorted(by_cost)  # the costs present in q: a swap partner's cost is one of them
            partners = [by_cost[c] for c in costs_q]
            # gain[i]: what partner i's move to p adds to the cut, less the 2w of an edge
            # to u (worked out when first needed). Its lowest value over a wide range of
            # partners bounds every swap in that range, so a range that cannot beat the
            # best so far is skipped: the same result, without the quadratic scan.
            gain: list[int | None] = [None] * len(partners)
            lowest: _RangeMin | None = None
            for u, cu_conn in in_p:
                cu = cost[u]
                adj_u = adj[u]
                du = cu_conn.get(p, 0) - cu_conn.get(q, 0)
                if cu <= room:
                    key = (cu < excess, du, -cu)
                    if best is None or key < best[0]:
                        best = (key, u, -1, q)
                most = min(room, cu - 1, excess + SWAP_DELTA_SLACK)  # swap deltas 1..most, smallest first
                lo, hi = bisect.bisect_left(costs_q, cu - most), bisect.bisect_left(costs_q, cu)
                whole = bisect.bisect_right(costs_q, cu - excess, lo, hi)  # below it a swap removes the overload
                for short, a, b in ((True, whole, hi), (False, lo, whole)):  # the order of i from hi - 1 down
                    if a >= b:
                        continue
                    if best is not None and b - a >= PRUNE_RANGE:
                        if lowest is None:
                            for i, g in enumerate(gain):
                                if g is None:
                                    cv_conn = conn_of(partners[i])
                                    gain[i] = cv_conn.get(q, 0) - cv_conn.get(p, 0)
                            lowest = _RangeMin(gain)  # type: ignore[arg-type]
                        if (short, du + lowest(a, b)) > best[0][:2]:
                            continue
                    for i in range(b - 1, a - 1, -1):
                        g = gain[i]
                        if g is None:
                            cv_conn = conn_of(partners[i])
                            g = gain[i] = cv_conn.get(q, 0) - cv_conn.get(p, 0)
                        key = (short, du + g + 2 * adj_u.get(partners[i], 0), costs_q[i] - cu)
                        if best is None or key < best[0]:
                            best = (key, u, partners[i], q)
        if best is None:
            return False
        _, u, v, q = best
        s.exchange(u, v, p, q)
    return max(load) <= limit


def _grow(cost: list[int], adj: Adj, k: int, seeds: list[int]) -> list[int]:
    """Greedy graph growing: each partition in turn grows from a seed by best cut gain
    until it holds its share of what is left; the last takes the rest."""
    n = len(cost)
    part = [-1] * n
    degw = [sum(row.values()) for row in adj]
    remaining = sum(cost)
    seed_iter = iter(seeds)
    for p in range(k - 1):
        goal = remaining / (k - p)
        load = 0
        conn: dict[int, int] = {}
        heap: list[tuple[int, int]] = []
        while load < goal:
            u = -1
            while heap:
                negg, v = heapq.heappop(heap)
                if part[v] == -1 and -negg == 2 * conn.get(v, 0) - degw[v]:
                    u = v
                    break
            if u < 0:
                u = next((s for s in seed_iter if part[s] == -1), -1)
                if u < 0:
                    break
            if load > 0 and load + cost[u] - goal > goal - load:
                continue  # would overshoot more than it fills; leave it for later
            part[u] = p
            load += cost[u]
            for v, w in adj[u].items():
                if part[v] == -1:
                    conn[v] = conn.get(v, 0) + w
                    heapq.heappush(heap, (-(2 * conn[v] - degw[v]), v))
        remaining -= load
    return [k - 1 if q == -1 else q for q in part]


def _lpt_affinity(cost: list[int], adj: Adj, k: int, maxload: float) -> list[int]:
    """Largest first onto the partition it is most tied to that has room, else onto the
    lightest partition."""
    n = len(cost)
    part = [-1] * n
    load = [0] * k
    for u in sorted(range(n), key=lambda i: (-cost[i], i)):
        conn: dict[int, int] = {}
        for v, w in adj[u].items():
            if part[v] >= 0:
                conn[part[v]] = conn.get(part[v], 0) + w
        best = -1
        for q, w in sorted(conn.items(), key=lambda t: (-t[1], t[0])):
            if load[q] + cost[u] <= maxload:
                best = q
                break
        if best < 0:
            best = min(range(k), key=lambda q: (load[q], q))
        part[u] = best
        load[best] += cost[u]
    return part


def _multilevel(cost: list[int], adj: Adj, k: int, coarse_max: float, final_max: float,
                given: list[int] | None = None) -> list[int]:
    """Coarsen, partition the coarsest graph, then uncoarsen with refinement; the load
    limit narrows from `coarse_max` on the coarsest graph to `final_max` on `cost`.
    With `given` (a partition of `cost`), run a V-cycle: coarsen only within its
    partitions and start from it."""
    total = sum(cost)
    share = total / k
    levels: list[tuple[list[int], Adj, list[int]]] = []  # (cost, adj, cid to next level)
    cc, ca = cost, adj
    cap = max(1.0, share / CLUSTER_SHARE)
    stop = max(COARSE_PER_PART * k, 64)
    cp = given
    while len(cc) > stop:
        cid, nc = _cluster(cc, ca, cap, cp)
        if nc > COARSEN_MIN_SHRINK * len(cc):
            break
        levels.append((cc, ca, cid))
        if cp is not None:
            coarse = [0] * nc
            for u, c in enumerate(cid):
                coarse[c] = cp[u]
            cp = coarse
        cc, ca = _contract(cc, ca, cid, nc)

    depth = len(levels)

    def limit_at(level: int) -> float:  # level 0 is `cost` itself, `depth` the coarsest
        return final_max + (coarse_max - final_max) * (level / depth if depth else 0.0)

    maxload = limit_at(depth)
    m = len(cc)
    by_cost = sorted(range(m), key=lambda i: (-cc[i], i))
    by_order = list(range(m))
    if cp is not None:
        candidates = [list(cp)]
    else:
        candidates = [_lpt_affinity(cc, ca, k, maxload)]
        for s in range(4):
            seeds = by_cost[s:] + by_cost[:s] if s < 2 else (by_order if s == 2 else by_order[::-1])
            candidates.append(_grow(cc, ca, k, seeds))

    def key(part: list[int], load: list[int]) -> tuple:
        return (max(load) > maxload, cut_weight(ca, part), max(load))

    ranked = []
    for i, part in enumerate(candidates):
        load = _loads(cc, part, k)
        rebalance(Partitioning(cc, ca, part, load), maxload)
        refine(Partitioning(cc, ca, part, load), maxload, passes=10)
        ranked.append((key(part, load), i, part, load))
    ranked.sort(key=lambda t: t[:2])
    finals = []
    for _, i, part, load in ranked[:FM_CANDIDATES]:  # FM is the costly step: only the best few
        fm_refine(Partitioning(cc, ca, part, load), maxload, passes=4)
        finals.append((key(part, load), i, part))
    part = min(finals, key=lambda t: t[:2])[2]
    for level in range(depth - 1, -1, -1):
        fcost, fadj, cid = levels[level]
        maxload = limit_at(level)
        part = [part[c] for c in cid]
        load = _loads(fcost, part, k)
        if max(load) > maxload:
            rebalance(Partitioning(fcost, fadj, part, load), maxload)
        refine(Partitioning(fcost, fadj, part, load), maxload, passes=3)
        if len(fcost) <= FM_MAX_NODES:
            fm_refine(Partitioning(fcost, fadj, part, load), maxload, passes=2)
    return part


def oversized_units(cost: list[int], k: int) -> list[int]:
    """The units that get a partition of their own: each costs more than an even share
    of what the other partitions hold (repeated until none does), largest first. They
    would set the balance bound for everything else: balanced to the largest unit, the
    other partitions fill up to its cost and leave the last ones nearly empty."""
    solo: list[int] = []
    rest_total = sum(cost)
    for u in sorted(range(len(cost)), key=lambda u: (-cost[u], u)):
        if len(solo) >= k - 1 or cost[u] * (k - len(solo)) <= rest_total:
            break
        solo.append(u)
        rest_total -= cost[u]
    return solo


CARVE_MIN_PARTS = 16  # plans of this many partitions or more open with grown partitions ...
EARLY_PARTITIONS = 2  # ... until this many are known before the multilevel step (both of 2 workers start at once),
EARLY_SHARE = 8  # ... or one per this many partitions of the plan: SQLite's 32 open with 4 and a 64-partition
# system image with 8, which keep 2 workers busy through the partitioner and 8 of 16 cores; the rest is then
# smaller, so the partitioner beside them is faster too (SQLite 0.24 -> 0.16 s, system image 1.46 -> 1.05 s) for
# 0.8% and 7% more cut weight


def early_count(k: int) -> int:
    """How many partitions a plan of `k` opens with before its multilevel step, at least
    (the oversized units may be more): a function of `k` alone, never of the workers."""
    return min(max(EARLY_PARTITIONS, k // EARLY_SHARE), k - 1) if k >= CARVE_MIN_PARTS else 0


def _grow_one(cost: list[int], adj: Adj, degw: dict[int, int], taken: list[bool], goal: float,
              by_cost: list[int], neg_cost: list[int]) -> list[int]:
    """One partition grown from the costliest free unit, always taking the free
    neighbour with the best cut gain (a new seed when none is left), until it holds
    `goal`; a unit that would take it past `goal` is left for later (so the rest's share,
    and the plan's bound, do not grow). `by_cost`: the free units, costliest first;
    `neg_cost`: their costs negated (ascending), to find the first seed that fits;
    `degw`: each unit's summed edge weight, filled in as units are reached."""
    grown: list[int] = []
    skipped: list[int] = []
    load = 0
    conn: dict[int, int] = {}
    heap: list[tuple[int, int]] = []
    pos = 0  # seeds before this are taken or do not fit (the room only shrinks)
    while load < goal:
        u = -1
        while heap:
            _, v = heapq.heappop(heap)
            if not taken[v]:
                u = v
                break
        if u < 0:
            pos = max(pos, bisect.bisect_left(neg_cost, load - goal))  # the first seed costing at most the room
            while pos < len(by_cost) and taken[by_cost[pos]]:
                pos += 1
            if pos == len(by_cost):
                break
            u = by_cost[pos]
        if load + cost[u] > goal:
            taken[u] = True  # skipped here; released below
            skipped.append(u)
            continue
        taken[u] = True
        grown.append(u)
        load += cost[u]
        for v, w in adj[u].items():
            if not taken[v]:
                conn[v] = conn.get(v, 0) + w
                d = degw.get(v)
                if d is None:
                    d = degw[v] = sum(adj[v].values())
                heapq.heappush(heap, (-(2 * conn[v] - d), v))
    for u in skipped:
        taken[u] = False
    return grown


def opening_partitions(cost: list[int], adj: Adj, k: int) -> list[list[int]]:
    """The partitions a plan of `k` opens with, known before the multilevel step (so
    their workers can start while it runs): each unit costlier than a share alone
    (`oversized_units`), then, for `k` >= CARVE_MIN_PARTS, partitions grown from the
    costliest free unit by cut gain (`_grow_one`) to an even share of what is left, until
    `early_count(k)` are known. A function of the graph and `k` alone; each grown
    partition touches only its units and their neighbours."""
    solo = oversized_units(cost, k)
    groups = [[u] for u in solo]
    want = early_count(k)
    if len(groups) >= want:
        return groups
    n = len(cost)
    taken = [False] * n
    for u in solo:
        taken[u] = True
    left = sum(cost) - sum(cost[u] for u in solo)
    by_cost = [u for u in sorted(range(n), key=cost.__getitem__, reverse=True) if not taken[u]]  # ties: lowest first
    neg_cost = [-cost[u] for u in by_cost]
    degw: dict[int, int] = {}  # only for the units the grown partitions reach
    while len(groups) < want:
        grown = _grow_one(cost, adj, degw, taken, left / (k - len(groups)), by_cost, neg_cost)
        if not grown:
            break
        groups.append(grown)
        left -= sum(cost[u] for u in grown)
    return groups


def multilevel_partition(cost: list[int], adj: Adj, k: int, exact: bool = True) -> list[int]:
    """Partition number per node: the opening partitions first (units bigger than a
    share alone, then, in bigger plans, grown ones: `opening_partitions`), the rest by
    `_balanced_partition` (see the module docstring). `exact=False` (costs in
    microseconds): balance within BALANCE_TOLERANCE of the bound whatever the graph's
    size, then take a few exact steps."""
    n = len(cost)
    if k <= 1 or n <= 1:
        return [0] * n
    groups = opening_partitions(cost, adj, k)
    if not groups:
        return _balanced_partition(cost, adj, k, exact)
    part = [-1] * n
    for i, members in enumerate(groups):
        for u in members:
            part[u] = i
    rest = [u for u in range(n) if part[u] < 0]
    if rest:
        pos = {u: i for i, u in enumerate(rest)}
        sub = _balanced_partition([cost[u] for u in rest],
                                  [{pos[v]: w for v, w in adj[u].items() if v in pos} for u in rest], k - len(groups),
                                  exact)
        for i, u in enumerate(rest):
            part[u] = len(groups) + sub[i]
    return part


def _balanced_partition(cost: list[int], adj: Adj, k: int, exact: bool = True) -> list[int]:
    """Partition number per node, balanced to the LPT bound of all of them."""
    n = len(cost)
    if k <= 1 or n <= 1:
        return [0] * n
    limit = int(list_schedule(cost, k))
    part = [-1] * n
    solid = [u for u in range(n) if adj[u]]
    load = [0] * k
    if solid:
        pos = [-1] * n
        for i, u in enumerate(solid):
            pos[u] = i
        scost = [cost[u] for u in solid]
        sadj = [{pos[v]: w for v, w in adj[u].items()} for u in solid]
        rest_share = sum(scost) / k
        coarse_max = max(limit, rest_share * (1 + EPS))
        final_max = max(limit, rest_share * (1 + EPS_MIN))
        spart = _multilevel(scost, sadj, k, coarse_max, final_max)
        if len(solid) <= VCYCLE_MAX_NODES:
            best_cut = cut_weight(sadj, spart)
            for _ in range(VCYCLES):
                again = _multilevel(scost, sadj, k, coarse_max, final_max, given=spart)
                c = cut_weight(sadj, again)
                if c >= best_cut or max(_loads(scost, again, k)) > final_max:
                    break
                spart, best_cut = again, c
        for i, u in enumerate(solid):
            part[u] = spart[i]
            load[spart[i]] += scost[i]
    # Units with no references at all cost no cut anywhere: they level the loads,
    # largest first onto the lightest partition (Julia's rule).
    heap = [(load[p], p) for p in range(k)]
    heapq.heapify(heap)
    for u in sorted((u for u in range(n) if not adj[u]), key=lambda u: (-cost[u], u)):
        lp, p = heapq.heappop(heap)
        part[u] = p
        load[p] += cost[u]
        heapq.heappush(heap, (load[p], p))
    state = Partitioning(cost, adj, part, load)
    tolerance = BALANCE_TOLERANCE if n > EXACT_BALANCE_MAX_UNITS else 0.0
    # Microsecond costs are nearly all distinct: balancing them to the last one can take
    # polish's every step (0.17 s on SQLite) for nothing a prediction could tell apart, so
    # first within BALANCE_TOLERANCE, then as far as a few exact steps get.
    target = int(limit * (1 + (tolerance if exact else BALANCE_TOLERANCE)))
    if max(load) > target and not polish(state, target):
        tighten(state, target)
        polish(state, target)
    if not exact and max(load) > limit * (1 + tolerance):
        polish(state, limit, max_steps=EXACT_STEPS)
    # LPT's bound is not always the best possible: try for the mean (rounded up) too.
    best_possible = max(-(-sum(cost) // k), max(cost))
    if max(load) > best_possible * (1 + tolerance):
        trial_part, trial_load = list(part), list(load)
        polish(Partitioning(cost, adj, trial_part, trial_load), best_possible, max_steps=16)
        if max(trial_load) < max(load):
            part[:], load[:] = trial_part, trial_load
    refine(state, max(load), passes=4)
    return part


@strategy("pcodegen")
def pcodegen(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """pcodegen's own: multilevel coarsening, greedy and FM refinement, then exact
    balancing to the LPT bound; the lowest makespan with the fewest cut references."""
    ug = unit_graph(graph)
    return ug.assignment(multilevel_partition(ug.cost, ug.adj, parts, exact=graph.cost_rule == "size"))
