"""`pcodegen bench`: how much faster parallel code generation is on a module, where the
remaining time goes, and what more cores would buy.

The serial reference and every parallel configuration (workers x partitions x
strategy) run `repeat` times, interleaved (S A B S A B ...) so drift on a noisy machine
hits all of them alike. Each sample is one fresh Python process (`pcodegen.bench.child`): the
coordinator's peak RSS is then that sample's own, every sample forks its workers from
the same heap, and nothing one sample caches helps the next. Interpreter start-up and
imports are recorded (`import_s`, `process_s`) but are not part of `wall_s`, which runs
from reading the input to the linked output.

Outputs, in OUTDIR: `results.json` (schema `pcodegen.bench/1`, every raw sample; see
`docs/bench.md`), `report.md`, and `speedup.png`, `phases.png`, `balance.png`,
`gantt.png` when matplotlib is installed; `builds/<config>/` keeps the last round's
objects and linked output of each configuration. With `trace`, the median run of each
build also goes to that file as Chrome trace-event JSON (`bench_trace`).
"""

from __future__ import annotations

import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from pcodegen.bench.defaults import DEFAULT_WORKER_COUNTS, LINK_CHOICES
from pcodegen.parallel import cpu_count
from pcodegen.output import prepare_output_dir, publish_dir, write_file, write_json
from pcodegen.defaults import DEFAULT_COST
from pcodegen.errors import CheckFailed, ParameterError, UsageError
from pcodegen.output import BENCH, check_output_dir
from pcodegen.bench.predict import RunTime, calibrate, fit_amdahl, predict, relative_error, timed

SCHEMA = "pcodegen.bench/1"
PHASE_ORDER = ("load", "graph", "plan early", "partition", "split", "compile", "validate", "write", "link")
WORKER_PHASES = ("split", "parse", "optimize", "serialize", "emit")


@dataclass
class BenchConfig:
    """One build to measure. `group` joins the configurations that differ only in worker
    count: one scaling curve."""

    id: str
    mode: str  # "serial" | "parallel" | "warm" (a parallel build again, its partition objects in a filled cache)
    workers: int = 1
    parts: int = 1
    parts_spec: str = ""  # "workers" (as many partitions as workers), "auto" (sized by cost) or a count
    strategy: str | None = None
    group: str = ""

    @property
    def label(self) -> str:
        if self.mode == "serial":
            return "serial"
        return f"{self.workers}w/{self.parts}p {self.strategy}" + (", warm cache" if self.mode == "warm" else "")


@dataclass
class BenchSettings:
    input: str
    workers: list[int] = field(default_factory=lambda: [1, 2])
    parts: list[str] = field(default_factory=lambda: ["workers"])
    strategies: list[str] = field(default_factory=list)
    repeat: int = 3
    warmup: int = 0
    opt: int = 2
    link: str = "shared"
    link_args: list[str] = field(default_factory=list)
    executor: str = "local"
    memory_budget: int | None = None
    timeout: float | None = None
    predict_workers: list[int] = field(default_factory=lambda: list(DEFAULT_WORKER_COUNTS))
    plots: bool = True
    force: bool = False  # replace an existing OUTDIR pcodegen did not write (output.check_output_dir)
    trace: str | None = None  # also write the median runs' timelines here (Chrome trace-event JSON)
    cost: str = DEFAULT_COST  # pcodegen.cost rule for the parallel builds' plans
    cache: str | None = None  # also measure each parallel build with its objects in a filled cache under this directory

    def check(self) -> None:
        if self.repeat < 1:
            raise ParameterError("repeat", f"must be at least 1, got {self.repeat}")
        if self.warmup < 0:
            raise ParameterError("warmup", f"must be 0 or more, got {self.warmup}")
        if not self.workers or min(self.workers) < 1:
            raise ParameterError("workers", "needs one or more counts of at least 1, e.g. 1,2")
        if not 0 <= self.opt <= 3:
            raise ParameterError("opt", f"must be 0 to 3, got {self.opt}")
        if self.link not in LINK_CHOICES:
            raise ParameterError("link", f"must be one of {', '.join(LINK_CHOICES)}")
        if self.link_args and self.link == "none":
            raise ParameterError("link_args", f"{self.link_args[0]} does nothing when link is none")
        for p in self.parts:
            if p not in PARTS_KEYWORDS and not (p.isdigit() and int(p) >= 1):
                raise ParameterError("parts", f"takes counts of at least 1, 'workers' or 'auto', got {p!r}")


def parse_int_list(text: str, what: str) -> list[int]:
    try:
        vals = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"{what} {text!r}: expected comma-separated numbers, e.g. 1,2,4") from None
    if not vals or min(vals) < 1:
        raise UsageError(f"{what} {text!r}: expected counts of at least 1")
    return sorted(set(vals))


def parse_list(text: str) -> list[str]:
    out: list[str] = []
    for x in text.split(","):
        if x.strip() and x.strip() not in out:
            out.append(x.strip())
    return out


PARTS_KEYWORDS = ("workers", "auto")


def parts_for(spec: str, workers: int, auto: int | None) -> int:
    """The partition count a --parts spec gives a build on `workers` workers: "workers"
    as many as workers, "auto" the module's own count (`partition.auto_parts`)."""
    if spec == "workers":
        return workers
    if spec == "auto":
        assert auto is not None
        return auto
    return int(spec)


def make_configs(s: BenchSettings, auto: int | None = None) -> list[BenchConfig]:
    """The serial reference, then every strategy x partition spec x worker count."""
    configs = [BenchConfig("serial", "serial")]
    seen = set()
    for strategy in s.strategies:
        for spec in s.parts:
            for w in s.workers:
                parts = parts_for(spec, w, auto)
                cid = f"{strategy}-p{parts}-w{w}"
                if cid in seen:
                    continue
                seen.add(cid)
                configs.append(BenchConfig(cid, "parallel", w, parts, spec, strategy, f"{strategy}/parts={spec}"))
    if s.cache:
        configs += [BenchConfig(f"{c.id}-warm", "warm", c.workers, c.parts, c.parts_spec, c.strategy, f"{c.group}/warm")
                    for c in configs if c.mode == "parallel"]
    return configs


def warm_cache_dir(s: BenchSettings, cfg: BenchConfig) -> Path:
    """Where a warm build keeps its objects: a directory of its own under --cache, so
    that each build's saved plan is its own (the cache keeps the last plan per input name)."""
    assert s.cache is not None
    return Path(s.cache) / f"bench-{cfg.id}"


# -- the machine --------------------------------------------------------------------------------

def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _mem_total_kb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover
        return []


def machine_info() -> dict[str, Any]:
    import llvmlite
    import llvmlite.binding as llvm

    from pcodegen import __version__

    usable = cpu_count()
    return {
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "cpu_model": _cpu_model(),
        "memory_kb": _mem_total_kb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "llvmlite": llvmlite.__version__,
        "llvm": ".".join(map(str, llvm.llvm_version_info)),
        "pcodegen": __version__,
        "loadavg_start": loadavg(),
    }


# -- samples ------------------------------------------------------------------------------------

def assign_lanes(workers: list[dict]) -> None:
    """Give each task a `lane` (the pool slot that ran it) from its start and end times:
    tasks in start order, each onto the lane that became free first before it began."""
    spanned = [w for w in workers if "start_s" in w]
    lanes: list[float] = []
    for w in sorted(spanned, key=lambda w: (w["start_s"], w["end_s"])):
        free = [k for k, end in enumerate(lanes) if end <= w["start_s"] + 1e-3]
        k = min(free, key=lambda k: lanes[k]) if free else len(lanes)
        if k == len(lanes):
            lanes.append(0.0)
        lanes[k] = w["end_s"]
        w["lane"] = k


def run_sample(cfg: BenchConfig, s: BenchSettings, outdir: Path) -> dict[str, Any]:
    """One build of `cfg` in a fresh process; its sample record (without round/warmup)."""
    spec = {"mode": cfg.mode, "input": str(Path(s.input).resolve()), "outdir": str(outdir), "parts": cfg.parts,
            "workers": cfg.workers, "strategy": cfg.strategy, "cost": s.cost, "opt": s.opt, "link": s.link,
            "link_args": s.link_args, "executor": s.executor, "memory_budget": s.memory_budget,
            "timeout": s.timeout, "cache": str(warm_cache_dir(s, cfg)) if cfg.mode == "warm" else None}
    load = loadavg()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pcodegen.bench.child", json.dumps(spec)], capture_output=True,
                          text=True, env={**os.environ, "PCODEGEN_QUIET": "1"})
    process_s = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    try:
        data = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        raise CheckFailed(f"bench sample {cfg.id} failed (exit {proc.returncode}): "
                          f"{err[-1] if err else 'no output'}") from None
    if "error" in data:
        if data.get("usage"):  # bad settings for this build (a memory budget too small for it): exit 2
            raise UsageError(f"build {cfg.label}: {data['error']}")
        raise CheckFailed(f"bench sample {cfg.id} failed: {data['error']}")
    costs = data["plan"]["metrics"]["partition_costs"] if data.get("plan") else []
    members = data["plan"]["partition_members"] if data.get("plan") else []
    for i, w in enumerate(data["workers"]):
        w["index"] = i
        if i < len(costs):
            w["cost"] = costs[i]
            w["members"] = members[i]
    assign_lanes(data["workers"])
    data["cpu_total_s"] = data["coordinator_cpu_s"] + data["workers_cpu_s"] + data["link_cpu_s"]
    return {"config": cfg.id, "process_s": process_s, "loadavg": load, **data}


# -- statistics -----------------------------------------------------------------------------------

def _stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "mean": statistics.fmean(values), "n": len(values)}


def lane_breakdown(sample: dict) -> dict[str, Any]:
    """Per-lane busy time of one parallel sample and the critical lane's phases."""
    lanes: dict[int, list[dict]] = {}
    for w in sample["workers"]:
        lanes.setdefault(w.get("lane", w["index"]), []).append(w)
    busy = {k: sum(w["total"] for w in ws) for k, ws in sorted(lanes.items())}
    crit = max(busy, key=lambda k: busy[k]) if busy else None
    phases = {ph: sum(w.get(ph, 0.0) for w in lanes.get(crit, [])) for ph in WORKER_PHASES}
    return {"busy_s": list(busy.values()), "tasks": [[w["partition"] for w in lanes[k]] for k in sorted(lanes)],
            "critical_lane": crit, "critical_phases": phases,
            "pool_s": sample["phases"].get("compile", 0.0) - (busy[crit] if busy else 0.0)}


def cpu_share(sample: dict) -> float:
    """How much of a core the build's compiling processes got: CPU time over wall time
    (1.0 on an otherwise idle machine with a core per worker; less when other processes
    compete). The workers for a parallel build; the whole process for the serial one."""
    if sample.get("plan"):
        wall = sum(w["total"] for w in sample["workers"])
        cpu = sum(w["cpu_s"] for w in sample["workers"])
    else:
        wall = sample["wall_s"] - sample["phases"].get("link", 0.0) - sample["phases"].get("write", 0.0)
        cpu = sample["coordinator_cpu_s"]
    return min(1.0, cpu / wall) if wall > 0 else 1.0


def dedicated_wall(sample: dict) -> float:
    """The sample's wall time less what other processes took from it: the coordinator's
    phases at its CPU time, the compile phase scaled by the workers' CPU share. What the
    build would have taken on an idle machine (an estimate; exact when nothing else ran)."""
    ph = sample["phases"]
    link = ph.get("link", 0.0)
    if not sample.get("plan"):
        return sample["coordinator_cpu_s"] + link + ph.get("write", 0.0)
    compile_s = ph.get("compile", 0.0)
    rest = sample["wall_s"] - compile_s - link
    coord = min(rest, sample["coordinator_cpu_s"]) if sample.get("coordinator_cpu_s") else rest
    return coord + compile_s * cpu_share(sample) + link


def memory_figures(sample: dict) -> dict[str, Any]:
    """Peak memory of one build run, KiB: the coordinator's peak RSS; per worker process
    (tasks grouped by pid) its peak RSS and its own memory, peak minus the RSS its first
    task started with (the pages shared with the coordinator at fork); and two sums over
    the processes alive at once, taken at every task start (the only instants a sum can
    grow): the coordinator's peak plus, per live worker, the peak of the task it is
    running or last ran (`concurrent_peak_sum_kb`: bounds the summed RSS, counting
    shared pages once per process), and the coordinator's peak plus each live worker's
    own memory (`concurrent_own_sum_kb`: shared pages counted once, what the memory
    budget's estimate models). Without task spans the sums are the coordinator plus
    workers_used times the largest worker (`concurrent_basis` says which)."""
    coord = sample["coordinator_peak_rss_kb"]
    ws = sample.get("workers") or []
    if not sample.get("plan") or not ws:  # the serial build: one process
        return {"coordinator_peak_kb": coord, "worker_peak_kb": None, "worker_own_kb": None,
                "concurrent_peak_sum_kb": coord, "concurrent_own_sum_kb": coord, "concurrent_basis": "one process",
                "estimate_kb": None}
    from pcodegen.parallel.budget import worker_estimate_kb

    spanned = all("start_s" in w and "end_s" in w for w in ws)
    procs: dict[Any, list[dict]] = {}
    for w in sorted(ws, key=lambda w: (w.get("start_s", 0.0), w.get("index", 0))):
        procs.setdefault(w.get("pid") or f"task {w.get('index')}", []).append(w)
    base = {pid: tasks[0]["rss_start_kb"] for pid, tasks in procs.items()}
    peak = {pid: max(t["peak_rss_kb"] for t in tasks) for pid, tasks in procs.items()}
    own = {pid: max(0, peak[pid] - base[pid]) for pid in procs}
    workers_used = int(sample.get("workers_used") or len(procs))
    if spanned:
        peak_sum = own_sum = coord
        for t in sorted({w["start_s"] for w in ws}):
            rss = mine = 0
            for pid, tasks in procs.items():
                began = [x for x in tasks if x["start_s"] <= t]
                if not began or tasks[-1]["end_s"] < t:  # not forked yet, or done and gone
                    continue
                rss += began[-1]["peak_rss_kb"]
                mine += max(0, began[-1]["peak_rss_kb"] - base[pid])
            peak_sum, own_sum = max(peak_sum, coord + rss), max(own_sum, coord + mine)
        basis = "task spans"
    else:
        n = min(workers_used, len(procs))
        peak_sum, own_sum = coord + n * max(peak.values()), coord + n * max(own.values())
        basis = "upper bound: workers x largest"
    costs = [w["cost"] for w in ws if "cost" in w]
    return {"coordinator_peak_kb": coord, "worker_peak_kb": max(peak.values()), "worker_own_kb": max(own.values()),
            "concurrent_peak_sum_kb": peak_sum, "concurrent_own_sum_kb": own_sum, "concurrent_basis": basis,
            "estimate_kb": coord + workers_used * worker_estimate_kb(max(costs)) if costs else None}


def memory_summary(samples: list[dict]) -> dict[str, Any]:
    """`memory_figures` of a build's runs: each figure's largest over the runs."""
    figs = [memory_figures(x) for x in samples]
    out: dict[str, Any] = {}
    for key in figs[0]:
        vals = [f[key] for f in figs if f[key] is not None]
        out[key] = (max(vals) if vals else None) if key != "concurrent_basis" else figs[0][key]
    return out


def summarize(configs: list[BenchConfig], samples: list[dict]) -> dict[str, dict]:
    """Per configuration: wall, speedup against serial (ratio of medians, and per-round
    ratios for the spread), CPU, memory, phase medians, balance."""
    measured = [x for x in samples if not x["warmup"]]
    serial_by_round = {x["round"]: x["wall_s"] for x in measured if x["config"] == "serial"}
    serial_med = statistics.median(serial_by_round.values()) if serial_by_round else None
    out: dict[str, dict] = {}
    for cfg in configs:
        mine = [x for x in measured if x["config"] == cfg.id]
        if not mine:
            continue
        walls = [x["wall_s"] for x in mine]
        rep = sorted(mine, key=lambda x: x["wall_s"])[(len(mine) - 1) // 2]  # the median sample
        phase_names = sorted({ph for x in mine for ph in x["phases"]}, key=lambda p: (
            PHASE_ORDER.index(p) if p in PHASE_ORDER else len(PHASE_ORDER), p))
        summ: dict[str, Any] = {
            "samples": len(mine),
            "wall_s": _stats(walls),
            "cpu_total_s": _stats([x["cpu_total_s"] for x in mine]),
            "cpu_share": _stats([cpu_share(x) for x in mine]),
            "phases_median_s": {ph: statistics.median(x["phases"].get(ph, 0.0) for x in mine) for ph in phase_names},
            "beside_median_s": {ph: statistics.median((x.get("overlapped") or {}).get(ph, 0.0) for x in mine)
                                for ph in sorted({ph for x in mine for ph in x.get("overlapped") or {}})},
            "coordinator_peak_rss_kb": max(x["coordinator_peak_rss_kb"] for x in mine),
            "representative_round": rep["round"],
            "workers_used": statistics.median(x["workers_used"] for x in mine),
            "objects_identical_across_rounds": len({tuple(o["sha256"] for o in x["outputs"]) for x in mine}) == 1,
            "wall_dedicated_s": _stats([dedicated_wall(x) for x in mine]),
            "memory": memory_summary(mine),
        }
        if serial_med:
            ratios = [serial_by_round[x["round"]] / x["wall_s"] for x in mine if x["round"] in serial_by_round]
            summ["speedup"] = {"median": serial_med / statistics.median(walls),
                               "min": min(ratios) if ratios else None, "max": max(ratios) if ratios else None,
                               "per_round": ratios}
            ded = [dedicated_wall(x) for x in measured if x["config"] == "serial"]
            summ["speedup_dedicated"] = statistics.median(ded) / summ["wall_dedicated_s"]["median"]
        if cfg.mode == "warm":
            cold = [x for x in measured if x["config"] == cfg.id[:-len("-warm")]]
            summ["cache"] = {k: statistics.median(x["cache"][k] for x in mine)
                             for k in ("hits", "misses", "bytes_reused", "seconds_saved")}
            summ["objects_identical_to_cold"] = bool(cold) and {
                tuple(o["sha256"] for o in x["outputs"]) for x in mine + cold} == {
                tuple(o["sha256"] for o in cold[0]["outputs"])}
            summ["cold_wall_s"] = statistics.median(x["wall_s"] for x in cold) if cold else None
        if cfg.mode in ("parallel", "warm"):
            per_part, per_part_cpu = {}, {}
            for x in mine:
                for w in x["workers"]:
                    per_part.setdefault(w["index"], []).append(w["total"])
                    per_part_cpu.setdefault(w["index"], []).append(w["cpu_s"])
            summ["partition_seconds_median"] = [statistics.median(per_part[i]) for i in sorted(per_part)]
            summ["partition_cpu_median"] = [statistics.median(per_part_cpu[i]) for i in sorted(per_part_cpu)]
            summ["worker_peak_rss_kb"] = max(w["peak_rss_kb"] for x in mine for w in x["workers"])
            summ["worker_growth_kb"] = max(w["peak_rss_kb"] - w["rss_start_kb"] for x in mine for w in x["workers"])
            summ["lanes"] = lane_breakdown(rep)
        else:
            w = rep["workers"][0] if rep["workers"] else {}
            summ["compile_phases_s"] = {ph: w.get(ph, 0.0) for ph in ("optimize", "serialize", "emit")}
        out[cfg.id] = summ
    return out


# -- prediction -----------------------------------------------------------------------------------

def runtimes(samples: list[dict], ids: set[str]) -> list[RunTime]:
    """The calibration's view of the measured (not warm-up) samples of `ids`."""
    return [RunTime(int(x["workers_used"]), len(x["workers"]), x["phases"], [w["total"] for w in x["workers"]],
                    [w["cost"] for w in x["workers"]], [w["cpu_s"] for w in x["workers"]], x["wall_s"], x["config"],
                    x.get("coordinator_cpu_s", 0.0), x.get("overlapped") or {}, x.get("early_partitions", 1) or 1)
            for x in samples if not x["warmup"] and x["config"] in ids]


def serial_dedicated_s(samples: list[dict]) -> float | None:
    """The serial build's time on a core of its own: its CPU time plus the link and write
    (its wall time less whatever other processes took)."""
    xs = [x["coordinator_cpu_s"] + x["phases"].get("link", 0.0) + x["phases"].get("write", 0.0)
          for x in samples if x["config"] == "serial" and not x["warmup"]]
    return statistics.median(xs) if xs else None


def _measured_row(cfg: BenchConfig, summ: dict, runs: list[RunTime], cal: Any,
                  others: list[RunTime]) -> dict[str, Any]:
    """Predicted against measured for one build: each run predicted at the CPU share its
    workers got, medians compared; also the prediction on dedicated cores, and one
    calibrated without this build's runs (held out)."""
    mine = [rt for rt in runs if rt.tag == cfg.id]
    costs = mine[0].costs
    w_used = int(summ["workers_used"])
    measured = summ["wall_s"]["median"]
    pred = statistics.median(predict(cal, rt.costs, rt.workers, share=rt.share).wall_s for rt in mine)
    row: dict[str, Any] = {
        "config": cfg.id, "workers": w_used, "parts": len(costs), "measured_s": measured,
        "measured_min_s": summ["wall_s"]["min"], "measured_max_s": summ["wall_s"]["max"],
        "share": statistics.median(rt.share for rt in mine),
        "predicted_s": pred, "error": relative_error(pred, measured),
        "predicted_dedicated_s": predict(cal, costs, w_used, serial_scale=cal.coordinator_share).wall_s,
        "held_out": None}
    if others:
        held_cal = calibrate(others)
        part_s = summ["phases_median_s"].get("partition")
        held = statistics.median(predict(held_cal, rt.costs, rt.workers, part_s, share=rt.share).wall_s
                                 for rt in mine)
        row["held_out"] = {"predicted_s": held, "error": relative_error(held, measured)}
    return row


def _measured_partition_seconds(runs: list[RunTime]) -> dict[int, list[float]]:
    """Partition count -> each partition's measured CPU seconds (median over the runs;
    a worker's CPU is its time on a core of its own) from the group's build with that
    many partitions and the fewest workers."""
    by_build: dict[tuple[int, int, str], list[RunTime]] = {}
    for rt in runs:
        if rt.worker_seconds:
            by_build.setdefault((rt.parts, rt.workers, rt.tag), []).append(rt)
    out: dict[int, list[float]] = {}
    for (parts, _, _), mine in sorted(by_build.items()):
        if parts not in out:  # sorted: the fewest workers first
            out[parts] = [statistics.median(rt.cpu[i] for rt in mine) for i in range(parts)]
    return out


def _held_to_floor(p: Any, cal: Any, graph: Any, plan: Any, measured: list[float] | None) -> dict[str, Any]:
    """One point of the predicted curve, held to what was measured.

    Where this very plan was measured (a fixed partition count, or the group's own
    build), the compile phase is its measured partition times list-scheduled in
    pcodegen's dispatch order; its floor is the serial phases plus the slowest measured
    partition, which no number of workers beats. Otherwise the work model predicts, and
    the floor is the serial phases plus the model's time for the largest unit. Either
    way the prediction never beats its floor, and the floor names the unit that sets it
    (for a measured partition, its largest unit by cost)."""
    from pcodegen.bench.predict import opening_release
    from pcodegen.partition.plan import list_schedule
    from pcodegen.pipeline import dispatch_order

    g = graph.g
    if measured is not None and len(measured) == plan.parts:
        order, release = dispatch_order(graph, plan), None
        if cal.partition_beside.get(plan.parts):  # the opening partitions first; the rest once the plan exists
            early = cal.early.get(plan.parts, 1)
            order = list(range(early)) + [i for i in order if i >= early]
            release = opening_release(plan.parts, early, cal.partition_s.get(plan.parts, 0.0) * cal.coordinator_share)
        makespan = list_schedule([t + cal.overhead_per_task_s for t in measured], p.workers, order, release=release)
        slowest = max(range(plan.parts), key=measured.__getitem__)
        unit = max(plan.members[slowest], key=lambda m: g.nodes[m]["cost"])
        floor = p.serial_phases_s + measured[slowest]
        return {"basis": "measured partition times", "makespan_s": makespan,
                "wall_s": max(p.serial_phases_s + makespan, floor), "floor_s": floor,
                "critical_unit": unit, "critical_partition": slowest}
    largest = max(graph.units, key=lambda u: u.cost)
    floor = p.serial_phases_s + cal.partition_seconds(largest.cost)
    return {"basis": "work model", "wall_s": max(p.wall_s, floor), "floor_s": floor,
            "critical_unit": largest.members[0], "critical_partition": None}


def input_graph(path: str, cost: str = DEFAULT_COST) -> Any:
    """The call graph of the bench's input module, and the seconds it took to build."""
    from pcodegen.graph import build_graph
    from pcodegen.ir.load import load_module

    return timed(lambda: build_graph(load_module(path).ir, path, cost))


def predictions(settings: BenchSettings, configs: list[BenchConfig], samples: list[dict],
                summary: dict[str, dict], graph_of: Callable[[], tuple[Any, float]] | None) -> dict[str, Any]:
    """Calibrate per group (strategy and partition spec), compare predicted with
    measured, predict 1..64 workers on dedicated cores, and fit Amdahl's law to the
    measured medians."""
    from pcodegen.partition import partition

    serial_measured = summary.get("serial", {}).get("wall_s", {}).get("median")
    serial = serial_dedicated_s(samples)
    groups: dict[str, list[BenchConfig]] = {}
    for cfg in configs:
        if cfg.mode == "parallel" and cfg.id in summary:
            groups.setdefault(cfg.group, []).append(cfg)
    graph = None
    out: dict[str, Any] = {"serial_measured_s": serial_measured, "serial_dedicated_s": serial, "groups": []}
    if groups and graph_of is not None:
        graph, graph_s = graph_of()
        out["graph_build_s"] = graph_s
    for gname, cfgs in groups.items():
        # One work model per group: a partition's CPU per unit of cost depends on its size
        # (a small one inlines less), so 32 partitions must not be calibrated on 1 or 2.
        runs = runtimes(samples, {c.id for c in cfgs})
        cal = calibrate(runs)
        measured_rows = [_measured_row(cfg, summary[cfg.id], runs, cal, [rt for rt in runs if rt.tag != cfg.id])
                         for cfg in cfgs]
        curve = []
        if graph is not None:
            strategy, spec = cfgs[0].strategy, cfgs[0].parts_spec
            cache: dict[int, tuple[Any, float]] = {}
            measured = _measured_partition_seconds(runs)
            for w in settings.predict_workers:
                parts = parts_for(spec, w, cfgs[0].parts)
                if parts not in cache:
                    cache[parts] = timed(lambda: partition(graph, parts, strategy, w))
                plan, part_s = cache[parts]
                p = predict(cal, list(plan.metrics.partition_costs), w, part_s, serial_scale=cal.coordinator_share)
                row = {**p.to_dict(), **_held_to_floor(p, cal, graph, plan, measured.get(parts))}
                row["speedup"] = serial / row["wall_s"] if serial else None
                curve.append(row)
        points = [(int(summary[c.id]["workers_used"]), summary[c.id]["wall_s"]["median"]) for c in cfgs]
        amdahl = fit_amdahl(points)
        amdahl_ded = fit_amdahl([(int(summary[c.id]["workers_used"]), summary[c.id]["wall_dedicated_s"]["median"])
                                 for c in cfgs])
        curve_amdahl = fit_amdahl([(r["workers"], r["wall_s"]) for r in curve]) if curve else None
        out["groups"].append({
            "group": gname, "strategy": cfgs[0].strategy, "parts_spec": cfgs[0].parts_spec,
            "configs": [c.id for c in cfgs], "calibration": cal.to_dict(), "measured": measured_rows,
            "curve": curve,
            "amdahl": None if amdahl is None else {**amdahl.to_dict(), "speedup_limit": (
                serial_measured / amdahl.a_s if serial_measured and amdahl.a_s > 0 and amdahl.b_s > 0 else None)},
            "amdahl_dedicated": None if amdahl_ded is None else amdahl_ded.to_dict(),
            "curve_amdahl": None if curve_amdahl is None else curve_amdahl.to_dict(),
        })
    return out


# -- the driver -----------------------------------------------------------------------------------

def run_bench(settings: BenchSettings, outdir: Path, progress: Any = None,
              log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Measure, predict, and write OUTDIR/results.json, report.md and the plots (all or
    nothing). Returns the results document."""
    from pcodegen.ir.load import read_input

    settings.check()
    data = read_input(settings.input)
    check_output_dir(outdir, BENCH, settings.force, [settings.input])
    if settings.trace:
        from pcodegen.timeline import check_trace_path

        check_trace_path(settings.trace, outdirs=[outdir], files=[settings.input])
    if not settings.strategies:
        from pcodegen.partition import DEFAULT_STRATEGY

        settings.strategies = [DEFAULT_STRATEGY]
    else:
        from pcodegen.partition import STRATEGIES

        unknown = [s for s in settings.strategies if s not in STRATEGIES]
        if unknown:
            raise UsageError(f"unknown strategy {unknown[0]!r}; choose from: {', '.join(sorted(STRATEGIES))}")
    graph_of = functools.cache(lambda: input_graph(settings.input, settings.cost))  # built once: for auto and predictions
    auto = None
    if "auto" in settings.parts:
        from pcodegen.partition import auto_parts

        auto = auto_parts(graph_of()[0])
    configs = make_configs(settings, auto)
    rounds = settings.warmup + settings.repeat
    tmp = prepare_output_dir(outdir)
    started = datetime.now(timezone.utc)
    try:
        machine = machine_info()
        samples: list[dict] = []
        warm = [c for c in configs if c.mode == "warm"]
        total = rounds * len(configs) + len(warm)
        if progress is not None:
            progress.update(completed=0, total=total)
        for cfg in warm:  # fill each warm build's cache with one unmeasured build of its own
            if progress is not None:
                progress.update(label=f"{cfg.label} (filling the cache)")
            primed = run_sample(cfg, settings, tmp / "builds" / cfg.id)
            if progress is not None:
                progress.advance()
            if log is not None:
                log(f"{cfg.label}: cache filled in {primed['wall_s']:.2f} s")
        for r in range(rounds):
            for cfg in configs:
                warmup = r < settings.warmup
                label = f"{cfg.label} (round {r + 1}/{rounds}{', warm-up' if warmup else ''})"
                if progress is not None:
                    progress.update(label=label)
                sample = run_sample(cfg, settings, tmp / "builds" / cfg.id)
                sample["round"] = r - settings.warmup
                sample["warmup"] = warmup
                samples.append(sample)
                if progress is not None:
                    progress.advance()
                if log is not None:
                    log(f"{label}: {sample['wall_s']:.2f} s")
        machine["loadavg_end"] = loadavg()
        summary = summarize(configs, samples)
        if progress is not None:
            progress.update(label="predicting")
        prediction = predictions(settings, configs, samples, summary, graph_of)
        import hashlib

        results = {
            "schema": SCHEMA,
            "created": started.isoformat(timespec="seconds"),
            "duration_s": (datetime.now(timezone.utc) - started).total_seconds(),
            "command": ["pcodegen", *sys.argv[1:]] if Path(sys.argv[0]).name in ("pcodegen", "__main__.py") else [],
            "input": {"path": settings.input, "name": Path(settings.input).name, "bytes": len(data),
                      "sha256": hashlib.sha256(data).hexdigest()},
            "machine": machine,
            "settings": {**asdict(settings), "order": "interleaved", "rounds": rounds},
            "configs": [{**asdict(c), "label": c.label, "plan": _plan_of(c, samples), "summary": summary.get(c.id)}
                        for c in configs],
            "samples": samples,
            "prediction": prediction,
        }
        from pcodegen.bench import plots
        from pcodegen.bench import report

        plot_files, plot_note = ([], "turned off (--no-plots)")
        if settings.plots:
            plot_files, plot_note = plots.make_plots(results, tmp)
        results["files"] = {"results": "results.json", "report": "report.md", "plots": plot_files,
                            "plots_note": plot_note, "builds": "builds/"}
        write_json(tmp / "results.json", results)
        write_file(tmp / "report.md", report.render_markdown(results))
        publish_dir(tmp, outdir, BENCH, settings.force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if settings.trace:
        from pcodegen.timeline import write_trace

        write_trace(settings.trace, bench_trace(results))
    return results


def median_sample(results: dict, cid: str) -> dict | None:
    """The representative (median) measured run of configuration `cid`."""
    cfg = next((c for c in results["configs"] if c["id"] == cid), None)
    if not cfg or not cfg.get("summary"):
        return None
    rnd = cfg["summary"]["representative_round"]
    return next((x for x in results["samples"] if x["config"] == cid and not x["warmup"] and x["round"] == rnd),
                None)


def bench_trace(results: dict) -> dict:
    """`bench --trace`: the median run of every build in one trace-event document, one
    group of processes (coordinator, workers) per build, each from 0 at its load phase."""
    from pcodegen.timeline import timeline, trace_events

    lines = []
    for c in results["configs"]:
        x = median_sample(results, c["id"])
        if x is not None:
            n = c["summary"]["samples"]
            lines.append(timeline(x, label=f"{c['label']} ({'median of ' + str(n) + ' runs' if n > 1 else '1 run'}, "
                                           f"round {x['round'] + 1})"))
    return trace_events(lines, other={"bench": {"input": results["input"], "created": results["created"],
                                                "settings": results["settings"]}})


def _plan_of(cfg: BenchConfig, samples: list[dict]) -> dict | None:
    for x in samples:
        if x["config"] == cfg.id and x.get("plan"):
            return x["plan"]
    return None


def rerender(outdir: Path, repredict: bool = True) -> dict[str, Any]:
    """Rebuild the summary, prediction (from the input module, if still there), plots and
    report.md of an existing bench output from its raw samples."""
    path = Path(outdir) / "results.json"
    try:
        results = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: cannot read bench results: {exc}") from None
    if results.get("schema") != SCHEMA:
        raise UsageError(f"{path}: not a {SCHEMA} document")
    fields = set(BenchSettings.__dataclass_fields__)
    settings = BenchSettings(**{k: v for k, v in results["settings"].items() if k in fields})
    configs = [BenchConfig(**{k: v for k, v in c.items() if k in BenchConfig.__dataclass_fields__})
               for c in results["configs"]]
    # Results written before "auto" meant sized by cost: there it meant "workers".
    legacy = {c.group for c in configs
              if c.parts_spec == "auto" and all(o.parts == o.workers for o in configs if o.group == c.group)}
    for c, doc in zip(configs, results["configs"]):
        if c.group in legacy:
            c.parts_spec = doc["parts_spec"] = "workers"
    for g in (results.get("prediction") or {}).get("groups", []):
        if g.get("group") in legacy:
            g["parts_spec"] = "workers"
    summary = summarize(configs, results["samples"])
    for c in results["configs"]:
        c["summary"] = summary.get(c["id"])
    if repredict and Path(settings.input).exists():
        results["prediction"] = predictions(settings, configs, results["samples"], summary,
                                            lambda: input_graph(settings.input))
    from pcodegen.bench import plots
    from pcodegen.bench import report

    if settings.plots:
        files, note = plots.make_plots(results, Path(outdir))
        results["files"].update(plots=files, plots_note=note)
    write_json(path, results)
    write_file(Path(outdir) / "report.md", report.render_markdown(results))
    return results
