#!/usr/bin/env python3
"""The longer differential-fuzzing run: N random modules (default 2000, random seed),
each built serially and in parallel with a random strategy, partition count (1-8) and
optimisation level (0-2), compared by behaviour and by the validator.

Shapes: `lib` (`f(i64, i64)` functions in a shared library, called through ctypes),
`cxx` (C++/Rust-shaped programs: constructors and destructors, comdats, aliases,
thread-locals, exceptions, sections; linked as executables and run), or `both`.

Every example runs to the end (no shrinking); the run prints how many were tried, the
counts of behavioural mismatches (split bugs the validator flagged, and validator
misses), validator false positives and partitioned builds that failed, and keeps the
first failing modules' IR in --keep. Exit 1 if any mismatch, miss or false positive.

    python3 benchmarks/fuzz_long.py [--examples 2000] [--shape lib|cxx|both] [--seed S] [--keep DIR]
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

# The differential fuzzer is a test helper: tests/helpers/fuzz.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers.fuzz import (FuzzFailure, SplitBug, ValidatorFalsePositive, ValidatorMiss, build_cxx_ir,  # noqa: E402
                          build_ir, check_library, check_program_build, cxx_specs, module_specs)
from pcodegen.partition import STRATEGIES  # noqa: E402

KEEP_AT_MOST = 20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--shape", choices=("lib", "cxx", "both"), default="both")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--keep", type=Path, default=None, help="directory for failing modules (IR and verdict)")
    ap.add_argument("--quiet", action="store_true", help="no line per failure")
    args = ap.parse_args()
    tried: collections.Counter = collections.Counter()
    outcomes: collections.Counter = collections.Counter()
    first: dict[str, str] = {}
    seen: set[int] = set()
    work = Path(tempfile.mkdtemp(prefix="pcg-fuzz-"))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    shapes = ("lib", "cxx") if args.shape == "both" else (args.shape,)
    shape_st = st.sampled_from(shapes)

    @seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(shape=shape_st, data=st.data(), strategy=st.sampled_from(sorted(STRATEGIES)), parts=st.integers(1, 8),
           opt=st.integers(0, 2))
    def run(shape: str, data, strategy: str, parts: int, opt: int) -> None:
        if shape == "lib":
            spec = data.draw(module_specs())
            text, check = build_ir(spec), check_library
        else:
            spec = data.draw(cxx_specs())
            text, check = build_cxx_ir(spec), check_program_build
        tried["examples"] += 1
        tried[shape] += 1
        tried[strategy] += 1
        tried["functions"] += len(spec.functions if shape == "lib" else spec.base.functions)
        distinct = hash((text, strategy, parts, opt))
        tried["distinct"] += distinct not in seen
        seen.add(distinct)
        case = Path(tempfile.mkdtemp(dir=work))
        try:
            check(text, case, strategy, parts, opt).raise_if_failed()
            outcomes["pass"] += 1
        except FuzzFailure as exc:
            kind = {SplitBug: "split bug", ValidatorMiss: "validator miss",
                    ValidatorFalsePositive: "false positive"}.get(type(exc), "failure")
            if kind == "split bug" and "partitioned build failed" in str(exc):
                kind = "build failed"
            outcomes[kind] += 1
            outcomes[f"{kind} ({shape})"] += 1
            first.setdefault(kind, str(exc).splitlines()[0][:400])
            n = sum(v for k, v in outcomes.items() if k != "pass" and "(" not in k)
            if not args.quiet:
                print(f"[{tried['examples']}] {kind}: {str(exc).splitlines()[0][:300]}", flush=True)
            if args.keep and n <= KEEP_AT_MOST:
                (args.keep / f"fail{n:03d}.ll").write_text(text)
                (args.keep / f"fail{n:03d}.json").write_text(json.dumps(
                    {"kind": kind, "shape": shape, "strategy": strategy, "parts": parts, "opt": opt,
                     "message": str(exc)}, indent=2))
        finally:
            shutil.rmtree(case, ignore_errors=True)

    t0 = time.perf_counter()
    try:
        run()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    wall = time.perf_counter() - t0
    mismatches = outcomes["split bug"] + outcomes["validator miss"]
    print(f"seed {args.seed}, shape {args.shape}: {tried['examples']} examples ({tried['distinct']} distinct, "
          f"{tried['functions']} f functions) in {wall:.0f}s")
    print(f"passed {outcomes['pass']}; behavioural mismatches {mismatches} (validator flagged "
          f"{outcomes['split bug']}, validator misses {outcomes['validator miss']}); "
          f"validator false positives {outcomes['false positive']}; partitioned builds failed "
          f"{outcomes['build failed']}")
    print("per shape: " + ", ".join(f"{s} {tried[s]}" for s in shapes))
    print("per strategy: " + ", ".join(f"{k} {v}" for k, v in sorted(tried.items()) if k in STRATEGIES))
    for kind, msg in first.items():
        print(f"first {kind}: {msg}")
    bad = mismatches + outcomes["false positive"] + outcomes["build failed"] + outcomes["failure"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
