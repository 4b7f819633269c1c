"""Emission with Julia's naming, CodegenParams state, the deterministic merge, and
libraries built from it, loaded with the real dynamic loader."""

from __future__ import annotations

import ctypes
import json
import os
import random
import re

import llvmlite.binding as llvm
import pytest

from conftest import run_cli
from pcodegen.ir.parse import parse_module
from pcodegen.julia.emit import (
    ObjectTask,
    EmitTask,
    compile_partition,
    emit_partition,
    emit_serial_ir,
    emit_workload,
    host_triple_and_layout,
    rename_globals,
)
from pcodegen.errors import CheckFailed
from pcodegen.julia.build import build_parallel, build_serial, compare_results, run_entries, validate_library
from pcodegen.julia.codegen import COUNTER, GOT_RE, SLOT_RE, function_names, merge_states, slot_kind
from pcodegen.julia.presets import synthesize

NAME_N = re.compile(r"_(\d+)$|#(\d+)$|_(\d+)_got$")


@pytest.fixture(scope="module")
def jll():
    return synthesize("jll", 0)


@pytest.fixture(scope="module")
def plots():
    return synthesize("plots", 0)


def _number(name: str) -> int:
    m = NAME_N.search(name)
    assert m, name
    return int(next(g for g in m.groups() if g))


def test_serial_emission_names_and_state(jll):
    module, params = emit_serial_ir(jll)
    stats = jll.stats()
    assert len(params.defined) == stats.compiled
    assert params.workqueue_stats() == {"items": stats.workqueue_items, "duplicates": stats.duplicate_references}
    fn_names = [params.names[c] for c in params.defined]
    assert all(re.fullmatch(r"julia_.+_\d+", n) for n in fn_names)
    slots = [s.name for s in params.global_targets.values()] + [s.name for s in params.external_fns.values()]
    assert all(SLOT_RE.match(s) for s in slots)
    kinds = {jll.objects[s.key].kind: s.name for s in params.global_targets.values()}
    assert kinds["value"].startswith("jl_global#")
    assert kinds["type"][0] == "+" and kinds["method"][0] == "-" and kinds["binding"][0] == "*"
    # one process-wide counter: every N is distinct
    numbers = [_number(n) for n in fn_names + slots]
    assert len(numbers) == len(set(numbers))
    mod = parse_module(str(module))
    for slot in params.external_fns.values():
        thunk = slot.name.removesuffix("_got")
        gv = mod.get_global_variable(slot.name)
        assert not gv.is_declaration
        assert f"@{thunk}" in str(gv)  # the GOT slot starts out pointing at its own thunk
        assert mod.get_function(thunk).visibility.name == "hidden"


def test_emit_workload_bitcode_verifies(jll):
    data = emit_workload(jll)
    mod = llvm.parse_bitcode(data, context=llvm.create_context())
    mod.verify()
    defined = {f.name for f in mod.functions if not f.is_declaration}
    assert sum(n.startswith("julia_") for n in defined) == jll.stats().compiled


def test_worker_partition_only_declares_its_slots(plots):
    COUNTER.reset(1)
    names = function_names(plots)
    base = COUNTER.peek()
    triple, layout = host_triple_and_layout()
    part = plots.partitions(2)[1]
    res = emit_partition(EmitTask(1, plots, part, names, base, triple, layout))
    mod = llvm.parse_bitcode(res.bitcode, context=llvm.create_context())
    slots = [g for g in mod.global_variables if slot_kind(g.name)]
    assert slots and all(g.is_declaration for g in slots)  # state dropped = nothing defines them
    st = res.state
    assert {g["name"] for g in st["global_targets"]} | {p["got"] for p in st["external_fns"]} == {g.name for g in slots}
    assert st["workqueue"]["pending"]  # calls into the other partition stay placeholders
    assert not any(f.name.startswith("jlplt_") and not GOT_RE.match(f.name) for f in mod.functions)


def _merged(workload, parts, shuffle=False):
    COUNTER.reset(1)
    names = function_names(workload)
    base = COUNTER.peek()
    triple, layout = host_triple_and_layout()
    results = [emit_partition(EmitTask(i, workload, m, names, base, triple, layout))
               for i, m in enumerate(workload.partitions(parts))]
    states = [r.state for r in results]
    if shuffle:
        random.Random(parts).shuffle(states)
    return merge_states(states, workload, base), results


@pytest.mark.slow
def test_merge_is_deterministic_and_matches_serial_numbering(plots):
    _, params = emit_serial_ir(plots)
    serial_slots = sorted([s.name for s in params.global_targets.values()]
                          + [s.name for s in params.external_fns.values()])
    seen = []
    for parts, shuffle in ((1, False), (2, False), (3, True), (5, True)):
        merged, _ = _merged(plots, parts, shuffle)
        got = sorted([n for n, _ in merged.global_targets] + [f"jlplt_{f}_{n}_got" for f, n in merged.external_fns])
        assert got == serial_slots, parts
        assert merged.workqueue_items == params.workqueue_stats()["items"]
        assert merged.duplicate_references == params.workqueue_stats()["duplicates"]
        seen.append((merged.global_targets, merged.external_fns))
    assert all(s == seen[0] for s in seen)


def test_merge_rejects_a_workqueue_item_nobody_emits(plots):
    merged, results = _merged(plots, 2)
    states = [results[1].state]  # partition 0, which partition 1 calls into, is missing
    with pytest.raises(CheckFailed, match="emitted by no partition"):
        merge_states(states, plots, 10_000)


def test_rename_swaps_without_collision():
    mod = parse_module('@"jl_global#1" = external global ptr\n@"jl_global#2" = external global ptr\n'
                         'define ptr @f() {\n  %a = load ptr, ptr @"jl_global#1"\n  ret ptr %a\n}\n')
    rename_globals(mod, {"jl_global#1": "jl_global#2", "jl_global#2": "jl_global#1"})
    mod.verify()
    assert 'load ptr, ptr @"jl_global#2"' in str(mod)


def test_compile_partition_applies_renames(plots):
    merged, results = _merged(plots, 2)
    r = results[1]
    out = compile_partition(ObjectTask(1, "partition1", r.bitcode, merged.renames[1], opt=0))
    from pcodegen.validate.symbols import symbols_of_object

    undefined = {s for s in symbols_of_object(out.object).undefined if slot_kind(s)}
    assert undefined and undefined <= set(merged.symbols())


def test_serial_library_binds_plt_slots_on_first_call(jll, tmp_path):
    lib = build_serial(jll, tmp_path / "serial", opt=2)
    entries = [lib.names[ci.id] for ci in jll.compiled() if ci.externals]
    assert entries
    first = run_entries(lib.path, entries[:1], xs=(3,))
    assert first["loaded"] and first["plt_bindings"] >= 1
    # and directly: the GOT slot points at the thunk until the thunk binds it
    handle = ctypes.CDLL(str(lib.path), mode=os.RTLD_NOW | os.RTLD_LOCAL)
    ci = next(ci for ci in jll.compiled() if ci.externals)
    _, params = emit_serial_ir(jll)
    got_name = params.external_fns[ci.externals[0]].name
    got = ctypes.c_void_p.in_dll(handle, got_name)
    real = ctypes.cast(handle[ci.externals[0]], ctypes.c_void_p).value
    assert got.value != real  # still the thunk
    fn = handle[lib.names[ci.id]]
    fn.restype, fn.argtypes = ctypes.c_int64, [ctypes.c_int64, ctypes.c_int64]
    fn(5, 0)
    assert ctypes.c_void_p.in_dll(handle, got_name).value == real  # bound by the thunk


@pytest.mark.parametrize("workers", [1, 3])
@pytest.mark.slow
def test_parallel_library_agrees_with_serial(jll, tmp_path, workers):
    serial = build_serial(jll, tmp_path / "serial")
    par = build_parallel(jll, tmp_path / "par", parts=3, workers=workers)
    report = validate_library(par, serial.symbol_tables()["serial"])
    assert report.ok, report.lines()
    entries = [serial.names[ci.id] for ci in jll.compiled()]
    a, b = run_entries(serial.path, entries), run_entries(par.path, entries)
    assert a["loaded"] and b["loaded"]
    cmp = compare_results(entries, a["results"], b["results"])
    assert cmp["mismatches"] == 0 and cmp["entry_points"] == jll.stats().compiled


@pytest.mark.slow
def test_cli_emit(tmp_path):
    wl = tmp_path / "w.json"
    synthesize("jll", 0).save(wl)
    out = tmp_path / "m.bc"
    proc = run_cli("emit", wl, "-o", out)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["functions"] == 41 and report["workqueue"] == {"items": 52, "duplicates": 36}
    llvm.parse_bitcode(out.read_bytes(), context=llvm.create_context()).verify()
    proc = run_cli("emit", wl, "-o", tmp_path / "m.ll")
    assert proc.returncode == 0 and "define" in (tmp_path / "m.ll").read_text()


@pytest.mark.slow
def test_cli_emit_bad_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "pcodegen-workload", "version": 1, "objects": [],
                               "code_instances": [{"id": 0, "name": "f", "size": 3, "callees": [4]}]}))
    proc = run_cli("emit", bad, "-o", tmp_path / "m.bc")
    assert proc.returncode == 2
    assert "dangling callee 4" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("emit", tmp_path / "missing.json", "-o", tmp_path / "m.bc")
    assert proc.returncode == 2 and "cannot read" in proc.stderr
