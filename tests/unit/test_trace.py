"""The build timeline as Chrome trace-event JSON (`pcodegen.timeline`; `compile --trace`):
its schema, the layout (phases end to end, tasks where they ran, each task's phases
inside it, the critical path), the names, and writing it without overwriting what
pcodegen did not write."""

from __future__ import annotations

import itertools
import json
from importlib import resources
from pathlib import Path

import networkx as nx
import pytest
from conftest import run_cli

from pcodegen.errors import UsageError
from pcodegen.timeline import (
    TRACE_SCHEMA,
    check_trace_path,
    phase_order,
    timeline,
    trace_events,
    write_trace,
)

DEMO = Path(str(resources.files("pcodegen") / "data" / "demo.ll"))
WORKER_PHASES = {"split", "parse", "optimize", "serialize", "emit"}


def assert_valid_trace(doc: object) -> dict:
    """The trace-event format's JSON object form, as Perfetto and chrome://tracing read
    it, plus pcodegen's own promises. Returns {(pid, tid): [X events]}."""
    doc = json.loads(json.dumps(doc))  # plain JSON, nothing Python-only
    assert isinstance(doc, dict) and set(doc) >= {"traceEvents", "displayTimeUnit", "otherData"}
    assert doc["displayTimeUnit"] in ("ms", "ns")
    assert doc["otherData"]["schema"] == TRACE_SCHEMA
    events = doc["traceEvents"]
    assert isinstance(events, list) and events
    named_pids, named_tids, tracks = set(), set(), {}
    for e in events:
        assert e["ph"] in ("X", "M"), e
        for key, typ in (("pid", int), ("tid", int), ("name", str), ("args", dict)):
            assert isinstance(e[key], typ) and not isinstance(e[key], bool), (key, e)
        if e["ph"] == "M":
            assert e["name"] in ("process_name", "thread_name", "process_sort_index", "thread_sort_index",
                                 "process_labels"), e
            if e["name"] == "process_name":
                named_pids.add(e["pid"])
                assert isinstance(e["args"]["name"], str) and e["args"]["name"]
            if e["name"] == "thread_name":
                named_tids.add((e["pid"], e["tid"]))
            if e["name"].endswith("sort_index"):
                assert isinstance(e["args"]["sort_index"], int)
            continue
        assert isinstance(e["cat"], str) and e["cat"]
        assert isinstance(e["ts"], int) and isinstance(e["dur"], int), e  # integer microseconds
        assert e["ts"] >= 0 and e["dur"] >= 0, e
        tracks.setdefault((e["pid"], e["tid"]), []).append(e)
    assert {pid for pid, _ in tracks} <= named_pids  # every process and thread with events is named
    assert set(tracks) <= named_tids
    # metadata first, then each track's slices in time order, parents before children
    phs = [e["ph"] for e in events]
    assert phs == sorted(phs, key=lambda p: p != "M")
    xs = [e for e in events if e["ph"] == "X"]
    assert xs == sorted(xs, key=lambda e: (e["pid"], e["tid"], e["ts"], -e["dur"]))
    for key, slices in tracks.items():  # slices on one thread nest properly (no partial overlap)
        stack: list[dict] = []
        for e in slices:
            while stack and e["ts"] >= stack[-1]["ts"] + stack[-1]["dur"]:
                stack.pop()
            if stack:
                top = stack[-1]
                assert e["ts"] + e["dur"] <= top["ts"] + top["dur"], (key, top, e)
            stack.append(e)
    for slices in tracks.values():  # each worker phase inside its task, in order, named by partition
        tasks = [e for e in slices if e["cat"] == "task"]
        for e in slices:
            if e["cat"] != "worker_phase":
                continue
            assert e["name"] in WORKER_PHASES
            owner = [t for t in tasks if t["ts"] <= e["ts"] and e["ts"] + e["dur"] <= t["ts"] + t["dur"]]
            assert len(owner) == 1, e
            assert owner[0]["args"]["partition"] == e["args"]["partition"]
            assert owner[0]["name"].startswith(e["args"]["partition"])
        for t in tasks:
            part = t["args"]["partition"]
            inner = [e for e in slices if e["cat"] == "worker_phase" and e["args"]["partition"] == part]
            order = [e["name"] for e in inner]
            assert order == [p for p in ("split", "parse", "optimize", "serialize", "emit") if p in order]
            assert all(a["ts"] + a["dur"] <= b["ts"] for a, b in itertools.pairwise(inner))
    return tracks


def _report(spans: bool = True) -> dict:
    """A compile report as report.json holds it (keys sorted), 4 partitions on 2 workers."""
    workers = []
    for i, (pid, start, end) in enumerate([(101, 0.010, 0.070), (102, 0.012, 0.060), (102, 0.061, 0.100),
                                           (101, 0.071, 0.090)]):
        workers.append({"partition": f"part-{i:03d}", "pid": pid, "split": 0.002, "parse": 0.003, "optimize": 0.02,
                        "serialize": 0.0, "emit": 0.01, "total": 0.035, "cpu_s": 0.03,
                        "cpu": {"split": 0.002, "parse": 0.003, "optimize": 0.02, "emit": 0.01},
                        "rss_start_kb": 40_000, "peak_rss_kb": 90_000 + i,
                        **({"start_s": start, "end_s": end} if spans else {})})
    members = [["a", "big0", "c"], ["big1"], ["d", "e", "big2", "f"], ["g", "big3"]]
    return {"schema": "pcodegen.compile/1", "input": {"path": "m.bc", "sha256": "0" * 64},
            "settings": {"mode": "parallel", "parts": 4, "workers": 2},
            "plan": {"members": members, "parts": 4, "metrics": {"partition_costs": [10, 20, 30, 40]}},
            "timings": {"phases": dict(sorted({"load": 0.02, "graph": 0.005, "partition": 0.003, "compile": 0.105,
                                               "validate": 0.001, "write": 0.002}.items())),
                        "overlapped_phases": {}, "load_steps": {"cut": 0.01, "parse": 0.004, "print": 0.002,
                                                                "verify_wait": 0.001},
                        "critical_path_s": 0.046, "coordinator_cpu_s": 0.04, "coordinator_peak_rss_kb": 80_000,
                        "workers": workers}}


def _graph() -> object:
    g = nx.DiGraph()
    for n in "acdefg":
        g.add_node(n, cost=1)
    for k, n in enumerate(["big0", "big1", "big2", "big3"]):
        g.add_node(n, cost=100 + k)
    return type("G", (), {"g": g})()


def test_the_trace_of_a_parallel_build_is_valid_and_laid_out() -> None:
    doc = trace_events(_report(), graph=_graph(), coordinator_pid=7)
    tracks = assert_valid_trace(doc)
    xs = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    names = {e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "process_name"}
    assert names == {"coordinator (pid 7)", "worker 1 (pid 101)", "worker 2 (pid 102)"}
    # the coordinator's phases end to end, in the order they ran (not report.json's sorted order)
    phases = [e for e in xs if e["cat"] == "phase"]
    assert [e["name"] for e in phases] == ["load", "graph", "partition", "compile", "validate", "write"]
    assert all(a["ts"] + a["dur"] == b["ts"] for a, b in itertools.pairwise(phases))
    assert phases[0]["ts"] == 0
    steps = [e["name"] for e in xs if e["cat"] == "load_step"]
    assert steps == ["load: parse", "load: print", "load: cut", "load: verify_wait"]
    # each task where its worker ran it (from the compile phase's start), named by partition and largest unit
    compile_ts = next(e["ts"] for e in phases if e["name"] == "compile")
    tasks = sorted((e for e in xs if e["cat"] == "task"), key=lambda e: e["args"]["partition"])
    assert [t["name"] for t in tasks] == ["part-000: big0 (+2 more)", "part-001: big1", "part-002: big2 (+3 more)",
                                          "part-003: big3 (+1 more)"]
    assert tasks[2]["ts"] == compile_ts + 61_000 and tasks[2]["dur"] == 39_000
    assert tasks[0]["args"]["peak_rss_kb"] == 90_000 and tasks[0]["args"]["cpu_s"] == 0.03
    assert tasks[0]["args"]["os_pid"] == 101
    # one process per worker (by pid): part-000 and part-003 ran in pid 101
    by_pid = {e["args"]["partition"]: e["pid"] for e in tasks}
    assert by_pid["part-000"] == by_pid["part-003"] != by_pid["part-001"] == by_pid["part-002"]
    # the worker phases inside each task, with their CPU seconds
    opt = [e for e in xs if e["name"] == "optimize" and e["args"]["partition"] == "part-000"]
    assert len(opt) == 1 and opt[0]["args"]["cpu_s"] == 0.02 and opt[0]["dur"] == 20_000
    assert not [e for e in xs if e["name"] == "serialize"]  # zero-length phases are left out
    # the critical path: no worker running before the first task and after the last
    idle = [e for e in xs if e["cat"] == "critical_path"]
    assert [(e["ts"], e["ts"] + e["dur"]) for e in idle] == [(0, compile_ts + 10_000),
                                                            (compile_ts + 100_000, 136_000)]
    assert doc["otherData"]["build"]["idle_s"] == pytest.approx(0.046)
    assert doc["otherData"]["build"]["critical_path_s"] == 0.046
    assert len(tracks) == 4  # coordinator phases, its critical path, two workers


def test_a_child_as_long_as_its_parent_comes_after_it() -> None:
    rep = _report()
    rep["timings"]["load_steps"] = {"parse": 0.02}  # the whole load phase
    w = rep["timings"]["workers"][0]
    w.update(split=0.0, parse=0.0, optimize=0.06, emit=0.0)  # the whole task
    xs = [e for e in trace_events(rep)["traceEvents"] if e["ph"] == "X"]
    assert [e["cat"] for e in xs[:2]] == ["phase", "load_step"] and xs[0]["dur"] == xs[1]["dur"]
    task = next(k for k, e in enumerate(xs) if e["cat"] == "task" and e["args"]["partition"] == "part-000")
    assert xs[task + 1]["cat"] == "worker_phase" and xs[task + 1]["dur"] == xs[task]["dur"]


def test_the_trace_is_deterministic() -> None:
    a = json.dumps(trace_events(_report(), graph=_graph(), coordinator_pid=7))
    assert a == json.dumps(trace_events(json.loads(json.dumps(_report())), graph=_graph(), coordinator_pid=7))


def test_without_a_graph_tasks_are_named_by_partition_and_member_count() -> None:
    doc = trace_events(_report(), units=None)
    assert_valid_trace(doc)
    names = sorted(e["name"] for e in doc["traceEvents"] if e.get("cat") == "task")
    assert names == ["part-000 (3 members)", "part-001 (1 members)", "part-002 (4 members)", "part-003 (2 members)"]


def test_tasks_without_spans_are_laid_after_each_other_per_process() -> None:
    doc = trace_events(_report(spans=False))
    assert_valid_trace(doc)
    tasks = [e for e in doc["traceEvents"] if e.get("cat") == "task"]
    assert all("placed" in t["args"] for t in tasks)


def test_a_one_partition_build_shows_the_phases_beside_its_worker() -> None:
    rep = _report()
    rep["plan"] = {"members": [["a", "big0"]], "parts": 1}
    t = rep["timings"]
    t["overlapped_phases"] = {"graph": 0.004, "load": 0.02, "partition": 0.001}
    t["phases"] = {"compile": 0.2, "validate": 0.001, "write": 0.002, "link": 0.03}
    t["workers"] = [dict(t["workers"][0], start_s=0.001, end_s=0.19)]
    doc = trace_events(rep, graph=_graph())
    assert_valid_trace(doc)
    xs = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    beside = [e for e in xs if e["args"].get("overlapped")]
    assert [e["name"] for e in beside] == ["load", "graph", "partition"] and beside[0]["ts"] == 0
    steps = [e for e in xs if e["cat"] == "load_step"]
    assert len(steps) == 4 and {e["tid"] for e in steps} == {beside[0]["tid"]}  # inside the load beside the worker
    assert [e["name"] for e in xs if e["cat"] == "phase" and not e["args"].get("overlapped")] == [
        "compile", "validate", "write", "link"]
    threads = {e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "thread_name"}
    assert "beside the first worker" in threads


def test_the_serial_build_compiles_in_the_coordinators_process() -> None:
    rep = {"plan": None, "timings": {"phases": {"load": 0.01, "compile": 0.3, "write": 0.001},
                                     "workers": [{"partition": "serial", "pid": 5, "optimize": 0.2,
                                                  "serialize": 0.0, "emit": 0.09, "total": 0.29, "cpu_s": 0.29,
                                                  "peak_rss_kb": 1}]}}
    doc = trace_events(rep, coordinator_pid=5)
    assert_valid_trace(doc)
    assert [e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "process_name"] == ["coordinator (pid 5)"]
    idle = [e for e in doc["traceEvents"] if e.get("cat") == "critical_path"]
    assert len(idle) == 1 and idle[0]["dur"] == 311_000  # the serial build is all critical path


def test_phase_order() -> None:
    assert phase_order(sorted(["load", "graph", "partition", "compile", "validate", "write", "link"])) == [
        "load", "graph", "partition", "compile", "validate", "write", "link"]
    assert phase_order(sorted(["load", "compile", "write", "link"])) == ["load", "compile", "write", "link"]
    # --combine bitcode: the bitcode link right after compile
    assert phase_order(sorted(["load", "graph", "partition", "compile", "link", "write"]), bitcode_link=True) == [
        "load", "graph", "partition", "compile", "link", "write"]
    assert phase_order(["zeta", "load"]) == ["load", "zeta"]


def test_several_builds_share_one_file_without_clashing() -> None:
    a = timeline(_report(), label="2w/4p", coordinator_pid=7)
    b = timeline(_report(), label="again", coordinator_pid=7)  # the same OS pids: still apart
    doc = trace_events([a, b])
    tracks = assert_valid_trace(doc)
    procs = [e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "process_name"]
    assert len(procs) == len(set(procs)) == 6
    assert len(tracks) == 8 and len(doc["otherData"]["builds"]) == 2


def test_the_bench_trace_holds_the_median_run_of_each_build() -> None:
    from pcodegen.bench.driver import bench_trace

    rep = _report()
    sample = {"config": "p", "round": 1, "warmup": False, "pid": 9, "plan": {"partition_members": [3, 1, 4, 2]},
              "phases": rep["timings"]["phases"], "workers": rep["timings"]["workers"],
              "largest_units": ["big0", "big1", "big2", "big3"], "coordinator_cpu_s": 0.1}
    other = dict(sample, round=0, largest_units=None)
    results = {"input": {"name": "m.bc"}, "created": "now", "settings": {},
               "configs": [{"id": "p", "label": "2w/4p x", "summary": {"samples": 3, "representative_round": 1}}],
               "samples": [other, sample]}
    doc = bench_trace(results)
    assert_valid_trace(doc)
    tasks = sorted(e["name"] for e in doc["traceEvents"] if e.get("cat") == "task")
    assert tasks[0] == "part-000: big0 (+2 more)"  # round 1's sample, with its units
    procs = [e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "process_name"]
    assert procs[0] == "2w/4p x (median of 3 runs, round 2): coordinator (pid 9)"


def test_write_trace_replaces_only_its_own_traces(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    doc = trace_events(_report())
    write_trace(path, doc)
    assert json.loads(path.read_text()) == json.loads(json.dumps(doc))
    write_trace(path, doc)  # a previous trace: replaced
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]  # no temporary file left
    other = tmp_path / "notes.json"
    other.write_text('{"mine": 1}\n')
    with pytest.raises(UsageError, match="exists and is not a pcodegen trace") as exc:
        write_trace(other, doc)
    assert "\n" not in str(exc.value)
    assert other.read_text() == '{"mine": 1}\n'
    with pytest.raises(UsageError, match="is a directory"):
        check_trace_path(tmp_path)
    with pytest.raises(UsageError, match="inside the output directory"):
        check_trace_path(tmp_path / "out" / "t.json", outdirs=[tmp_path / "out"])
    with pytest.raises(UsageError, match="same file"):
        check_trace_path(tmp_path / "prog", files=[tmp_path / "prog"])


def test_compile_trace_on_the_demo(tmp_path: Path) -> None:
    """The real CLI: compile --trace writes a valid trace of this build, the same
    partitions as its report.json, each named by its largest unit."""
    trace = tmp_path / "build.trace.json"
    proc = run_cli("compile", DEMO, "--parts", 3, "-j", 2, "-q", "-o", tmp_path / "out", "--trace", trace,
                   timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(trace.read_text())
    assert_valid_trace(doc)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    tasks = {e["args"]["partition"]: e for e in doc["traceEvents"] if e.get("cat") == "task"}
    assert sorted(tasks) == ["part-000", "part-001", "part-002"]
    for i, members in enumerate(report["plan"]["members"]):
        t = tasks[f"part-{i:03d}"]
        assert t["args"]["largest_unit"] in members and t["name"].startswith(f"part-{i:03d}: ")
        assert t["args"]["members"] == len(members)
    workers = {w["pid"] for w in report["timings"]["workers"]}
    procs = [e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "process_name"]
    assert len(procs) == 1 + len(workers) and procs[0].startswith("coordinator (pid ")
    assert doc["otherData"]["build"]["input"]["sha256"] == report["input"]["sha256"]
    # a file that is not a trace is refused before any work: exit 2, one line, nothing written
    mine = tmp_path / "mine.json"
    mine.write_text("keep me\n")
    proc = run_cli("compile", DEMO, "-q", "-o", tmp_path / "out2", "--trace", mine, timeout=120)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "not a pcodegen trace" in proc.stderr and mine.read_text() == "keep me\n"
    assert not (tmp_path / "out2").exists()
    proc = run_cli("compile", DEMO, "-q", "-o", tmp_path / "out", "--trace", tmp_path / "out" / "t.json",
                   timeout=120)
    assert proc.returncode == 2 and "inside the output directory" in proc.stderr


def test_compile_trace_of_the_serial_build_and_a_link(tmp_path: Path) -> None:
    trace = tmp_path / "serial.json"
    proc = run_cli("compile", DEMO, "--serial", "-q", "--link", "exe", "--link-arg=-lm", "-o", tmp_path / "prog",
                   "--trace", trace, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(trace.read_text())
    assert_valid_trace(doc)
    phases = [e["name"] for e in doc["traceEvents"] if e.get("cat") == "phase"]
    assert phases == ["load", "compile", "write", "link"]
    tasks = [e for e in doc["traceEvents"] if e.get("cat") == "task"]
    assert len(tasks) == 1 and tasks[0]["name"].startswith("serial")
