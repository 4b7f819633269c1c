"""PNG plots for `pcodegen bench` (matplotlib, an optional extra, imported lazily with the
Agg backend so no display is needed):

* speedup.png: speedup over the serial build against workers: measured medians with
  their per-run range, the ideal line, the Amdahl fit and the predictor's curve;
* phases.png: where each build's wall time goes (stacked phases of its median run; CPU beside it);
* balance.png: each partition's measured time against what its cost predicts, and what each worker ran;
* gantt.png: what each worker did, when, and where no worker was running (the median run
  of the parallel build with the most workers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PHASE_COLORS = {
    "load": "#4c72b0", "graph": "#64b5cd", "partition": "#8172b2", "split (coordinator)": "#ccb974",
    "split": "#e5c494", "parse": "#dd8452", "optimize": "#c44e52", "serialize": "#937860", "emit": "#da8bc3",
    "pool": "#bbbbbb", "validate": "#55a868", "write": "#8c8c8c", "link": "#2f4f4f",
}
GROUP_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _mpl() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def make_plots(results: dict, outdir: Path) -> tuple[list[str], str]:
    """Write the PNGs into `outdir`; (file names, note). Without matplotlib: ([], why)."""
    try:
        plt = _mpl()
    except ImportError:
        return [], "skipped: matplotlib is not installed (pip install 'pcodegen[plots]')"
    files = []
    for name, fn in (("speedup.png", speedup_plot), ("phases.png", phases_plot), ("balance.png", balance_plot),
                     ("gantt.png", gantt_plot)):
        fig = fn(plt, results)
        if fig is None:
            continue
        fig.savefig(outdir / name, dpi=110)
        plt.close(fig)
        files.append(name)
    return files, ""


def _title(results: dict) -> str:
    m, st = results["machine"], results["settings"]
    return f"{results['input']['name']}, O{st['opt']}, {m['usable_cores']}-core {m['cpu_model'][:40]}"


def speedup_plot(plt: Any, results: dict) -> Any:
    by_id = {c["id"]: c for c in results["configs"]}
    serial = (by_id.get("serial", {}).get("summary") or {}).get("wall_s", {}).get("median")
    groups = results["prediction"]["groups"]
    if not serial or not groups:
        return None
    from pcodegen.bench.report import machine_busy

    busy = machine_busy(results)
    fig, ax = plt.subplots(figsize=(8, 5.5))
    wmax = max([r["workers"] for g in groups for r in g["curve"]] + [c["workers"] for c in results["configs"]])
    xs = [1, wmax]
    ax.plot(xs, xs, ls=":", color="gray", label="ideal (speedup = workers)")
    notes = []
    for k, g in enumerate(groups):
        col = GROUP_COLORS[k % len(GROUP_COLORS)]
        tag = g["group"] if len(groups) > 1 else ""
        if g["curve"]:
            ax.plot([r["workers"] for r in g["curve"]], [r["speedup"] for r in g["curve"]], "-", color=col, lw=1.5,
                    marker=".", label=f"predicted on dedicated cores (list-scheduled plans) {tag}".strip())
        a = g.get("amdahl")
        if a:
            ws = [1 + i * (wmax - 1) / 200 for i in range(201)]
            ax.plot(ws, [serial / (a["a_s"] + a["b_s"] / w) for w in ws], "--", color=col, lw=1, alpha=0.8,
                    label=f"Amdahl fit, serial fraction {a['serial_fraction']:.3f} {tag}".strip())
            notes.append(f"s = {a['serial_fraction']:.3f}")
        meds, lo, hi, ws = [], [], [], []
        for cid in g["configs"]:
            s = by_id[cid]["summary"]
            sp = s.get("speedup") or {}
            if not sp:
                continue
            ws.append(s["workers_used"])
            meds.append(sp["median"])
            lo.append(sp["median"] - (sp["min"] if sp["min"] is not None else sp["median"]))
            hi.append((sp["max"] if sp["max"] is not None else sp["median"]) - sp["median"])
        ax.errorbar(ws, meds, yerr=[[max(0, v) for v in lo], [max(0, v) for v in hi]], fmt="o", color=col, ms=7,
                    capsize=4, label=f"measured (median, per-run range) {tag}".strip(), zorder=5)
        for w, v in zip(ws, meds):
            ax.annotate(f"{v:.2f}×", (w, v), textcoords="offset points", xytext=(8, -12 - 11 * k), fontsize=9,
                        color=col)
        if busy:
            ded = [(by_id[cid]["summary"]["workers_used"], by_id[cid]["summary"]["speedup_dedicated"])
                   for cid in g["configs"] if by_id[cid]["summary"].get("speedup_dedicated")]
            ax.plot([w for w, _ in ded], [v for _, v in ded], "D", mfc="none", color=col, ms=7,
                    label=f"idle-machine estimate (CPU share {busy:.0%} measured) {tag}".strip(), zorder=6)
            ad = g.get("amdahl_dedicated")
            if ad and ad["b_s"] > 0:
                ws2 = [1 + i * (wmax - 1) / 200 for i in range(201)]
                sd = results["prediction"].get("serial_dedicated_s") or serial
                ax.plot(ws2, [sd / (ad["a_s"] + ad["b_s"] / w) for w in ws2], "-.", color=col, lw=1, alpha=0.7,
                        label=f"Amdahl fit to the idle-machine estimates, serial fraction "
                              f"{ad['serial_fraction']:.3f} {tag}".strip())
        for r in g["curve"]:
            if r["workers"] in (8, 16, 64) and r.get("speedup"):
                ax.annotate(f"{r['speedup']:.1f}×", (r["workers"], r["speedup"]), textcoords="offset points",
                            xytext=(-6, 7 if k % 2 == 0 else -13), fontsize=8, color=col)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ticks = [w for w in (1, 2, 4, 8, 16, 32, 64, 128) if w <= wmax]
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ymin, ymax = ax.get_ylim()
    yt = [y for y in (0.25, 0.5, 1, 2, 4, 8, 16, 32, 64) if ymin <= y <= ymax * 1.01]
    ax.set_yticks(yt, [f"{y:g}" for y in yt])
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup over the serial build")
    ax.set_title(f"Speedup — {_title(results)}", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def _segments(cfg: dict) -> list[tuple[str, float]]:
    """The stacked segments of one build's median run, in time order."""
    s = cfg["summary"]
    ph = dict(s["phases_median_s"])
    segs = [("load", ph.get("load", 0.0)), ("graph", ph.get("graph", 0.0)), ("partition", ph.get("partition", 0.0)),
            ("split (coordinator)", ph.get("split", 0.0))]
    compile_s = ph.get("compile", 0.0)
    if "lanes" in s:
        crit = s["lanes"]["critical_phases"]
        inner = [(k, crit.get(k, 0.0)) for k in ("split", "parse", "optimize", "serialize", "emit")]
        used = sum(v for _, v in inner)
        segs += inner + [("pool", max(0.0, compile_s - used))]
    else:
        inner = [(k, s.get("compile_phases_s", {}).get(k, 0.0)) for k in ("optimize", "serialize", "emit")]
        used = sum(v for _, v in inner)
        segs += inner + [("pool", max(0.0, compile_s - used))]
    segs += [(k, ph.get(k, 0.0)) for k in ("validate", "write", "link")]
    return segs


SMALL_PHASE = 0.015  # a segment narrower than this share of the axis is drawn in the "small phases" one


def phases_plot(plt: Any, results: dict) -> Any:
    """Where does each build's wall time go? One stacked bar per build (its median run),
    in time order; phases too narrow to see are pooled into one hatched segment, named in
    the legend; the wall time and the CPU time of all processes are written beside it."""
    cfgs = [c for c in results["configs"] if c.get("summary")]
    if not cfgs:
        return None
    from matplotlib.patches import Patch

    xmax = max(c["summary"]["wall_s"]["max"] for c in cfgs) * 1.32
    fig, ax = plt.subplots(figsize=(10, 2.4 + 0.55 * max(3, len(cfgs))))
    ys = list(range(len(cfgs)))[::-1]
    seen: list[str] = []
    small_names: set[str] = set()
    for y, c in zip(ys, cfgs):
        left = 0.0
        pooled = 0.0
        for name, v in _segments(c):
            if v <= 0:
                continue
            if v < SMALL_PHASE * xmax:
                pooled += v
                small_names.add(name)
                continue
            if pooled:
                ax.barh(y, pooled, left=left, color="#eeeeee", hatch="////", edgecolor="#999999", lw=0.5)
                left += pooled
                pooled = 0.0
            ax.barh(y, v, left=left, color=PHASE_COLORS[name], edgecolor="white", lw=0.5)
            if name not in seen:
                seen.append(name)
            left += v
        if pooled:
            ax.barh(y, pooled, left=left, color="#eeeeee", hatch="////", edgecolor="#999999", lw=0.5)
        w = c["summary"]["wall_s"]
        if w["max"] > w["min"]:
            ax.errorbar([w["median"]], [y], xerr=[[w["median"] - w["min"]], [w["max"] - w["median"]]], fmt="none",
                        ecolor="black", capsize=3, lw=1)
        cpu = sum(_median_cpu(results, c["id"]))
        ax.text(w["max"] + 0.01 * xmax, y, f"{w['median']:.2f} s wall\n{cpu:.2f} s CPU", va="center", fontsize=8)
    order = [n for n in PHASE_COLORS if n in seen]
    handles = [Patch(color=PHASE_COLORS[n], label="pool: fork, transfer, wait" if n == "pool" else n) for n in order]
    if small_names:
        names = ", ".join(n for n in PHASE_COLORS if n in small_names)
        handles.append(Patch(facecolor="#eeeeee", hatch="////", edgecolor="#999999",
                             label=f"small phases, each < {SMALL_PHASE:.1%} of the axis ({names})"))
    ax.set_yticks(ys, [c["label"] for c in cfgs])
    ax.set_xlim(0, xmax)
    ax.set_xlabel("seconds, median run (whisker: fastest to slowest run; CPU: all processes, median)")
    ax.set_title(f"Where the wall time goes — {_title(results)}\n"
                 "compile: the busiest worker's own phases, then the pool's overhead", fontsize=10)
    ax.legend(handles=handles, fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False)
    fig.tight_layout()
    return fig


def _median_cpu(results: dict, cid: str) -> tuple[float, float, float]:
    import statistics

    xs = [x for x in results["samples"] if x["config"] == cid and not x["warmup"]]
    return (statistics.median(x["coordinator_cpu_s"] for x in xs), statistics.median(x["workers_cpu_s"] for x in xs),
            statistics.median(x["link_cpu_s"] for x in xs))


def balance_plot(plt: Any, results: dict) -> Any:
    """Did the plan balance the work? Top: each partition's measured compile time next to
    the time its cost predicts (its share of the total cost times the total measured
    time), on one axis of seconds. Bottom: what each worker ran, in time."""
    cfgs = [c for c in results["configs"] if c["mode"] == "parallel" and c.get("summary") and c.get("plan")]
    if not cfgs:
        return None
    cfgs = cfgs[-6:]
    n = len(cfgs)
    fig, axes = plt.subplots(2, n, figsize=(max(8.5, 4.4 * n), 7.6), squeeze=False)
    for j, c in enumerate(cfgs):
        s = c["summary"]
        costs = c["plan"]["metrics"]["partition_costs"]
        secs = s["partition_seconds_median"]
        ax = axes[0][j]
        idx = list(range(len(costs)))
        total_cost, total_s = sum(costs) or 1, sum(secs)
        from_cost = [total_s * k / total_cost for k in costs]
        ax.bar(idx, secs, width=0.7, color="#dd8452", label="measured (median run)")
        ax.scatter(idx, from_cost, marker="_", s=260 if len(idx) <= 16 else 60, color="black", linewidths=2,
                   label="predicted from its cost share", zorder=5)
        ax.set_ylabel("seconds to compile the partition")
        ax.set_xticks(idx, [str(i) for i in idx] if len(idx) <= 16 else [str(i) if i % 4 == 0 else "" for i in idx])
        ax.set_xlabel("partition")
        ax.set_ylim(0, max(secs + from_cost) * 1.3 if secs else 1)
        tim = max(secs) / (sum(secs) / len(secs)) if secs else 0
        ax.set_title(f"{c['label']}: slowest partition {tim:.2f}× the mean\n"
                     f"(cost imbalance {c['plan']['metrics']['imbalance']:.2f}×)", fontsize=9)
        ax.legend(fontsize=7, loc="upper right", frameon=False)
        ax2 = axes[1][j]
        lanes = s["lanes"]
        rep = next(x for x in results["samples"] if x["config"] == c["id"] and not x["warmup"]
                   and x["round"] == s["representative_round"])
        for w in rep["workers"]:
            if "start_s" not in w:
                continue
            lane = w.get("lane", w["index"])
            ax2.barh(lane, w["end_s"] - w["start_s"], left=w["start_s"], color="#4c72b0", edgecolor="white", lw=1)
            if len(rep["workers"]) <= 24:
                ax2.text(w["start_s"] + (w["end_s"] - w["start_s"]) / 2, lane, f"p{w['index']}", ha="center",
                         va="center", fontsize=7, color="white")
        comp = rep["phases"].get("compile", s["phases_median_s"].get("compile", 0.0))
        ax2.axvline(comp, color="black", ls="--", lw=1)
        nl = len(lanes["busy_s"])
        ax2.set_yticks(range(nl), [f"worker {k}\nbusy {b:.2f} s" for k, b in enumerate(lanes["busy_s"])])
        ax2.set_ylim(-0.6, nl - 0.4)
        ax2.invert_yaxis()
        ax2.set_xlim(0, comp * 1.05 or 1)
        ax2.set_xlabel("seconds into the compile phase")
        ax2.set_title("what each worker ran, median run\n(pN: partition N; dashed: the compile phase ends)", fontsize=8)
    fig.suptitle(f"Balance — {_title(results)}", fontsize=10)
    fig.tight_layout()
    return fig


GANTT_LABEL_SHARE = 0.035  # a task narrower than this share of the axis is not labelled
GANTT_CHARS_ACROSS = 150  # characters of the 7-point label font across the Gantt's time axis
IDLE_COLOR = "#d62728"


def gantt_build(results: dict) -> dict | None:
    """The parallel build the Gantt chart shows: the one with the most workers (the
    last such in the configuration order: more partitions)."""
    par = [c for c in results["configs"] if c["mode"] == "parallel" and c.get("summary")]
    return max(reversed(par), key=lambda c: c["summary"]["workers_used"]) if par else None


def gantt_plot(plt: Any, results: dict) -> Any:
    """What did each worker do, when, and where was no worker running? The median run
    of one parallel build (`gantt_build`): the coordinator's phases on the top row, then
    one row per worker process with a bar per task (partition), split into its own
    phases; the task's time outside them (the pool's hand-over, the object's transfer)
    is grey. Red shading: no worker running, the coordinator's critical path."""
    from matplotlib.patches import Patch

    from pcodegen.bench.driver import median_sample
    from pcodegen.timeline import timeline

    cfg = gantt_build(results)
    sample = median_sample(results, cfg["id"]) if cfg else None
    if sample is None:
        return None
    tl = timeline(sample)
    wall = tl.wall_s or 1.0
    workers = tl.workers()
    in_proc = [t for t in tl.tasks if t.in_process]
    rows = ["coordinator"] + (["beside"] if tl.beside else []) + (["in_process"] if in_proc else []) + workers
    fig, ax = plt.subplots(figsize=(11, 2.0 + 0.55 * len(rows)))
    y_of = {r: k for k, r in enumerate(rows)}
    h = 0.62
    used: list[str] = []

    def bar(y: int, a: float, b: float, color: str, name: str | None = None, **kw: Any) -> None:
        ax.barh(y, max(b - a, 0.0), left=a, height=kw.pop("height", h), color=color, **kw)
        if name and name not in used:
            used.append(name)

    def text(y: int, a: float, b: float, label: str, color: str = "white", boxed: bool = False) -> None:
        if (b - a) / wall >= GANTT_LABEL_SHARE:
            ax.text((a + b) / 2, y, label, ha="center", va="center", fontsize=7, color=color, clip_on=True,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5, "alpha": 0.85} if boxed else None)

    for s in tl.idle:
        ax.axvspan(s.start, s.end, color=IDLE_COLOR, alpha=0.13, lw=0, zorder=0)
    for s in tl.coordinator:
        y = y_of["coordinator"]
        if s.name == "compile":  # the coordinator hands out tasks and reads objects back: it waits
            bar(y, s.start, s.end, "white", None, edgecolor="#777777", lw=0.8, hatch="..")
            text(y, s.start, s.end, "compile: waiting for the workers", "#333333", boxed=True)
        else:
            bar(y, s.start, s.end, PHASE_COLORS.get(s.name, "#999999"), s.name, edgecolor="white", lw=0.5)
            text(y, s.start, s.end, s.name)
    for s in tl.beside:
        bar(y_of["beside"], s.start, s.end, PHASE_COLORS.get(s.name, "#999999"), s.name, edgecolor="white", lw=0.5)
        text(y_of["beside"], s.start, s.end, s.name)
    for t in tl.tasks:
        y = y_of["in_process" if t.in_process else t.os_pid]
        bar(y, t.start, t.end, "#dddddd", "task overhead", edgecolor="black", lw=0.6)
        for s in t.phases:
            bar(y, s.start, s.end, PHASE_COLORS.get(s.name, "#999999"), s.name, height=h * 0.8, lw=0)
        short = f"p{t.index}"
        room = int((t.end - t.start) / wall * GANTT_CHARS_ACROSS) - len(short) - 1  # characters the box holds
        if t.largest_unit and (t.end - t.start) / wall > 0.16 and room >= 8:
            name = t.largest_unit.strip('"')
            short += " " + (name if len(name) <= room else name[:room - 1] + "…")
        text(y, t.start, t.end, short, "black", boxed=True)
    labels = ["coordinator" + (f"\n(pid {tl.coordinator_os_pid})" if tl.coordinator_os_pid else "")]
    if tl.beside:
        labels.append("coordinator,\nbeside the first worker")
    if in_proc:
        labels.append("compiling in the\ncoordinator")
    for k, pid in enumerate(workers, start=1):
        mine = [t for t in tl.tasks if not t.in_process and t.os_pid == pid]
        busy = sum(t.end - t.start for t in mine)
        labels.append(f"worker {k}: {len(mine)} task{'s' if len(mine) != 1 else ''}\nbusy {busy:.2f} s "
                      f"({busy / wall:.0%})")
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_xlim(0, wall * 1.01)
    ax.set_xlabel("seconds from the start of the build (reading the input), median run")
    ax.grid(True, axis="x", alpha=0.3)
    n = cfg["summary"]["samples"]
    ax.set_title(f"What each worker did, and when — {cfg['label']}, "
                 f"{'median of ' + str(n) + ' runs' if n > 1 else 'one run'} (round {sample['round'] + 1}), "
                 f"wall {wall:.2f} s\n{_title(results)}", fontsize=10)
    order = [p for p in PHASE_COLORS if p in used] + [p for p in used if p not in PHASE_COLORS]
    handles = [Patch(color=PHASE_COLORS.get(p, "#999999"), label=p) for p in order if p != "task overhead"]
    handles.append(Patch(facecolor="white", edgecolor="#777777", hatch="..", label="coordinator waits"))
    handles.append(Patch(facecolor="#dddddd", edgecolor="black", lw=0.6,
                         label="task outside its phases (hand-over, transfer); pN: partition N"))
    handles.append(Patch(color=IDLE_COLOR, alpha=0.25, label=f"no worker running (critical path): {tl.idle_s:.2f} s, "
                                                               f"{tl.idle_s / wall:.0%} of the wall time"))
    fig.legend(handles=handles, fontsize=8, ncol=4, loc="lower center", frameon=False)
    fig.tight_layout(rect=(0, 0.1 + 0.5 / (2.0 + 0.55 * len(rows)), 1, 1))
    return fig
