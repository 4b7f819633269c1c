#!/usr/bin/env bash
# Scaling on a machine with many cores, in one prepared run: the system image (synth
# --preset sysimage, emitted here) and SQLite, each benched at 1, 4 and 16 workers on the
# same `--parts auto` plan, so every build's partition times predict the others.
# Prints each bench's --json headline; keeps its results.json, report.md and plots as
# OUTDIR/{sqlite,sysimage}-* (7 files); the objects are deleted. On the 16 cores lent on
# 2026-11-30 (about half as fast each as the 2-core development machine) SQLite took 2.5
# minutes and the full system image would take over 10 (serial build about 290 s):
# SCALE 0.25 took 2.5 minutes.
#   benchmarks/many_cores.sh OUTDIR SQLITE_BC [WORKERS] [SCALE]
set -euo pipefail
out="$1"; sqlite="$2"; workers="${3:-1,4,16}"; scale="${4:-1}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pcg() { python3 -m pcodegen "$@"; }
keep() {  # keep NAME BENCHDIR FILE...: the figures, flat under OUTDIR
    local name="$1" dir="$2"; shift 2
    for f in "$@"; do
        if [ -f "$dir/$f" ]; then cp "$dir/$f" "$out/$name-$f"; fi
    done
    rm -rf "$dir"
}
echo "== $(nproc) cores, $(python3 --version), $(date -u +%FT%TZ)"
pcg bench "$sqlite" --workers "$workers" --parts auto --repeat 1 --link none -q \
    -o "$work/sqlite" --json
keep sqlite "$work/sqlite" results.json report.md gantt.png
pcg synth --preset sysimage --scale "$scale" -o "$work/sysimage.json" > /dev/null
pcg emit "$work/sysimage.json" -o "$work/sysimage.bc"
pcg bench "$work/sysimage.bc" --workers "$workers" --parts auto --repeat 1 --link none -q \
    -o "$work/sysimage" --json
keep sysimage "$work/sysimage" results.json report.md speedup.png gantt.png
echo "== done $(date -u +%FT%TZ)"
