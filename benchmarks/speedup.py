#!/usr/bin/env python3
"""Serial against parallel compilation of one module (default: the SQLite bitcode).

Each build runs in a fresh Python process, serial and then one parallel build per cost
rule alternating (S P1 P2 S P1 P2 ...), so drift on a noisy machine hits all alike. A
build is timed end to end from reading the input to the linked executable. Prints each
run's builds and the medians: speedup and the workers' busy-time imbalance per rule.

    python3 benchmarks/speedup.py [MODULE] [--workers 2] [--parts 32] [--repeat 1] [--opt 2]
        [--costs size,model]

Why 32 partitions for 2 workers: partitions are handed out largest first as workers
free up, so many small ones let the two workers finish together however far actual
compile times stray from the cost model (one SQLite function, KeccakF1600Step, takes
about 11 times its share of the cost to optimise). On SQLite a partition costs the
workers about 0.03 s of splitting and parsing, so 32 is near the sweet spot.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def run_one(mode: str, src: Path, tmp: Path, args: argparse.Namespace, link_args: list[str],
            cost: str = "size") -> dict:
    """One build in a fresh process, through the same child `pcodegen bench` uses."""
    spec = {"mode": mode, "input": str(src.resolve()), "outdir": str(tmp / f"{mode}-{time.monotonic_ns()}"),
            "parts": args.parts, "workers": args.workers, "strategy": args.strategy, "opt": args.opt,
            "link": "exe", "link_args": link_args, "cost": cost}
    proc = subprocess.run([sys.executable, "-m", "pcodegen.bench.child", json.dumps(spec)], capture_output=True,
                          text=True, check=False, env={**os.environ, "PCODEGEN_QUIET": "1"})
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    data = json.loads(lines[-1]) if lines else {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    if "error" in data:
        sys.exit(f"{mode} build failed: {data['error']}")
    data["cpu_s"] = data["coordinator_cpu_s"] + data["workers_cpu_s"] + data["link_cpu_s"]
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("module", nargs="?", help="input .bc/.ll [default: bitcode_samples/build/sqlite.bc]")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--parts", type=int, default=32)
    ap.add_argument("--strategy", default="pcodegen")
    ap.add_argument("--opt", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--costs", default="size,model",
                    help="cost rules to build with side by side, comma-separated (size, model, profile:FILE)")
    args = ap.parse_args()
    link_args = ["-lm"]
    if args.module:
        src = Path(args.module)
    else:
        sys.path.insert(0, str(ROOT / "bitcode_samples"))
        import build  # type: ignore[import-not-found]

        src = build.build_sqlite(build.DEFAULT_OUT, verify=False)
        link_args = build.native_link_flags()
    costs = [c.strip() for c in args.costs.split(",") if c.strip()]
    serial: list[dict] = []
    parallel: dict[str, list[dict]] = {c: [] for c in costs}
    with tempfile.TemporaryDirectory(prefix="pcg-speedup-") as tmp:
        for i in range(args.repeat):
            serial.append(run_one("serial", src, Path(tmp), args, link_args))
            s = serial[-1]
            print(f"run {i + 1}/{args.repeat}: {src.name}, {args.workers} workers; serial {s['wall_s']:.2f} s "
                  f"(compile {s['phases']['compile']:.2f} s, CPU {s['cpu_s']:.2f} s)")
            for cost in costs:
                p = run_one("parallel", src, Path(tmp), args, link_args, cost)
                parallel[cost].append(p)
                plan = p["plan"]
                print(f"  --cost {cost}: {plan['parts']} partitions, {p['wall_s']:.2f} s end to end, speedup "
                      f"{s['wall_s'] / p['wall_s']:.2f}x, CPU {p['cpu_s']:.2f} s, busy imbalance "
                      f"{busy_imbalance(p['workers']):.3f} (busiest worker over the mean), planned imbalance "
                      f"{plan['metrics']['imbalance']:.3f}, slowest partition {max(w['total'] for w in p['workers']):.2f} s")
    from pcodegen.bench.driver import cpu_share

    se = statistics.median(t["wall_s"] for t in serial)
    print(f"medians of {args.repeat} run(s), serial {se:.2f} s "
          f"(runs {min(t['wall_s'] for t in serial):.2f}-{max(t['wall_s'] for t in serial):.2f} s):")
    print(f"  {'cost rule':<28}{'parallel s':>11}{'speedup':>9}{'per-run range':>16}{'busy imbalance':>16}"
          f"{'CPU share':>11}")
    for cost, runs in parallel.items():
        pe = statistics.median(t["wall_s"] for t in runs)
        imb = statistics.median(busy_imbalance(t["workers"]) for t in runs)
        ratios = [s["wall_s"] / p["wall_s"] for s, p in zip(serial, runs)]
        share = statistics.median(cpu_share(t) for t in runs)
        print(f"  {cost:<28}{pe:>11.2f}{se / pe:>8.2f}x{min(ratios):>9.2f}-{max(ratios):.2f}x{imb:>16.3f}"
              f"{share:>10.0%}")
    print("speedup: serial over parallel wall time, end to end (read the input to the linked program), median "
          "over median; per-run range: each run's serial build over the same run's parallel build; busy "
          "imbalance: the busiest worker's task time over the mean worker's (1.000: all finished together); "
          "CPU share: the workers' CPU time over their wall time (100% on an idle machine: lower means other "
          "processes took the cores, and the figures spread)")


def busy_imbalance(workers: list[dict]) -> float:
    """Busiest worker over the mean: task time summed per pool slot (a lane: an early
    partition's process is replaced by one forked after the plan, in the same slot)."""
    from pcodegen.bench.driver import assign_lanes

    assign_lanes(workers)
    busy: dict[int, float] = {}
    for w in workers:
        busy[w["lane"]] = busy.get(w["lane"], 0.0) + w["end_s"] - w["start_s"]
    return max(busy.values()) / (sum(busy.values()) / len(busy)) if busy else 1.0


if __name__ == "__main__":
    main()
