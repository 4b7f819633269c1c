#!/usr/bin/env python3
"""Run experiment definitions (experiments/*.toml) through the real CLI.

    python experiments/run.py                      # every definition except glmakie ones
    python experiments/run.py approach2-glmakie    # one definition (both modes)
    python experiments/run.py --all                # everything, glmakie included (minutes)
    python experiments/run.py --list

Each definition runs `pcodegen experiment NAME --preset P [--fixed] ...` once per mode
and writes each verdict to OUTDIR/<definition>-<mode>.json (default
experiments/results/). Prints one line per run; exit 0 when every run's verdict is ok
(the failure reproduced in failing mode, success in fixed mode).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, from PyPI (pcodegen[test] installs it)
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FLAGS = {"workers": "--workers", "parts": "--parts", "threads": "--threads", "opt": "--opt", "bound_s": "--bound"}


def definitions() -> dict[str, dict]:
    return {p.stem: tomllib.loads(p.read_text()) for p in sorted(HERE.glob("*.toml"))}


def command(defn: dict, mode: str, out: Path) -> list[str]:
    cmd = [sys.executable, "-m", "pcodegen", "experiment", defn["experiment"], "--preset", defn["preset"],
           "--seed", str(defn.get("seed", 0)), "-o", str(out), "--json"]
    if mode == "fixed":
        cmd.append("--fixed")
    for key, value in defn.get("options", {}).items():
        if key in FLAGS and not (key == "workers" and defn["experiment"] != "approach2"):
            cmd += [FLAGS[key], str(value)]
    return cmd


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="definition names (file stems); default: all but glmakie")
    ap.add_argument("--all", action="store_true", help="include the glmakie definitions")
    ap.add_argument("--list", action="store_true", help="list the definitions and exit")
    ap.add_argument("--mode", choices=["failing", "fixed"], default=None, help="run only this mode")
    ap.add_argument("--outdir", default=str(HERE / "results"))
    args = ap.parse_args()

    defs = definitions()
    if args.list:
        for name, d in defs.items():
            print(f"{name:24} {d['experiment']} on {d['preset']}: failing -> {d['expect']['failing']}")
        return 0
    unknown = [n for n in args.names if n not in defs]
    if unknown:
        print(f"unknown definition(s): {', '.join(unknown)}; see --list", file=sys.stderr)
        return 2
    names = args.names or [n for n, d in defs.items() if args.all or d["preset"] != "glmakie"]
    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    all_ok = True
    for name in names:
        defn = defs[name]
        for mode in [args.mode] if args.mode else defn.get("modes", ["failing", "fixed"]):
            out = outdir / f"{name}-{mode}.json"
            t0 = time.perf_counter()
            proc = subprocess.run(command(defn, mode, out), cwd=ROOT, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            try:
                verdict = json.loads(proc.stdout)
            except json.JSONDecodeError:
                verdict = {"ok": False, "outcome": "no verdict", "summary": proc.stderr.strip()[-300:]}
            ok = proc.returncode == 0 and verdict.get("ok")
            all_ok &= bool(ok)
            print(f"{'ok  ' if ok else 'FAIL'} {name:22} {mode:7} {wall:7.1f}s  {verdict.get('outcome')}: "
                  f"{verdict.get('summary', '')[:160]}", flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
