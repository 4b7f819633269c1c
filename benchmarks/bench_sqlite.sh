#!/usr/bin/env bash
# The speedup report on SQLite: serial against 1 and 2 workers, 3 interleaved rounds, each
# build linked into a working sqlite3 shell. Writes bench-sqlite/{results.json,report.md,*.png}.
# Takes a few minutes on 2 cores (serial O2 ~25 s a build).
#   benchmarks/bench_sqlite.sh [OUTDIR] [extra pcodegen bench options, e.g. --workers 1,2,4]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench-sqlite}"
shift || true
python3 bitcode_samples/build.py sqlite >/dev/null
exec pcodegen bench bitcode_samples/build/sqlite.bc --workers 1,2 --repeat 3 --opt 2 \
    --link exe --link-arg=-lm -o "$out" "$@"
