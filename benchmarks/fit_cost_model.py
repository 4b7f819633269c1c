#!/usr/bin/env python3
"""Fit pcodegen's calibrated cost model on profiles of real modules, and check it on a
module it was not fitted on.

1. Profile each module (`pcodegen profile MODULE -o DIR/NAME.profile.json`, skipped when
   the file is there): every partition the profile compiled is one row, its features
   (the sum over its units, `pcodegen.cost.features`) against its measured optimise +
   emit CPU seconds.
2. Fit non-negative least squares on the rows of all modules but the held-out one:
   seconds = per_partition_s + sum(coefficient x feature). Non-negative, so no feature
   can make code cheaper to compile.
3. Check: compile each module at 32 size-balanced partitions (`--cost size`), predict
   every partition's seconds with the model, and report R^2 (predicted against
   measured per partition) and the slowest partition's error, for the training
   modules and the held-out one; and the size rule's R^2 beside it.
4. Write the coefficients to pcodegen/data/cost_model.json (with what they were fitted
   on and the held-out figures) and the figures to benchmarks/results/cost-model/.

    python3 benchmarks/fit_cost_model.py [--hold-out lua] [--profiles DIR] [--parts 32]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bitcode_samples"))

from pcodegen.cost import FEATURES, MODEL_SCHEMA, features  # noqa: E402
from pcodegen.ir.load import load_module  # noqa: E402


def modules() -> dict[str, Path]:
    import build  # noqa: E402 - the samples' build script

    out = {"sqlite": build.build_sqlite(build.DEFAULT_OUT, verify=False),
           "jsonlab": build.build_cpp(build.DEFAULT_OUT), "traitlab": build.build_rust(build.DEFAULT_OUT)}
    for name in ("lua", "brotli", "zstd"):
        builder = getattr(build, f"build_{name}", None)
        if builder is not None:
            out[name] = builder(build.DEFAULT_OUT)
    return out


def pcodegen(*args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "pcodegen", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"pcodegen {' '.join(args)} failed: {proc.stderr.strip()[-500:]}")
    return proc


def unit_features(path: Path) -> dict[str, Counter]:
    return {n: features(e.text) for n, e in load_module(path).ir.entities.items()}


def row(feats: dict[str, Counter], members: list[str]) -> list[float]:
    total: Counter = Counter()
    for m in members:
        total.update(feats.get(m, {}))
    return [1.0] + [float(total.get(f, 0.0)) for f in FEATURES]


def profile_rows(prof: dict, feats: dict[str, Counter]) -> tuple[list[list[float]], list[float]]:
    members = {u["name"]: u["members"] for u in prof["units"]}
    xs, ys = [], []
    for part in prof["partitions"]:
        xs.append(row(feats, [m for name in part["units"] for m in members[name]]))
        ys.append(part["optimize_s"] + part["emit_s"])
    return xs, ys


def r2(pred: list[float], meas: list[float]) -> float:
    y, p = np.array(meas), np.array(pred)
    ss = float(((y - y.mean()) ** 2).sum())
    return 1.0 - float(((y - p) ** 2).sum()) / ss if ss else 0.0


def check(name: str, path: Path, coef: np.ndarray, feats: dict[str, Counter], parts: int, tmp: Path) -> dict:
    out = tmp / f"{name}-check"
    pcodegen("compile", str(path), "--parts", str(parts), "--workers", "2", "--cost", "size", "-o", str(out))
    report = json.loads((out / "report.json").read_text())
    members = report["plan"]["members"]
    meas = [w["cpu"]["optimize"] + w["cpu"]["emit"] for w in report["timings"]["workers"]]
    pred = [float(np.dot(coef, row(feats, ms))) for ms in members]
    sizes = report["plan"]["metrics"]["partition_costs"]
    rate = sum(meas) / sum(sizes)
    slow = int(np.argmax(meas))
    return {"module": name, "partitions": len(meas), "r2": r2(pred, meas), "size_rule_r2": r2([s * rate for s in sizes], meas),
            "slowest_measured_s": meas[slow], "slowest_predicted_s": pred[slow],
            "slowest_error": (pred[slow] - meas[slow]) / meas[slow], "total_measured_s": sum(meas),
            "total_predicted_s": sum(pred)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hold-out", default="lua", help="module left out of the fit and checked [default: lua]")
    ap.add_argument("--profiles", type=Path, default=ROOT / "bitcode_samples" / "build" / "profiles")
    ap.add_argument("--parts", type=int, default=32)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "cost-model")
    ap.add_argument("--model", type=Path, default=ROOT / "pcodegen" / "data" / "cost_model.json")
    args = ap.parse_args()
    mods = modules()
    if args.hold_out not in mods:
        sys.exit(f"--hold-out {args.hold_out}: no such module here (have {', '.join(mods)})")
    args.profiles.mkdir(parents=True, exist_ok=True)
    feats, rows = {}, {}
    for name, path in mods.items():
        prof_path = args.profiles / f"{name}.profile.json"
        if not prof_path.exists():
            print(f"profiling {name} ...", flush=True)
            pcodegen("profile", str(path), "-o", str(prof_path), "--workers", "2")
        feats[name] = unit_features(path)
        rows[name] = profile_rows(json.loads(prof_path.read_text()), feats[name])
    train = [n for n in mods if n != args.hold_out]
    x = np.array([r for n in train for r in rows[n][0]])
    y = np.array([v for n in train for v in rows[n][1]])
    scale = np.maximum(x.max(axis=0), 1e-9)  # fit on scaled columns, report in natural units
    coef_scaled, _ = nnls(x / scale, y)
    coef = coef_scaled / scale
    with tempfile.TemporaryDirectory(prefix="pcg-fit-") as tmp:
        checks = [check(n, mods[n], coef, feats[n], args.parts, Path(tmp)) for n in [args.hold_out, *train]]
    held = checks[0]
    model = {"schema": MODEL_SCHEMA, "opt": 2, "unit": "seconds of optimise + emit CPU on the machine it was fitted on",
             "per_partition_s": float(coef[0]),
             "coefficients": {f: float(c) for f, c in zip(FEATURES, coef[1:]) if c > 0},
             "fitted_on": train, "rows": int(len(y)),
             "held_out": {k: held[k] for k in ("module", "partitions", "r2", "slowest_error")}}
    args.model.write_text(json.dumps(model, indent=2, sort_keys=True) + "\n")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({"model": model, "checks": checks}, indent=2, sort_keys=True) + "\n")
    lines = ["# The calibrated cost model", "",
             f"`python3 benchmarks/fit_cost_model.py --hold-out {args.hold_out} --parts {args.parts}`: fitted on the "
             f"profiles of {', '.join(train)} ({len(y)} partitions), checked on {args.parts} size-balanced partitions "
             "of each module (R^2: predicted against measured optimise + emit CPU seconds per partition; the size "
             "rule's R^2 is its best linear fit, cost x the module's own mean rate).", "",
             "| module | role | partitions | model R^2 | size rule R^2 | slowest partition: measured s | predicted s | error |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for c in checks:
        role = "held out" if c["module"] == args.hold_out else "fitted on"
        lines.append(f"| {c['module']} | {role} | {c['partitions']} | {c['r2']:.3f} | {c['size_rule_r2']:.3f} | "
                     f"{c['slowest_measured_s']:.2f} | {c['slowest_predicted_s']:.2f} | {c['slowest_error']:+.0%} |")
    lines += ["", "Coefficients (seconds per count; per_partition_s once per partition):", "",
              *(f"- {k}: {v:.3g}" for k, v in [("per_partition_s", model["per_partition_s"]), *sorted(model["coefficients"].items())]), ""]
    (args.out / "results.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
