"""Julia's three parallel-codegen approaches: each failing mode reproduces its failure,
each fixed mode works, on the jll and plots presets. Assertions are on verdict fields;
everything is real (llvmlite contexts, worker processes, cc, the dynamic loader)."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from pcodegen.julia.experiments.common import CrossContextLinkError, guarded_link
from pcodegen.julia.experiments.runner import run_experiment
from pcodegen.ir.parse import parse_module
from pcodegen.julia.emit import EmitTask, emit_partition, host_triple_and_layout
from pcodegen.julia.codegen import COUNTER, function_names
from pcodegen.julia.presets import synthesize

pytestmark = pytest.mark.slow  # end to end on real modules: `pytest -m "not slow"` leaves it out

PRESETS = ["jll", "plots"]


@pytest.fixture(scope="module", params=PRESETS)
def workload(request):
    return synthesize(request.param, 0)


def test_approach1_failing_cross_context_link_fails(workload):
    v = run_experiment("approach1", workload, fixed=False)
    assert v.ok and v.mode == "failing" and v.preset == workload.preset
    assert v.outcome in ("verifier_rejected", "killed_by_signal")
    if v.outcome == "verifier_rejected":
        assert "context does not match" in v.details["message"]
    else:
        assert v.details["signal"].startswith("SIG")
    assert v.details.get("contexts", 2) == 2


def test_approach1_fixed_guard_and_bitcode_route(workload):
    v = run_experiment("approach1", workload, fixed=True)
    assert v.ok and v.outcome == "guard_refused_bitcode_route_ok"
    assert "different contexts" in v.details["guard_error"]
    assert v.details["linked_verified"] and v.details["symbols_match_serial"]
    assert v.details["defined_symbols"] == v.details["serial_defined_symbols"] > workload.stats().compiled


def _declared_slots(workload, parts):
    """Every slot name each partition's module references, emitted here independently."""
    COUNTER.reset(1)
    names = function_names(workload)
    base = COUNTER.peek()
    triple, layout = host_triple_and_layout()
    out: dict[str, set[str]] = {}
    for i, members in enumerate(workload.partitions(parts)):
        st = emit_partition(EmitTask(i, workload, members, names, base, triple, layout)).state
        for name in [g["name"] for g in st["global_targets"]] + [p["got"] for p in st["external_fns"]]:
            out.setdefault(name, set()).add(f"partition{i}")
    return out


def test_approach2_failing_state_dropped(workload):
    v = run_experiment("approach2", workload, fixed=False, workers=2)
    d = v.details
    assert v.ok and v.outcome == "undefined_slots_loader_refused"
    assert d["link_ok"] and not d["validator_ok"] and not d["loaded"]
    assert "undefined symbol" in d["loader_error"]
    listed = {u["symbol"]: set(u["partitions"]) for u in d["undefined"]}
    # every GOT and global-target slot any partition references is listed, with its partitions
    assert listed == _declared_slots(workload, 2)
    assert d["undefined_count"]["got"] > 0 and d["undefined_count"]["global"] > 0
    assert d["undefined_count"]["other"] == 0
    assert d["loader_missing_symbol"] in listed
    assert d["serial_loaded"]


@pytest.mark.parametrize("workers", [2])
def test_approach2_fixed_state_merged(workload, workers):
    v = run_experiment("approach2", workload, fixed=True, workers=workers)
    d = v.details
    assert v.ok and v.outcome == "loaded_and_agrees"
    assert d["validator_ok"] and d["undefined"] == [] and d["duplicates"] == []
    assert d["loaded"] and d["names_match_serial"]
    assert d["behaviour"]["mismatches"] == 0
    assert d["behaviour"]["entry_points"] == workload.stats().compiled
    assert d["merged_state"]["workqueue_items"] == workload.stats().workqueue_items
    assert d["merged_state"]["duplicate_references"] == workload.stats().duplicate_references
    assert d["plt_bindings"]["parallel"] == d["plt_bindings"]["serial"] > 0


def test_approach3_failing_deadlock_detected(workload):
    v = run_experiment("approach3", workload, fixed=False, bound_s=10)
    d = v.details
    assert v.ok and v.outcome == "deadlock"
    assert d["detected_after_s"] <= 10
    threads = {w["thread"]: w for w in d["waiting"]}
    assert set(threads) == {"codegen-0", "codegen-1"}
    holder = d["holder"]
    other = next(t for t in threads if t != holder)
    assert threads[other]["waits_for"] == f"codegen context lock held by {holder}"
    assert threads[holder]["waits_for"].startswith("workqueue item julia_")
    assert threads[holder]["on_thread"] == other
    assert d["cycle"][0] == d["cycle"][-1] and set(d["cycle"]) == {"codegen-0", "codegen-1"}
    assert any("acquire" in f for f in threads[other]["stack"])  # seen in the thread's real stack


def test_approach3_fixed_completes_about_1x(workload):
    v = run_experiment("approach3", workload, fixed=True)
    d = v.details
    assert v.ok and v.outcome == "completed"
    assert d["runs"]["1"]["outcome"] == d["runs"]["2"]["outcome"] == "completed"
    assert d["runs"]["2"]["modules"] == 2
    assert 0.3 < d["speedup"] < 1.6  # little parallelism is left
    assert "global lock" in d["note"]


def test_guard_refuses_cross_context_link_in_process():
    import llvmlite.binding as llvm

    a = parse_module("define i64 @f() {\n  ret i64 1\n}\n", llvm.create_context())
    b = parse_module("define i64 @g() {\n  ret i64 2\n}\n", llvm.create_context())
    with pytest.raises(CrossContextLinkError, match="different contexts"):
        guarded_link(a, b)
    c = parse_module(b.as_bitcode(), a._context)  # the bitcode route
    guarded_link(a, c)
    a.verify()
    assert {f.name for f in a.functions} == {"f", "g"}


def test_cli_experiment_exit_codes(tmp_path):
    out = tmp_path / "verdict.json"
    proc = run_cli("experiment", "approach1", "--preset", "jll", "-o", out, "--json")
    assert proc.returncode == 0, proc.stderr
    verdict = json.loads(proc.stdout)
    assert verdict["ok"] and verdict["experiment"] == "approach1" and verdict["mode"] == "failing"
    assert json.loads(out.read_text()) == verdict
    proc = run_cli("experiment", "approach3", "--fixed", "--preset", "jll", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["outcome"] == "completed"
    proc = run_cli("experiment", "approach4")
    assert proc.returncode == 2
    proc = run_cli("experiment", "approach2", "--preset", "nope")
    assert proc.returncode == 2 and "unknown preset" in proc.stderr and "Traceback" not in proc.stderr
