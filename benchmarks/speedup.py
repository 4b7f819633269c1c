#!/usr/bin/env python3
"""Serial against parallel compilation of one module (default: the SQLite bitcode).

Each build runs in a fresh Python process, serial and parallel alternating (S P S P ...),
so drift on a noisy machine hits both alike. A build is timed end to end from reading
the input to the linked executable; the phases come from report.json. Prints one table
per run and the ratio of medians.

    python3 benchmarks/speedup.py [MODULE] [--workers 2] [--parts 2] [--repeat 1] [--opt 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from pcodegen.combine import link_objects
from pcodegen.pipeline import CompileOptions, compile_parallel, compile_serial, object_paths, write_outputs
mode, src, out, parts, workers, opt, strategy, link_args = sys.argv[1:9]
opts = CompileOptions(parts=int(parts), workers=int(workers), opt=int(opt), strategy=strategy)
t1 = time.perf_counter()
run = (compile_serial if mode == "serial" else compile_parallel)(src, opts)
write_outputs(run, Path(out))
t2 = time.perf_counter()
link_objects(object_paths(Path(out)), Path(out) / "a.out", "exe", json.loads(link_args))
t3 = time.perf_counter()
rep = json.loads((Path(out) / "report.json").read_text())
rep["timings"]["phases"]["link"] = t3 - t2
rep["timings"]["end_to_end_s"] = t3 - t1
rep["timings"]["import_s"] = t1 - t0
print(json.dumps({"timings": rep["timings"], "plan": rep["plan"]}))
"""


def run_one(mode: str, src: Path, tmp: Path, args: argparse.Namespace, link_args: list[str]) -> dict:
    out = tmp / f"{mode}-{time.monotonic_ns()}"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(src), str(out), str(args.parts), str(args.workers), str(args.opt),
         args.strategy, json.dumps(link_args)],
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{mode} build failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("module", nargs="?", help="input .bc/.ll [default: bitcode_samples/build/sqlite.bc]")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--parts", type=int, default=2)
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
            serial.append(run_one("serial", src, Path(tmp), args, link_args)["timings"])
            par = run_one("parallel", src, Path(tmp), args, link_args)
            parallel.append(par["timings"])
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
            print(f"  {'end to end':<24}{s['end_to_end_s']:>10.2f}{p['end_to_end_s']:>12.2f}"
                  f"   speedup {s['end_to_end_s'] / p['end_to_end_s']:.2f}x")
            print(f"  {'total CPU':<24}{s['serial_equivalent_cpu_s']:>10.2f}{p['serial_equivalent_cpu_s']:>12.2f}")
            coord = sum(p["phases"].get(ph, 0) for ph in ("graph", "partition", "link"))
            split = max(w["split"] for w in p["workers"])
            print(f"  coordinator phases (graph+partition+link) {coord:.2f}s + split in workers {split:.2f}s = "
                  f"{100 * (coord + split) / s['phases']['compile']:.1f}% of the serial compile "
                  f"({s['phases']['compile']:.2f}s)")
    if args.repeat > 1:
        se = [t["end_to_end_s"] for t in serial]
        pe = [t["end_to_end_s"] for t in parallel]
        ratios = [a / b for a, b in zip(se, pe)]
        print(f"median end to end: serial {statistics.median(se):.2f}s, parallel {statistics.median(pe):.2f}s, "
              f"speedup {statistics.median(se) / statistics.median(pe):.2f}x "
              f"(per-pair range {min(ratios):.2f}-{max(ratios):.2f}x)")


if __name__ == "__main__":
    main()
