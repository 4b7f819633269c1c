#!/usr/bin/env python3
"""How partitioning time grows with graph size, per strategy.

Builds synthetic module graphs (`tests/helpers/synthetic.py`: functions in
translation units of a few dozen, heavy-tailed costs, a quarter as many variables, 1%
of functions in comdat pairs) of 10,000 and 100,000 functions and times every strategy
on each, at 16 partitions by default. Times are CPU seconds of this process (the
machine may be shared): the strategy itself (with the unit-graph view most strategies
share, built afresh for each run), and then the Plan (`make_plan`: renumbering, cut,
promotions, metrics), which is the same work whatever the strategy.

    python3 benchmarks/partition_scaling.py [--sizes 10000,100000] [--parts 16]
        [--all] [--markdown]

`kl-bisection` and `louvain` are left out above 20,000 functions unless `--all` is
given: networkx's Kernighan-Lin and Louvain are pure Python; at 100,000 functions they
take about 30 s each (measured: louvain 31.7 s, kl-bisection 29.3 s, about x20 their
10,000-function time).
The default strategy's budget is 10 s at 100,000 functions; exit status 1 if it is
over.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the synthetic graphs are a test helper: tests/helpers/synthetic.py

from pcodegen.partition import DEFAULT_STRATEGY, STRATEGIES  # noqa: E402
from pcodegen.partition.plan import make_plan  # noqa: E402
from pcodegen.partition.compare import strategy_names  # noqa: E402
from helpers.synthetic import synthetic_graph  # noqa: E402

SLOW = {"kl-bisection": 20_000, "louvain": 20_000}  # largest size they run at without --all
BUDGET_S = 10.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--parts", type=int, default=16)
    ap.add_argument("--strategies", default=None, help="Comma-separated subset (default: all).")
    ap.add_argument("--all", action="store_true", help="Also run the slow library methods at every size.")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    names = args.strategies.split(",") if args.strategies else strategy_names()
    results: dict[str, dict[int, tuple[float, float, int, float, float] | None]] = {n: {} for n in names}
    info = {}
    for size in sizes:
        t0 = time.process_time()
        graph = synthetic_graph(size, seed=0)
        info[size] = (graph.g.number_of_nodes(), graph.g.number_of_edges(), time.process_time() - t0)
        for name in names:
            if not args.all and size > SLOW.get(name, size):
                results[name][size] = None
                continue
            graph.__dict__.pop("_pcg_unit_graph", None)
            c0, w0 = time.process_time(), time.perf_counter()
            assignment = STRATEGIES[name](graph, args.parts, args.parts)
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            c1 = time.process_time()
            plan = make_plan(graph, assignment, name, args.parts, args.parts)
            plan_s = time.process_time() - c1
            results[name][size] = (cpu, wall, plan.metrics.cut_weight, plan.metrics.imbalance, plan_s)
            print(f"  {size} {name}: {cpu:.2f} s CPU (+ {plan_s:.2f} s plan)", file=sys.stderr)
    for size, (nodes, edges, build_s) in info.items():
        print(f"{size} functions: {nodes} definitions, {edges} references (graph built in {build_s:.1f} s)")
    head = ["strategy"] + [f"{s} fns: strategy s + plan s (cut, imb)" for s in sizes]
    if len(sizes) >= 2:
        head.append(f"growth {sizes[0]}->{sizes[-1]}")
    body = []
    for name in names:
        cells = [name + (" (default)" if name == DEFAULT_STRATEGY else "")]
        for s in sizes:
            r = results[name][s]
            cells.append("skipped (slow)" if r is None else f"{r[0]:.2f} + {r[4]:.2f} ({r[2]}, {r[3]:.3f})")
        if len(sizes) >= 2:
            a, b = results[name][sizes[0]], results[name][sizes[-1]]
            cells.append(f"x{b[0] / a[0]:.1f} for x{sizes[-1] / sizes[0]:.0f} size" if a and b and a[0] > 0 else "")
        if name in SLOW and not args.all:
            cells[-1] = cells[-1] or "~x20 (about 30 s at 100k; --all)"
        body.append(cells)
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for b in body:
            print("| " + " | ".join(b) + " |")
    else:
        widths = [max(len(x) for x in col) for col in zip(head, *body)]
        for cells in [head, ["-" * w for w in widths], *body]:
            print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))))
    big = results.get(DEFAULT_STRATEGY, {}).get(max(sizes))
    if big is not None:
        ok = big[0] + big[4] <= BUDGET_S
        print(f"default at {max(sizes)} functions: {big[0]:.2f} s CPU strategy + {big[4]:.2f} s plan "
              f"({big[1]:.2f} s wall for the strategy), budget {BUDGET_S:.0f} s: " + ("OK" if ok else "OVER"))
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
