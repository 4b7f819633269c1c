"""report.md for `pcodegen bench`: a page to paste into a pull request. Everything in it
comes from the results document (results.json), so it can be re-rendered:

    python3 -c "import json,sys; from pcodegen.report import render_markdown; \\
        print(render_markdown(json.load(open(sys.argv[1]))))" OUTDIR/results.json
"""

from __future__ import annotations

from typing import Any

from pcodegen.cost import cost_unit

PHASE_LABELS = {
    "load": "load (read, parse, verify, cut)",
    "graph": "graph",
    "plan early": "plan early (partitions certain before the plan)",
    "partition": "partition",
    "split": "split in the coordinator",
    "compile": "compile (workers; wall)",
    "validate": "validate symbols",
    "write": "write objects",
    "link": "link (system linker)",
}
HEADLINE_WORKERS = (8, 16, 64)


def _s(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _mib(kb: float | None) -> str:
    return "–" if kb is None else f"{kb / 1024:,.0f}"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:+.1f}%"


def _table(head: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    align = align or "l" + "r" * (len(head) - 1)
    sep = ["---:" if a == "r" else ":---" for a in align]
    return ["| " + " | ".join(head) + " |", "| " + " | ".join(sep) + " |",
            *("| " + " | ".join(r) + " |" for r in rows), ""]


def machine_busy(results: dict, below: float = 0.9) -> float | None:
    """The lowest median CPU share of any build, if it is below `below` (else None)."""
    shares = [c["summary"]["cpu_share"]["median"] for c in results["configs"]
              if c.get("summary") and "cpu_share" in c["summary"]]
    return min(shares) if shares and min(shares) < below else None


def headline(results: dict) -> dict[str, Any]:
    """The figures a closing note quotes: best measured speedup and its spread, the
    Amdahl serial fraction, predicted speedups at 8/16/64 workers, predictor errors."""
    cfgs = [c for c in results["configs"] if c["mode"] == "parallel" and c.get("summary")]
    if not cfgs:
        return {}
    # the most workers measured (best speedup among those): what the parallel build buys here
    best = max(cfgs, key=lambda c: (c["summary"]["workers_used"], c["summary"].get("speedup", {}).get("median") or 0))
    groups = results["prediction"]["groups"]
    group = next((g for g in groups if best["id"] in g["configs"]), groups[0] if groups else None)
    out: dict[str, Any] = {"config": best["id"], "label": best["label"], "speedup": best["summary"].get("speedup"),
                           "wall_s": best["summary"]["wall_s"],
                           "speedup_dedicated": best["summary"].get("speedup_dedicated"),
                           "busy": machine_busy(results)}
    if group:
        out["serial_fraction"] = (group.get("amdahl") or {}).get("serial_fraction")
        out["serial_fraction_dedicated"] = (group.get("amdahl_dedicated") or {}).get("serial_fraction")
        # what more cores buy: the curve that adds partitions with workers, where there is one
        scaling = next((g for g in groups if g["parts_spec"] == "workers" and g["strategy"] == group["strategy"]),
                       group)
        curve = {r["workers"]: r for r in scaling.get("curve", [])}
        out["predicted_speedup"] = {w: curve[w]["speedup"] for w in HEADLINE_WORKERS if w in curve}
        last = curve[max(curve)] if curve else {}
        if last.get("floor_s") is not None:
            out["predicted_floor"] = {"workers": last["workers"], "floor_s": last["floor_s"],
                                      "critical_unit": last.get("critical_unit"), "basis": last.get("basis")}
        rows = group["measured"]
        unique = len({r["workers"] for r in rows}) == len(rows)
        out["predictor_error"] = {(r["workers"] if unique else f"{r['workers']}w/{r['parts']}p"): r["error"]
                                  for r in rows}
    return out


def _r2(predicted: list[float], measured: list[float]) -> float | None:
    """Coefficient of determination of `predicted` against `measured`; None for fewer
    than two points or no spread in what was measured."""
    if len(measured) < 2 or len(predicted) != len(measured):
        return None
    mean = sum(measured) / len(measured)
    total = sum((m - mean) ** 2 for m in measured)
    if total <= 0:
        return None
    return 1.0 - sum((m - p) ** 2 for m, p in zip(measured, predicted)) / total


def machine_figures(results: dict) -> dict[str, Any]:
    """`pcodegen bench --json`'s figures per measured build: `groups` (label, workers,
    parts, measured_s, predicted_s, partition_time_r2: each partition's predicted CPU
    seconds (the group's calibration on its plan costs) against its measured median CPU
    seconds (wall seconds in results without them), floor_s and
    critical_unit) and `predicted` (worker count -> predicted seconds, from the curve that
    adds partitions with workers where there is one)."""
    configs = {c["id"]: c for c in results["configs"]}
    plans = {(s["config"], s["round"]): s.get("plan") or {} for s in results["samples"] if s.get("config")}
    groups, curves = [], []
    for g in results["prediction"]["groups"]:
        cal = g.get("calibration") or {}
        curve = {r["workers"]: r for r in g.get("curve", [])}
        curves.append((g, curve))
        for row in g["measured"]:
            cfg = configs[row["config"]]
            summ = cfg.get("summary") or {}
            measured = list(summ.get("partition_cpu_median") or summ.get("partition_seconds_median") or [])
            plan = plans.get((cfg["id"], summ.get("representative_round")), {})
            costs = (plan.get("metrics") or {}).get("partition_costs") or []
            predicted = [cal.get("alpha_s", 0.0) + cal.get("beta_s_per_cost", 0.0) * c for c in costs]
            point = curve.get(row["workers"], {})
            groups.append({"label": cfg["label"], "config": cfg["id"], "workers": row["workers"], "parts": row["parts"],
                           "measured_s": row["measured_s"], "predicted_s": row["predicted_s"],
                           "partition_time_r2": _r2(predicted, measured),
                           "cost_rule": (plan.get("metrics") or {}).get("cost_rule"),
                           "floor_s": point.get("floor_s"), "critical_unit": point.get("critical_unit")})
    scaling = next((c for g, c in curves if g["parts_spec"] == "workers"), curves[0][1] if curves else {})
    out = {"groups": groups, "predicted": {w: r["wall_s"] for w, r in sorted(scaling.items())}}
    if any(c["mode"] == "warm" for c in results["configs"]):
        out["warm_cache"] = warm_cache_rows(results)
    return out


def _headline_lines(results: dict) -> list[str]:
    """The verdict, the Amdahl fraction and the predictions, in two sentences."""
    lines: list[str] = []
    h = headline(results)
    if h and h.get("speedup"):
        sp = h["speedup"]
        pred = ", ".join(f"{w} workers {v:.2f}×" for w, v in h.get("predicted_speedup", {}).items() if v)
        err = ", ".join((f"{w} worker{'s' if w > 1 else ''}" if isinstance(w, int) else str(w)) + f" {_pct(e)}"
                        for w, e in sorted(h.get("predictor_error", {}).items()))
        sf = h.get("serial_fraction")
        busy = h.get("busy")
        sfd = h.get("serial_fraction_dedicated")
        verdict = (f"{sp['median']:.2f}× faster than the serial build" if sp["median"] >= 1
                   else f"{1 / sp['median']:.2f}× slower than the serial build (speedup {sp['median']:.2f}×)")
        lines += [
            f"**{h['label']}: {verdict}** "
            + (f"(median of {h['wall_s']['n']} runs; per-run range {_s(sp['min'])}–{_s(sp['max'])}×)"
               if h['wall_s']['n'] > 1 else "(one run: no spread to show)")
            + (f"; {h['speedup_dedicated']:.2f}× corrected for the CPU time other processes took." if busy and
               h.get("speedup_dedicated") else "."),
            "",
            (f"Amdahl serial fraction {sf:.3f} (limit {1 / sf:.1f}× over one worker)" if sf else "")
            + (f", {sfd:.3f} corrected for the other load. " if busy and sfd is not None else ". " if sf else "")
            + (f"Predicted speedup: {pred}. " if pred else "")
            + (f"Predictor error on the measured runs: {err}." if err else ""),
            "",
        ]
    return lines


def _settings_lines(results: dict) -> list[str]:
    """What was measured, on what machine, how often."""
    inp, m, st = results["input"], results["machine"], results["settings"]
    lines: list[str] = []
    load0, load1 = m.get("loadavg_start") or [], m.get("loadavg_end") or []
    lines += [
        f"Input `{inp['path']}` ({inp['bytes']:,} bytes, sha256 `{inp['sha256'][:16]}…`), "
        f"O{st['opt']}, link `{st['link']}`{' ' + ' '.join(st['link_args']) if st['link_args'] else ''}, "
        f"executor `{st['executor']}`"
        + (f", memory budget {st['memory_budget'] / 2**20:.0f} MiB" if st.get("memory_budget") else "") + ".",
        f"Machine: {m['cores']} cores ({m['usable_cores']} usable), {m['cpu_model']}, "
        f"{m['memory_kb'] / 2**20:.0f} GiB; Python {m['python']}, llvmlite {m['llvmlite']} (LLVM {m['llvm']}). "
        f"Load average {load0[0] if load0 else '?'} at the start, {load1[0] if load1 else '?'} at the end.",
        f"Each build ran {st['repeat']}× (plus {st['warmup']} warm-up), interleaved, each in a fresh process; "
        "wall time runs from reading the input to the linked output.",
        "",
    ]
    return lines


def _busy_lines(results: dict) -> list[str]:
    """A warning when other load took CPU from the builds."""
    cfgs = results["configs"]
    lines: list[str] = []
    shares = [c["summary"]["cpu_share"]["median"] for c in cfgs if c.get("summary") and "cpu_share" in c["summary"]]
    if shares and min(shares) < 0.9:
        lines += [f"**The machine was busy**: the compiling processes got as little as {min(shares):.0%} of a core "
                  "(CPU time over wall time, median run of a build; 100% on an idle machine). Wall times and "
                  "speedups are inflated and spread by the other load; the CPU share column says by how much.", ""]
    return lines


def _speedup_lines(results: dict) -> list[str]:
    """The speedup table and how to read it."""
    cfgs = results["configs"]
    lines = ["## Speedup", ""]
    rows = []
    for c in cfgs:
        s = c.get("summary")
        if not s:
            continue
        sp = s.get("speedup") or {}
        w = s["wall_s"]
        rows.append([
            c["label"], f"{c['workers']}" + (f" → {s['workers_used']:g}" if s["workers_used"] != c["workers"]
                                            and c["mode"] != "serial" else ""),
            str(c["parts"] if c["mode"] != "serial" else "–"),
            _s(w["median"]), f"{_s(w['min'])}–{_s(w['max'])}",
            f"{_s(sp.get('median'))}×" if sp else "–",
            f"{_s(sp.get('min'))}–{_s(sp.get('max'))}×" if sp else "–",
            _s(s["cpu_total_s"]["median"]),
            f"{s['cpu_share']['median']:.0%}" if "cpu_share" in s else "–",
            f"{_s(s.get('wall_dedicated_s', {}).get('median'))} s, {_s(s.get('speedup_dedicated'))}×"
            if s.get("speedup_dedicated") else "–",
            "yes" if s["objects_identical_across_rounds"] else "**no**",
        ])
    lines += _table(["build", "workers", "parts", "wall s (median)", "min–max s", "speedup", "per-run range",
                     "CPU s (all processes)", "CPU share", "idle-machine estimate", "same objects every run"], rows,
                    "lrrrrrrrrrl")
    lines += [
        "Speedup is the serial median over the build's median; the range is over the rounds (each round's serial "
        "run against the same round's build). CPU is coordinator + workers + linker: a parallel build can do less "
        "work than the serial one (no inlining across partitions), so compare it before crediting the workers. "
        "CPU share: the compiling processes' CPU time over their wall time. "
        "Idle-machine estimate: each run's wall time less what other processes took from it (the coordinator's "
        "phases at its CPU time, the compile phase times the workers' CPU share), median, and the speedup from "
        "those.",
        "",
    ]
    return lines


def _memory_lines(results: dict) -> list[str]:
    """Peak memory per build: coordinator, workers, the processes alive at once."""
    rows = []
    spans = True
    for c in results["configs"]:
        m = (c.get("summary") or {}).get("memory")
        if not m:
            continue
        spans = spans and m["concurrent_basis"] != "upper bound: workers x largest"
        bound = "≤ " if m["concurrent_basis"] == "upper bound: workers x largest" else ""
        rows.append([c["label"], _mib(m["coordinator_peak_kb"]), _mib(m["worker_peak_kb"]), _mib(m["worker_own_kb"]),
                     bound + _mib(m["concurrent_peak_sum_kb"]), bound + _mib(m["concurrent_own_sum_kb"]),
                     _mib(m["estimate_kb"])])
    if not rows:
        return []
    budget = results["settings"].get("memory_budget")
    lines = ["## Memory", "", "Peak resident memory in MiB, the largest over a build's runs"
             + (f"; memory budget {budget / 2**20:,.0f} MiB" if budget else "") + ".", ""]
    lines += _table(["build", "coordinator peak", "worker peak", "worker own", "at once: sum of peaks",
                     "at once: coordinator + own", "budget's estimate"], rows)
    lines += ["*Worker peak*: the largest worker process's peak RSS, which counts the pages it shares with the "
              "coordinator after fork; *own* is that peak less the RSS its first task started with. *At once*: the "
              "coordinator's peak plus, for the workers running at the same time (from their tasks' start and end), "
              "each one's peak RSS (an upper bound of the summed RSS, shared pages counted once per process) or its "
              "own memory (shared pages counted once)"
              + ("" if spans else "; where a build has no task times, workers × the largest worker (≤)")
              + ". *Budget's estimate*: coordinator peak + workers × `pcodegen/parallel/budget.py`'s estimate for "
              "the largest partition, what `--memory-budget` must cover. The serial build is one process.", ""]
    return lines


def _phase_lines(results: dict) -> list[str]:
    """Median seconds per phase, the compile phase broken down."""
    cfgs = results["configs"]
    lines = [
        "## Where the time goes",
        "",
        "Median seconds per phase. The compile phase is the pool's wall time; the lines under it are the busiest "
        "worker's own phases in the median run, and the coordinator's phases that ran beside the first worker "
        "(a one-partition build; partitions known before the plan).",
        "",
    ]
    names = [c for c in cfgs if c.get("summary")]
    phase_keys = sorted({ph for c in names for ph in c["summary"]["phases_median_s"]},
                        key=lambda p: (list(PHASE_LABELS).index(p) if p in PHASE_LABELS else len(PHASE_LABELS), p))
    rows = []
    for ph in phase_keys:
        rows.append([PHASE_LABELS.get(ph, ph)] + [_s(c["summary"]["phases_median_s"].get(ph), 3) for c in names])
        if ph == "compile":
            for wp in ("split", "parse", "optimize", "serialize", "emit"):
                vals = []
                for c in names:
                    s = c["summary"]
                    if "lanes" in s:
                        vals.append(_s(s["lanes"]["critical_phases"].get(wp), 3))
                    else:
                        vals.append(_s(s.get("compile_phases_s", {}).get(wp), 3) if wp != "split" else "–")
                rows.append([f"&nbsp;&nbsp;↳ {wp}"] + vals)
            rows.append(["&nbsp;&nbsp;↳ pool: fork, transfer, waiting"] +
                        [_s(c["summary"]["lanes"]["pool_s"], 3) if "lanes" in c["summary"] else "–" for c in names])
            beside = sorted({ph for c in names for ph in c["summary"].get("beside_median_s", {})},
                            key=lambda p: (list(PHASE_LABELS).index(p) if p in PHASE_LABELS else len(PHASE_LABELS), p))
            for bp in beside:  # coordinator phases run while the first worker compiled
                rows.append([f"&nbsp;&nbsp;↳ {PHASE_LABELS.get(bp, bp)}, beside the first worker"] +
                            [_s(c["summary"].get("beside_median_s", {}).get(bp), 3) for c in names])
    rows.append(["**end to end**"] + [f"**{_s(c['summary']['wall_s']['median'], 3)}**" for c in names])
    lines += _table(["phase"] + [c["label"] for c in names], rows)

    return lines


def _cost_rule(results: dict) -> str:
    """The cost rule the bench's parallel builds planned by (bench outputs from before
    `--cost` existed: the size rule)."""
    return results["settings"].get("cost", "size")


def warm_cache_rows(results: dict) -> list[dict[str, Any]]:
    """Per warm-cache build (`bench --cache`): its median wall time against the same build
    cold, what the cache gave, and whether the objects were the cold build's."""
    out = []
    for c in results["configs"]:
        s = c.get("summary")
        if c["mode"] != "warm" or not s:
            continue
        cold = s.get("cold_wall_s")
        cache = s["cache"]
        out.append({"label": c["label"], "config": c["id"], "measured_s": s["wall_s"]["median"], "cold_s": cold,
                    "share_of_cold": s["wall_s"]["median"] / cold if cold else None,
                    "hits": cache["hits"], "misses": cache["misses"], "bytes_reused": cache["bytes_reused"],
                    "seconds_saved": cache["seconds_saved"],
                    "objects_identical_to_cold": s["objects_identical_to_cold"]})
    return out


def _warm_cache_lines(results: dict) -> list[str]:
    rows = warm_cache_rows(results)
    if not rows:
        return []
    lines = ["## Warm cache", "",
             f"Each parallel build again with its partition objects in a cache filled by one unmeasured build of its "
             f"own (`--cache {results['settings'].get('cache')}`): what an unchanged rebuild costs.", ""]
    lines += _table(["build", "wall s (median)", "of the cold build", "partitions reused", "MiB reused",
                     "compile CPU saved s", "same objects as the cold build"],
                    [[r["label"], _s(r["measured_s"]), f"{r['share_of_cold']:.0%}" if r["share_of_cold"] else "–",
                      f"{r['hits']:g} of {r['hits'] + r['misses']:g}", f"{r['bytes_reused'] / 2**20:.1f}",
                      _s(r["seconds_saved"]), "yes" if r["objects_identical_to_cold"] else "**no**"]
                     for r in rows], "lrrrrrl")
    lines += ["*Of the cold build*: the warm build's median wall time over the same build's without the cache "
              "(median). *Compile CPU saved*: the optimise and emit seconds the reused objects took when they were "
              "made.", ""]
    return lines


def _balance_lines(results: dict) -> list[str]:
    """Per partition cost and time, per worker busy time."""
    names = [c for c in results["configs"] if c.get("summary")]
    lines = ["## Balance", "",
              f"Per partition: cost ({cost_unit(_cost_rule(results))}) and the worker's median "
              "time; per worker (pool slot): "
              "busy time in the median run.", ""]
    rows = []
    for c in names:
        s = c["summary"]
        if "lanes" not in s or not c.get("plan"):
            continue
        costs = c["plan"]["metrics"]["partition_costs"]
        secs = s["partition_seconds_median"]
        rows.append([c["label"], f"{c['plan']['metrics']['imbalance']:.3f}",
                     ", ".join(f"{x:,}" for x in costs), ", ".join(_s(x) for x in secs),
                     ", ".join(_s(x) for x in s["lanes"]["busy_s"]),
                     f"{max(secs) / (sum(secs) / len(secs)):.3f}" if secs else "–"])
    if rows:
        lines += _table(["build", "cost imbalance", "partition costs", "partition s", "worker busy s",
                         "time imbalance"], rows, "lrrrrr")

    return lines


def _per_cost(beta: float, rule: str) -> str:
    """The work model's slope in words: per size unit, or per predicted (measured) second."""
    if rule == "size":
        return f"{beta * 1e6:.2f} µs per cost unit"
    return f"{beta * 1e6:.3f} s per {'measured' if rule.startswith('profile:') else 'predicted'} second"


def _prediction_lines(results: dict) -> list[str]:
    """Per group: the calibration, predicted against measured, the curve and Amdahl."""
    lines = ["## Scaling prediction", ""]
    for g in results["prediction"]["groups"]:
        cal = g["calibration"]
        lines += [
            f"### {g['group']}",
            "",
            f"Calibrated on {cal['points']} measured partitions: a worker's CPU time = {cal['alpha_s']:.3f} s per "
            f"partition + {_per_cost(cal['beta_s_per_cost'], _cost_rule(results))} "
            f"(R² {cal['r2']:.3f}); executor overhead "
            f"{cal['overhead_per_task_s']:.3f} s per task; serial phases: load + graph "
            f"{sum(cal['pre_s'].values()):.2f} s, validate + write + link {sum(cal['post_s'].values()):.2f} s"
            + (f", split in the coordinator {cal['split_coordinator_s']:.2f} s" if cal["split_coordinator_s"] else "")
            + ". A build's compile makespan is its partitions list-scheduled, largest first, on the workers, each "
            "partition's CPU time divided by the share of a core its worker gets.",
            "",
        ]
        rows = []
        for r in g["measured"]:
            ho = r.get("held_out")
            rows.append([str(r["workers"]), str(r["parts"]), _s(r["measured_s"]),
                         f"{_s(r['measured_min_s'])}–{_s(r['measured_max_s'])}", f"{r.get('share', 1):.0%}",
                         _s(r["predicted_s"]), _pct(r["error"]), _s(r.get("predicted_dedicated_s")),
                         _s(ho["predicted_s"]) if ho else "–", _pct(ho["error"]) if ho else "–"])
        lines += ["Predicted against measured:", ""]
        lines += _table(["workers", "parts", "measured s (median)", "measured min–max", "CPU share", "predicted s",
                         "error", "predicted on dedicated cores s", "held-out predicted s", "held-out error"], rows)
        lines += ["*Predicted* is each run predicted at the CPU share its workers got, median over the runs; the error "
                  "is against the measured median. *Held out*: the same, calibrated without that build's own runs "
                  "(from the group's other builds only; where their partitions are all about one size the fit is "
                  "proportional), "
                  "a check of how well the model extrapolates.", ""]
        if g["curve"]:
            rows = [[str(r["workers"]), str(r["parts"]), _s(r["makespan_s"]), _s(r["serial_phases_s"]),
                     _s(r["wall_s"]), f"{_s(r['speedup'])}×" if r.get("speedup") else "–",
                     _s(r["floor_s"]) if r.get("floor_s") is not None else "–",
                     f"`{r['critical_unit']}`" if r.get("critical_unit") else "–", r.get("basis", "work model")]
                    for r in g["curve"]]
            sd = results["prediction"].get("serial_dedicated_s")
            spec = g["parts_spec"]
            fixed = f"auto, {g['curve'][0]['parts']} for this module" if spec == "auto" else spec
            capped = [r for r in g["curve"] if r["parts"] < r["workers"]]
            as_many = "as many as workers" + (
                f", at most {max(r['parts'] for r in g['curve'])}: the module cannot be cut into more non-empty "
                "partitions" if capped and spec == "workers" else "")
            lines += ["Predicted scaling on dedicated cores (partitions: "
                      + (as_many if spec == "workers" else f"fixed at {fixed}")
                      + "; speedup over the serial build on a core of its own"
                      + (f", {sd:.2f} s: its CPU time plus the link" if sd else "") + "):", ""]
            lines += _table(["workers", "parts", "compile makespan s", "serial phases s", "wall s",
                             "speedup vs serial", "floor s", "unit setting the floor", "from"], rows)
            lines += ["*Floor*: the serial phases plus the slowest partition measured with this plan (or, where "
                      "the plan was not measured, the work model's time for the largest unit); no number of "
                      "workers beats it, and no predicted wall time is below it. *From*: where the plan was "
                      "measured, its partitions' measured times list-scheduled in pcodegen's dispatch order; "
                      "otherwise the work model.", ""]
        a = g.get("amdahl")
        if a and a["b_s"] <= 0:
            lines += [f"Amdahl fit to the measured medians: no parallel gain (wall = {a['a_s']:.2f} s "
                      f"{a['b_s']:+.2f} s / workers), serial fraction 1.", ""]
        elif a:
            lines += [f"Amdahl fit to the measured medians (wall = {a['a_s']:.2f} s + {a['b_s']:.2f} s / workers): "
                      f"serial fraction **{a['serial_fraction']:.3f}**"
                      + (f", speedup limit {a['speedup_limit']:.2f}× over the serial build" if a.get("speedup_limit")
                         else "") + ".", ""]
        else:
            lines += ["Amdahl fit: needs two or more worker counts.", ""]
        ad = g.get("amdahl_dedicated")
        if ad and machine_busy(results):
            lines += [f"The same fit to the idle-machine estimates (wall = {ad['a_s']:.2f} s + {ad['b_s']:.2f} s / "
                      f"workers): serial fraction **{ad['serial_fraction']:.3f}**.", ""]
        ca = g.get("curve_amdahl")
        if ca:
            lines += [f"The predicted curve itself implies a serial fraction of {ca['serial_fraction']:.3f}.", ""]
    return lines


def _files_lines(results: dict) -> list[str]:
    """Where the plots and the raw data are."""
    lines: list[str] = []
    files = results.get("files", {})
    if files.get("plots"):
        lines += ["## Plots", ""] + [f"![{p.rsplit('.', 1)[0]}]({p})" for p in files["plots"]] + [""]
    elif files.get("plots_note"):
        lines += [f"Plots: {files['plots_note']}.", ""]
    lines += [f"Raw data: `results.json` (schema `{results['schema']}`: every sample, phase and worker); "
              "objects and linked output of each build's last round: `builds/`.", ""]
    return lines


def render_markdown(results: dict) -> str:
    """report.md: one section after the other, from a results document alone."""
    inp = results["input"]
    lines = [f"# Parallel code generation: `{inp['name']}`", ""]
    for section in (_headline_lines, _settings_lines, _busy_lines, _speedup_lines, _warm_cache_lines, _memory_lines,
                    _phase_lines, _balance_lines, _prediction_lines, _files_lines):
        lines += section(results)
    return "\n".join(lines)
