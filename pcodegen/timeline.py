"""A build's timeline, and the Chrome trace-event JSON that shows it (`compile --trace`,
`bench --trace`; it opens in Perfetto, ui.perfetto.dev, and in chrome://tracing).

`timeline(source)` lays one build out in seconds from the start of its load phase:

* the coordinator's phases end to end (load, graph, partition, split, compile, validate,
  write, link), the load phase's steps (parse, print, cut, verify_wait) inside it, and
  the phases run beside the first worker (`overlapped_phases`: a one-partition build,
  an early start), from the start of the compile phase;
* each task (one partition) where its worker ran it (`start_s`/`end_s`, measured by
  the worker from the start of the compile phase), with its own split, parse,
  optimise, serialise and emit laid inside it in that order from their wall times;
  named by partition and its largest unit (the member with the largest graph cost);
* the spans while no worker runs: the coordinator's critical path.

`trace_events` turns one or more timelines into the trace document: a process for the
coordinator and one per worker process, complete events ("X") in integer
microseconds, process and thread names ("M"), `otherData.schema` = `pcodegen.trace/1`.
The trace's pids are small numbers of its own, unique in the file (the operating
system's pid is in each process's name and args), so that several builds fit in one
file without clashes. `write_trace` writes it atomically and never overwrites a file
that is not a pcodegen trace.

The source is a compile report (`CompileRun.report()`, or report.json read back), a
`CompileRun`, or one `pcodegen bench` sample (results.json `samples[]`): the same
figures under other keys.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pcodegen.errors import UsageError
from pcodegen.output import check_output_file, write_file

TRACE_SCHEMA = "pcodegen.trace/1"
COORDINATOR_PHASES = ("load", "graph", "plan early", "partition", "split", "compile", "validate", "write")
WORKER_PHASES = ("split", "parse", "optimize", "serialize", "emit")
LOAD_STEPS = ("parse", "print", "cut", "verify_wait")
CHILD_CATEGORIES = ("load_step", "worker_phase")  # slices nested inside a phase or a task


@dataclass
class Span:
    """A named stretch of time, seconds from the start of the build."""

    name: str
    start: float
    end: float
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Task:
    """One partition, where its worker ran it, with its own phases inside."""

    partition: str
    index: int
    os_pid: int | None
    start: float
    end: float
    phases: list[Span]
    largest_unit: str | None = None
    members: int | None = None
    in_process: bool = False  # ran in the coordinator's process (serial build or executor)
    placed: bool = True  # False: no span was recorded; laid after the previous task of its process
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.largest_unit is None:
            return self.partition if self.members is None else f"{self.partition} ({self.members:,} members)"
        more = f" (+{self.members - 1:,} more)" if self.members and self.members > 1 else ""
        return f"{self.partition}: {self.largest_unit}{more}"


@dataclass
class Timeline:
    """One build, laid out in seconds from the start of its load phase."""

    label: str
    mode: str  # "serial" | "parallel"
    coordinator: list[Span]
    load_steps: list[Span]
    beside: list[Span]  # coordinator phases run beside the first worker (a one-partition build; an early start)
    tasks: list[Task]
    idle: list[Span]  # while no worker runs: the critical path
    coordinator_os_pid: int | None = None
    coordinator_args: dict[str, Any] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)

    @property
    def wall_s(self) -> float:
        return max([s.end for s in self.coordinator] + [t.end for t in self.tasks] + [0.0])

    @property
    def idle_s(self) -> float:
        return sum(s.end - s.start for s in self.idle)

    def workers(self) -> list[int | None]:
        """The worker processes' operating-system pids, in the order they first ran a task."""
        out: list[int | None] = []
        for t in sorted(self.tasks, key=lambda t: (t.start, t.index)):
            if not t.in_process and t.os_pid not in out:
                out.append(t.os_pid)
        return out


def phase_order(names: Iterable[str], bitcode_link: bool = False) -> list[str]:
    """The coordinator's phases in the order they ran (report.json sorts its keys).
    `link` is the system link after write, or, with `bitcode_link` (`--combine
    bitcode`), the bitcode link right after compile; unknown names go last."""
    names = list(names)
    known = [p for p in COORDINATOR_PHASES if p in names]
    if "link" in names:
        known.insert(known.index("compile") + 1 if bitcode_link and "compile" in known else len(known), "link")
    return known + [n for n in names if n not in known]


def largest_units(plan: Any, graph: Any) -> list[str]:
    """Per partition of `plan`, its member with the largest cost in `graph` (the first
    in module order among equals)."""
    g = graph.g
    members = plan.members if hasattr(plan, "members") else plan["members"]
    return [max(ms, key=lambda m: g.nodes[m]["cost"]) if ms else "" for ms in members]


def _lay_end_to_end(phases: Mapping[str, float], start: float, bitcode_link: bool = False) -> list[Span]:
    out, t = [], start
    for name in phase_order(phases, bitcode_link):
        d = max(0.0, float(phases[name]))
        out.append(Span(name, t, t + d, {"wall_s": d}))
        t += d
    return out


def _union(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def timeline(source: Any, *, label: str = "", graph: Any = None, units: Sequence[str] | None = None,
             coordinator_pid: int | None = None) -> Timeline:
    """Lay out one build: a compile report, a `CompileRun`, or a bench sample.

    The largest unit of each partition comes from `units` (one name per partition), else
    from `graph` (a ModuleGraph) and the report's plan members, else from the source's
    own `largest_units` (bench samples record it); without any, tasks are named by
    partition and member count. `coordinator_pid` defaults to this process's for a
    CompileRun, else to the source's `pid`."""
    if hasattr(source, "report") and callable(source.report):  # a CompileRun
        graph = graph if graph is not None else getattr(source, "graph", None)
        coordinator_pid = coordinator_pid if coordinator_pid is not None else os.getpid()
        source = source.report()
    doc: Mapping[str, Any] = source
    t: Mapping[str, Any] = doc.get("timings", doc)  # a compile report nests its figures there
    plan = doc.get("plan") or None
    mode = "parallel" if plan else "serial"
    phases = dict(t.get("phases") or {})
    coordinator = _lay_end_to_end(phases, 0.0, (doc.get("settings") or {}).get("combine") == "bitcode")
    at = {s.name: s for s in coordinator}
    compile_start = at["compile"].start if "compile" in at else 0.0

    beside = _lay_end_to_end(t.get("overlapped_phases") or doc.get("overlapped") or {}, compile_start)
    load = at.get("load") or next((s for s in beside if s.name == "load"), None)
    load_steps: list[Span] = []
    if load is not None:
        steps = t.get("load_steps") or {}
        now, end = load.start, load.end
        for name in [s for s in LOAD_STEPS if s in steps] + sorted(set(steps) - set(LOAD_STEPS)):
            d = max(0.0, float(steps[name]))
            load_steps.append(Span(name, now, min(end, now + d), {"wall_s": d}))
            now = min(end, now + d)

    members = plan.get("members") if plan else None
    counts = [len(m) for m in members] if members else (plan or {}).get("partition_members")
    if units is None and graph is not None and members:
        units = largest_units(plan, graph)
    if units is None:
        units = doc.get("largest_units")
    if coordinator_pid is None:
        coordinator_pid = doc.get("pid")

    tasks: list[Task] = []
    free: dict[Any, float] = {}  # where an unplaced task of each process starts
    workers = list(t.get("workers") or [])
    for pos, w in enumerate(workers):
        index = int(w.get("index", pos))
        os_pid = w.get("pid") or None
        in_process = mode == "serial" or (os_pid is not None and os_pid == coordinator_pid)
        total = sum(float(w.get(p) or 0.0) for p in WORKER_PHASES)
        if "start_s" in w and "end_s" in w:
            start, end, placed = compile_start + float(w["start_s"]), compile_start + float(w["end_s"]), True
        else:  # no span (the serial build, older reports): after the previous task of its process
            start = free.get(os_pid, compile_start)
            end, placed = start + float(w.get("total") or total), False
        free[os_pid] = end
        cpu = w.get("cpu") or {}
        inner, now = [], start
        for p in WORKER_PHASES:
            d = float(w.get(p) or 0.0)
            if d <= 0:
                continue
            inner.append(Span(p, now, min(end, now + d),
                              {"wall_s": d, **({"cpu_s": cpu[p]} if p in cpu else {})}))
            now = min(end, now + d)
        n_members = w.get("members") if isinstance(w.get("members"), int) else None
        if n_members is None and counts and index < len(counts):
            n_members = counts[index]
        unit = units[index] if units is not None and index < len(units) and units[index] else None
        name = w.get("partition") or (f"part-{index:03d}" if mode == "parallel" else "serial")
        args = {"partition": name, "wall_s": end - start, "cpu_s": w.get("cpu_s"), "cpu": dict(cpu),
                "peak_rss_kb": w.get("peak_rss_kb"), "rss_start_kb": w.get("rss_start_kb"),
                "os_pid": os_pid, "members": n_members, "largest_unit": unit}
        if "cost" in w:
            args["cost"] = w["cost"]
        if not placed:
            args["placed"] = "no span recorded: laid from the start of the compile phase"
        tasks.append(Task(name, index, os_pid, start, end, inner, unit, n_members, in_process, placed,
                          {k: v for k, v in args.items() if v is not None}))

    wall = max([s.end for s in coordinator] + [x.end for x in tasks] + [0.0])
    if mode == "serial":
        idle_spans = [(0.0, wall)] if wall > 0 else []
    else:
        busy = _union((x.start, x.end) for x in tasks if x.end > x.start)
        idle_spans, now = [], 0.0
        for a, b in busy:
            if a > now:
                idle_spans.append((now, a))
            now = max(now, b)
        if wall > now:
            idle_spans.append((now, wall))
    idle = [Span("no worker running", a, b, {"wall_s": b - a}) for a, b in idle_spans if b - a > 1e-9]
    coord_args = {k: t.get(k, doc.get(k)) for k in ("coordinator_cpu_s", "coordinator_peak_rss_kb")}
    idle_s = sum(b - a for a, b in idle_spans)
    other = {"mode": mode, "wall_s": wall, "critical_path_s": t.get("critical_path_s", idle_s), "idle_s": idle_s}
    if doc.get("input"):
        other["input"] = doc["input"]
    if doc.get("settings"):
        other["settings"] = doc["settings"]
    return Timeline(label, mode, coordinator, load_steps, beside, tasks, idle, coordinator_pid,
                    {k: v for k, v in coord_args.items() if v is not None}, other)


# -- the trace-event document ---------------------------------------------------------------

def _us(s: float) -> int:
    return round(s * 1e6)


def _x(pid: int, tid: int, name: str, cat: str, start: float, end: float, args: dict,
       within: tuple[int, int] | None = None) -> dict:
    ts, te = _us(start), _us(end)
    if within is not None:  # a child slice stays inside its parent whatever the rounding
        ts, te = min(max(ts, within[0]), within[1]), min(max(te, within[0]), within[1])
    return {"ph": "X", "pid": pid, "tid": tid, "name": name, "cat": cat, "ts": ts, "dur": max(0, te - ts),
            "args": args}


def _meta(pid: int, tid: int, name: str, args: dict) -> dict:
    return {"ph": "M", "pid": pid, "tid": tid, "name": name, "args": args}


def trace_events(sources: Any, *, other: Mapping[str, Any] | None = None, **kw: Any) -> dict:
    """The trace-event document of one build (a compile report, a CompileRun, a bench
    sample or a `Timeline`; keyword arguments go to `timeline`) or of a list of
    Timelines (one group of processes each, all starting at 0)."""
    lines = sources if isinstance(sources, list) else [sources]
    tls = [x if isinstance(x, Timeline) else timeline(x, **kw) for x in lines]
    events: list[dict] = []
    pids = iter(range(1, 1 << 20))  # a process's main thread has its pid as tid
    tids = iter(range(1 << 20, 1 << 30))  # the coordinator's other threads: unique in the file
    sort_index = 0

    def process(name: str, args: dict) -> int:
        nonlocal sort_index
        pid = next(pids)
        events.append(_meta(pid, pid, "process_name", {"name": name}))
        events.append(_meta(pid, pid, "process_sort_index", {"sort_index": sort_index}))
        shown = ", ".join(f"{k}={round(v, 6) if isinstance(v, float) else v}" for k, v in args.items()
                          if v is not None)
        if shown:
            events.append(_meta(pid, pid, "process_labels", {"labels": shown}))
        sort_index += 1
        return pid

    def thread(pid: int, tid: int, name: str, order: int) -> int:
        events.append(_meta(pid, tid, "thread_name", {"name": name}))
        events.append(_meta(pid, tid, "thread_sort_index", {"sort_index": order}))
        return tid

    builds = []
    for tl in tls:
        pre = f"{tl.label}: " if tl.label else ""
        cpid = process(f"{pre}coordinator" + (f" (pid {tl.coordinator_os_pid})" if tl.coordinator_os_pid else ""),
                       {"os_pid": tl.coordinator_os_pid, **tl.coordinator_args})
        events += _phase_events(cpid, thread(cpid, cpid, "phases", 0), tl.coordinator, tl.load_steps, {})
        if tl.beside:
            tid = thread(cpid, next(tids), "beside the first worker", 1)
            events += _phase_events(cpid, tid, tl.beside, tl.load_steps, {"overlapped": True})
        in_proc = [t for t in tl.tasks if t.in_process]
        if in_proc:
            tid = thread(cpid, next(tids), "compile (in this process)", 2)
            events += _task_events(cpid, tid, in_proc)
        if tl.idle:
            tid = thread(cpid, next(tids), "no worker running (critical path)", 3)
            events += [_x(cpid, tid, s.name, "critical_path", s.start, s.end, s.args) for s in tl.idle]
        wpids = []
        for k, os_pid in enumerate(tl.workers(), start=1):
            mine = [t for t in tl.tasks if not t.in_process and t.os_pid == os_pid]
            busy = sum(t.end - t.start for t in mine)
            wpid = process(f"{pre}worker {k}" + (f" (pid {os_pid})" if os_pid else ""),
                           {"os_pid": os_pid, "tasks": len(mine), "busy_s": round(busy, 6)})
            events += _task_events(wpid, thread(wpid, wpid, "tasks", 0), mine)
            wpids.append(wpid)
        builds.append({"label": tl.label, "coordinator_pid": cpid, "worker_pids": wpids, **tl.other})
    meta = sorted((e for e in events if e["ph"] == "M"), key=lambda e: (e["pid"], e["tid"], e["name"]))
    spans = sorted((e for e in events if e["ph"] == "X"),  # parents before their children
                   key=lambda e: (e["pid"], e["tid"], e["ts"], -e["dur"], e["cat"] in CHILD_CATEGORIES, e["name"]))
    from pcodegen import __version__

    data = {"schema": TRACE_SCHEMA, "pcodegen": __version__, "time_unit": "microseconds from the start of the load "
            "phase", **({"build": builds[0]} if len(builds) == 1 else {"builds": builds}), **(other or {})}
    return {"traceEvents": meta + spans, "displayTimeUnit": "ms", "otherData": data}


def _phase_events(pid: int, tid: int, phases: list[Span], load_steps: list[Span], extra: dict) -> list[dict]:
    """Coordinator phases, with the load phase's steps inside it."""
    out = []
    for s in phases:
        out.append(_x(pid, tid, s.name, "phase", s.start, s.end, {**s.args, **extra}))
        if s.name == "load":
            span = (_us(s.start), _us(s.end))
            out += [_x(pid, tid, f"load: {x.name}", "load_step", x.start, x.end, x.args, span) for x in load_steps]
    return out


def _task_events(pid: int, tid: int, tasks: list[Task]) -> list[dict]:
    out = []
    for t in sorted(tasks, key=lambda t: (t.start, t.index)):
        out.append(_x(pid, tid, t.label, "task", t.start, t.end, t.args))
        span = (out[-1]["ts"], out[-1]["ts"] + out[-1]["dur"])
        out += [_x(pid, tid, s.name, "worker_phase", s.start, s.end, {"partition": t.partition, **s.args}, span)
                for s in t.phases]
    return out


# -- writing it ---------------------------------------------------------------------------------

def is_trace_file(path: Path) -> bool:
    """Whether `path` holds a pcodegen trace (its `otherData.schema`)."""
    try:
        if path.stat().st_size > 1 << 30:
            return False
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and isinstance(doc.get("otherData"), dict) \
        and doc["otherData"].get("schema") == TRACE_SCHEMA


def check_trace_path(path: str | Path, option: str = "--trace", outdirs: Iterable[str | Path] = (),
                     files: Iterable[str | Path] = ()) -> Path:
    """Refuse, before any work, a trace path pcodegen must not write: not a file name in a
    writable directory, an existing file that is not a pcodegen trace, a path inside an
    output directory the command replaces as a whole (`outdirs`), or one of the
    command's other outputs (`files`)."""
    out = check_output_file(path, option, "the trace file")
    where = Path(os.path.abspath(out))
    for d in outdirs:
        root = Path(os.path.abspath(d))
        if root == where or root in where.parents:
            raise UsageError(f"{path}: {option} is inside the output directory {d}, which pcodegen replaces as a "
                             "whole; put the trace beside it")
    for f in files:
        if Path(os.path.abspath(f)) == where:
            raise UsageError(f"{path}: {option} names the same file as another output ({f})")
    if (out.exists() or out.is_symlink()) and not is_trace_file(out):
        raise UsageError(f"{path}: exists and is not a pcodegen trace ({option} overwrites only its own traces); "
                         "name a new file or remove it")
    return out


def write_trace(path: str | Path, doc: Mapping[str, Any]) -> Path:
    """Write the trace document to `path` atomically (a hidden file beside it, renamed
    into place); an existing file there is replaced only if it is a pcodegen trace."""
    out = Path(path)
    check_trace_path(out)
    tmp = out.with_name(f".{out.name}.pcodegen-tmp-{os.getpid()}")
    try:
        write_file(tmp, json.dumps(doc, separators=(",", ":")) + "\n")
        check_trace_path(out)  # again, just before the rename: something may have appeared meanwhile
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
