#!/usr/bin/env python3
"""The longer differential-fuzzing run: N random modules (default 2000, random seed),
each built serially and in parallel with a random strategy, partition count and
optimisation level; prints how many were tried, how long it took, and any mismatch
with hypothesis's shrunk example.

    python3 benchmarks/fuzz_long.py [--examples 2000] [--seed S]
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from pcodegen.fuzz import build_ir, differential_check, module_specs
from pcodegen.partition import STRATEGIES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    tried: collections.Counter = collections.Counter()
    work = Path(tempfile.mkdtemp(prefix="pcg-fuzz-"))

    @seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(spec=module_specs(), strategy=st.sampled_from(sorted(STRATEGIES)), parts=st.integers(1, 8),
           opt=st.integers(0, 2))
    def run(spec, strategy: str, parts: int, opt: int) -> None:
        tried["examples"] += 1
        tried[strategy] += 1
        tried["functions"] += len(spec.functions)
        case = Path(tempfile.mkdtemp(dir=work))
        try:
            differential_check(build_ir(spec), case, strategy, parts, opt)
        finally:
            shutil.rmtree(case, ignore_errors=True)

    t0 = time.perf_counter()
    try:
        run()
        verdict = "no mismatch"
    except AssertionError as exc:
        verdict = f"MISMATCH: {str(exc).splitlines()[0]}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    wall = time.perf_counter() - t0
    per = {k: v for k, v in sorted(tried.items()) if k in STRATEGIES}
    print(f"seed {args.seed}: {tried['examples']} examples ({tried['functions']} functions) in {wall:.0f}s: {verdict}")
    print("per strategy: " + ", ".join(f"{k} {v}" for k, v in per.items()))
    sys.exit(0 if verdict == "no mismatch" else 1)


if __name__ == "__main__":
    main()
