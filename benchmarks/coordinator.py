#!/usr/bin/env python3
"""Where a parallel build's time goes, module by module: the coordinator's steps, the
workers' steps, and the coordinator's critical path (wall time while no worker runs).

For each module, a serial build and a parallel build run one after the other, each in a
fresh `pcodegen compile` process, `--repeat` times (S P S P ...); the median of each
figure is shown. Coordinator steps are wall seconds (load = parse + print + cut, the
verifier running beside them in a forked child); worker steps are CPU seconds summed
over all partitions, beside the serial build's own parse, optimise and emit CPU seconds,
so the extra work a partitioned build does shows directly.

    python3 benchmarks/coordinator.py [MODULE ...] [--workers 2] [--parts auto] [--cost model]
        [--repeat 1] [--out benchmarks/results/coordinator]

Without modules: the SQLite, SQLite -g, C++ (jsonlab) and Rust (traitlab) samples from
bitcode_samples/ (built on first use). Writes results.json and results.md to --out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("split", "parse", "optimize", "emit")


def compile_once(src: Path, out: Path, serial: bool, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, "-m", "pcodegen", "compile", str(src), "-o", str(out), "--opt", str(args.opt)]
    cmd += ["--serial"] if serial else ["--workers", str(args.workers), "--parts", args.parts, "--cost", args.cost]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {(proc.stderr.strip().splitlines() or ['no output'])[-1]}")
    t = json.loads((out / "report.json").read_text())["timings"]
    cpu = {k: sum(w.get("cpu", {}).get(k, 0.0) for w in t["workers"]) for k in STEPS}
    if serial:  # the serial build parses in the coordinator (its load phase)
        cpu["parse"] = t["phases"].get("load", 0.0)
    return {"wall_s": t["wall_s"], "critical_path_s": t.get("critical_path_s", t["wall_s"]),
            "phases": t["phases"], "load_steps": t.get("load_steps", {}), "overlapped": t.get("overlapped_phases", {}),
            "worker_cpu_s": cpu, "coordinator_cpu_s": t["coordinator_cpu_s"],
            "parts": len(t["workers"])}


def median_of(runs: list[dict]) -> dict:
    """Figure by figure medians of several runs of one build."""
    def med(get) -> float:
        return statistics.median(get(r) for r in runs)
    out = {"wall_s": med(lambda r: r["wall_s"]), "critical_path_s": med(lambda r: r["critical_path_s"]),
           "coordinator_cpu_s": med(lambda r: r["coordinator_cpu_s"]), "parts": runs[0]["parts"]}
    for key in ("phases", "load_steps", "overlapped", "worker_cpu_s"):
        names = sorted({k for r in runs for k in r[key]})
        out[key] = {k: med(lambda r, k=k: r[key].get(k, 0.0)) for k in names}
    return out


def default_modules() -> list[Path]:
    sys.path.insert(0, str(ROOT / "bitcode_samples"))
    import build  # noqa: E402 - the samples' build script

    return [build.build_sqlite(build.DEFAULT_OUT, verify=False),
            build.build_sqlite(build.DEFAULT_OUT, verify=False, debug=True),
            build.build_cpp(build.DEFAULT_OUT), build.build_rust(build.DEFAULT_OUT)]


def table(rows: list[dict], workers: int) -> list[str]:
    out = [f"| module | serial s | {workers} workers s | speedup | parts | critical path s (% of serial) | "
           "load: parse / print / cut s | graph s | partition s | workers CPU s: split / parse / optimise / emit "
           "| serial CPU s: parse / optimise / emit |",
           "|" + " --- |" * 11]
    for r in rows:
        s, p = r["serial"], r["parallel"]
        ls, ph, wc, sc = p["load_steps"], {**p["phases"], **p["overlapped"]}, p["worker_cpu_s"], s["worker_cpu_s"]
        out.append(
            f"| {r['module']} | {s['wall_s']:.2f} | {p['wall_s']:.2f} | {s['wall_s'] / p['wall_s']:.2f}x | {p['parts']} | "
            f"{p['critical_path_s']:.2f} ({p['critical_path_s'] / s['wall_s']:.1%}) | "
            f"{ls.get('parse', 0):.2f} / {ls.get('print', 0):.2f} / {ls.get('cut', 0):.2f} | "
            f"{ph.get('graph', 0):.2f} | {ph.get('partition', 0):.2f}"
            f"{' beside' if 'partition' in p['overlapped'] and 'partition' not in p['phases'] else ''} | "
            f"{wc['split']:.2f} / {wc['parse']:.2f} / {wc['optimize']:.2f} / {wc['emit']:.2f} | "
            f"{sc['parse']:.2f} / {sc['optimize']:.2f} / {sc['emit']:.2f} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("modules", nargs="*", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--parts", default="auto")
    ap.add_argument("--opt", type=int, default=2)
    ap.add_argument("--cost", default="model", help="the parallel builds' cost rule [default: model, compile's default]")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "coordinator")
    args = ap.parse_args()
    modules = args.modules or default_modules()
    rows = []
    with tempfile.TemporaryDirectory(prefix="pcg-coord-") as tmp:
        for src in modules:
            runs: dict[str, list[dict]] = {"serial": [], "parallel": []}
            for i in range(args.repeat):
                for mode in ("serial", "parallel"):
                    runs[mode].append(compile_once(src, Path(tmp) / f"{src.stem}-{mode}-{i}", mode == "serial", args))
            row = {"module": src.name, **{m: median_of(r) for m, r in runs.items()}}
            rows.append(row)
            print("\n".join(table([row], args.workers)[2:]), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    doc = {"workers": args.workers, "parts": args.parts, "cost": args.cost, "opt": args.opt, "repeat": args.repeat,
           "modules": rows}
    (args.out / "results.json").write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    md = ["# Where a parallel build's time goes", "",
          f"`python3 benchmarks/coordinator.py --workers {args.workers} --parts {args.parts} --cost {args.cost} "
          f"--repeat {args.repeat}` "
          f"(O{args.opt}; medians of {args.repeat} run(s) per build). Wall seconds end to end from the compile reports, "
          "load to write; the critical path is the wall time while no worker runs; worker steps are CPU seconds "
          "summed over all partitions, beside what the serial build spends on the same steps. A partition time "
          "marked beside ran while the first partitions compiled (they were known before the plan), off the "
          "critical path.", "",
          *table(rows, args.workers), ""]
    (args.out / "results.md").write_text("\n".join(md))
    print(f"wrote {args.out}/results.json and results.md")


if __name__ == "__main__":
    main()
