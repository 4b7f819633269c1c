#!/usr/bin/env python3
"""Serial against parallel compilation of one module (default: the SQLite bitcode).

Each build runs in a fresh Python process, serial and parallel alternating (S P S P ...),
so drift on a noisy machine hits both alike. A build is timed end to end from reading
the input to the linked executable; the phases come from report.json. Prints one table
per run and the ratio of medians.

    python3 benchmarks/speedup.py [MODULE] [--workers 2] [--parts 32] [--repeat 1] [--opt 2]

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

def run_one(mode: str, src: Path, tmp: Path, args: argparse.Namespace, link_args: list[str]) -> dict:
    """One build in a fresh process, through the same child `pcodegen bench` uses."""
    spec = {"mode": mode, "input": str(src.resolve()), "outdir": str(tmp / f"{mode}-{time.monotonic_ns()}"),
            "parts": args.parts, "workers": args.workers, "strategy": args.strategy, "opt": args.opt,
            "link": "exe", "link_args": link_args}
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
    args = ap.parse_args()
    link_args = ["-lm"]
    if args.module:
        src = Path(args.module)
    else:
        sys.path.insert(0, str(ROOT / "bitcode_samples"))
        import build  # type: ignore[import-not-found]

        src = build.build_sqlite(build.DEFAULT_OUT, verify=False)
        link_args = build.native_link_flags()
    serial, parallel = [], []
    with tempfile.TemporaryDirectory(prefix="pcg-speedup-") as tmp:
        for i in range(args.repeat):
            serial.append(run_one("serial", src, Path(tmp), args, link_args))
            par = run_one("parallel", src, Path(tmp), args, link_args)
            parallel.append(par)
            plan = par["plan"]
            s, p = serial[-1], parallel[-1]
            print(f"run {i + 1}/{args.repeat}: {src.name}, {args.workers} workers, {plan['parts']} partitions "
                  f"({plan['strategy']}, imbalance {plan['metrics']['imbalance']:.3f}, cut edges "
                  f"{plan['metrics']['cut_edges']}, promoted {plan['metrics']['promoted_locals']})")
            print(f"  {'phase':<24}{'serial s':>10}{'parallel s':>12}")
            for ph in ["load", "graph", "partition", "compile", "validate", "write", "link"]:
                print(f"  {ph:<24}{s['phases'].get(ph, 0):>10.2f}{p['phases'].get(ph, 0):>12.2f}")
            for w in p["workers"]:
                print(f"    worker {w['partition']}: split {w['split']:.2f} parse {w['parse']:.2f} "
                      f"optimize {w['optimize']:.2f} emit {w['emit']:.2f} = {w['total']:.2f}s (cpu {w['cpu_s']:.2f}s, "
                      f"peak rss {w['peak_rss_kb'] / 1024:.0f} MiB)")
            print(f"  {'end to end':<24}{s['wall_s']:>10.2f}{p['wall_s']:>12.2f}"
                  f"   speedup {s['wall_s'] / p['wall_s']:.2f}x")
            print(f"  {'total CPU':<24}{s['cpu_s']:>10.2f}{p['cpu_s']:>12.2f}")
            coord = sum(p["phases"].get(ph, 0) for ph in ("graph", "partition", "link"))
            split = max(w["split"] for w in p["workers"])
            print(f"  coordinator phases (graph+partition+link) {coord:.2f}s + split in workers {split:.2f}s = "
                  f"{100 * (coord + split) / s['phases']['compile']:.1f}% of the serial compile "
                  f"({s['phases']['compile']:.2f}s)")
    if args.repeat > 1:
        se = [t["wall_s"] for t in serial]
        pe = [t["wall_s"] for t in parallel]
        ratios = [a / b for a, b in zip(se, pe)]
        print(f"median end to end: serial {statistics.median(se):.2f}s, parallel {statistics.median(pe):.2f}s, "
              f"speedup {statistics.median(se) / statistics.median(pe):.2f}x "
              f"(per-pair range {min(ratios):.2f}-{max(ratios):.2f}x)")


if __name__ == "__main__":
    main()
