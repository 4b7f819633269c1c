#!/usr/bin/env bash
# The speedup report on the Julia `plots` workload: synthesize it, emit it serially into
# one module, then bench that module (serial against 1 and 2 workers, 5 rounds; linked
# as a shared library, since the Julia runtime symbols stay undefined). About a minute.
#   benchmarks/bench_plots.sh [OUTDIR] [extra pcodegen bench options]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench-plots}"
shift || true
# the workload and module stay beside OUTDIR, so the report can be re-rendered later
pcodegen synth --preset plots -o "$out.json" >/dev/null
pcodegen emit "$out.json" -o "$out.bc" >/dev/null
pcodegen bench "$out.bc" --workers 1,2 --repeat 5 --opt 2 --link shared -o "$out" "$@"
