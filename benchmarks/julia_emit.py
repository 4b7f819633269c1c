#!/usr/bin/env python3
"""Serial vs parallel emit+compile of a Julia-style workload (default: GLMakie's).

Builds the serial reference library (one process, one context) and the fixed
approach-2 library (workers emit their partitions in their own contexts, the
coordinator merges their codegen state, workers compile), checks the parallel
library's symbols against the serial one, loads both with the real dynamic loader
and compares every entry point's results. Prints one JSON object: wall times per
phase, CPU seconds, and the checks.

    python benchmarks/julia_emit.py [--preset glmakie] [--workers 2] [--repeat 1] [-o out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pcodegen.julia.build import build_parallel, build_serial, compare_results, exported_names, run_entries, validate_library  # noqa: E402
from pcodegen.julia.presets import synthesize  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="glmakie")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--parts", type=int, default=None, help="partitions [default: workers]")
    ap.add_argument("--opt", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("-o", "--output", default=None)
    args = ap.parse_args()

    workload = synthesize(args.preset, args.seed)
    stats = workload.stats().to_dict()
    serial_runs, parallel_runs = [], []
    checks: dict = {}
    with tempfile.TemporaryDirectory(prefix="pcodegen-bench-") as tmp:
        work = Path(tmp)
        for r in range(args.repeat):
            serial = build_serial(workload, work / f"serial{r}", args.opt)
            serial_runs.append({"timings": serial.timings, "cpu_s": serial.cpu_s})
            par = build_parallel(workload, work / f"parallel{r}", args.parts or args.workers, args.workers, args.opt)
            parallel_runs.append({"timings": par.timings, "cpu_s": par.cpu_s})
        reference = serial.symbol_tables()["serial"]
        report = validate_library(par, reference)
        par_exported = set().union(*(exported_names(t) for t in par.symbol_tables().values()))
        entries = [serial.names[ci.id] for ci in workload.compiled()]
        t0 = time.perf_counter()
        run_s = run_entries(serial.path, entries)
        run_p = run_entries(par.path, entries)
        checks = {
            "validator_ok": report.ok,
            "validator_problems": report.lines()[:5],
            "names_match_serial": par_exported == exported_names(reference),
            "serial_loaded": run_s["loaded"],
            "parallel_loaded": run_p["loaded"],
            "loader_error": run_p["error"] or run_s["error"],
            "run_s": round(time.perf_counter() - t0, 2),
        }
        if run_s["loaded"] and run_p["loaded"]:
            checks["behaviour"] = compare_results(entries, run_s["results"], run_p["results"])
        merged = par.merged.to_dict() if par.merged else None

    def med(runs: list[dict], key: str) -> float:
        return round(statistics.median(r["timings"][key] for r in runs), 3)

    serial_wall = med(serial_runs, "emit_and_compile_wall")
    parallel_wall = round(statistics.median(r["timings"]["emit"] + r["timings"]["merge"] + r["timings"]["compile"]
                                            for r in parallel_runs), 3)
    result = {
        "preset": args.preset, "seed": args.seed, "workers": args.workers, "parts": args.parts or args.workers,
        "opt": args.opt, "repeat": args.repeat, "cores": os.cpu_count(), "load_average": os.getloadavg(),
        "workload": stats,
        "emit_compile_wall_s": {"serial": serial_wall, "parallel": parallel_wall,
                                "speedup": round(serial_wall / parallel_wall, 3)},
        "serial": {"emit_s": med(serial_runs, "emit"), "compile_s": med(serial_runs, "compile"),
                   "link_s": med(serial_runs, "link"), "total_s": med(serial_runs, "total"),
                   "cpu_s": round(statistics.median(r["cpu_s"] for r in serial_runs), 3)},
        "parallel": {"emit_s": med(parallel_runs, "emit"), "merge_s": med(parallel_runs, "merge"),
                     "compile_s": med(parallel_runs, "compile"), "link_s": med(parallel_runs, "link"),
                     "total_s": med(parallel_runs, "total"),
                     "cpu_s": round(statistics.median(r["cpu_s"] for r in parallel_runs), 3)},
        "merged_state": merged,
        "checks": checks,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    ok = checks["validator_ok"] and checks["names_match_serial"] and checks.get("behaviour", {}).get("mismatches") == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
