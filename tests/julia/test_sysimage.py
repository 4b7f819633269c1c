"""The sysimage preset (sized from Julia's system-image figures), `--scale` on every
preset, streamed emission, and an experiment on a scaled-down sysimage. Real llvmlite,
real worker processes, cc and the dynamic loader; no mocks."""

from __future__ import annotations

import json
import math

import pytest

from conftest import run_cli
from pcodegen.errors import ParameterError
from pcodegen.julia.codegen import runtime_functions
from pcodegen.julia.emit import emit_serial_ir, emit_serial_text
from pcodegen.julia.experiments.runner import run_experiment
from pcodegen.julia.presets import (COMPILED_AT_LEAST, FPTR_LIST_ASSUMED_MB, FPTR_LIST_MB, GVAR_LIST_MB,
                                    POINTER_BYTES, PRESETS, scaled, synthesize, sysimage_derivation)
from pcodegen.julia.workload import load_workload

SCALED_COUNTS = ("submitted", "duplicates", "const_return", "no_source", "workqueue_items", "duplicate_references",
                 "objects")


def test_sysimage_preset_is_derived_from_the_image_figures():
    p, d = PRESETS["sysimage"], sysimage_derivation()
    assert p.compiled == d["compiled"] >= COMPILED_AT_LEAST == 40_000
    # function-pointer list: 0.3 MB / 8 B = 37,500; read as rounded from 0.32 MB: 40,000
    assert d["compiled_as_reported"] == FPTR_LIST_MB * 1e6 / POINTER_BYTES == 37_500
    assert d["compiled"] * POINTER_BYTES == FPTR_LIST_ASSUMED_MB * 1e6 == 320_000
    assert round(d["compiled"] * POINTER_BYTES / 1e6, 1) == FPTR_LIST_MB  # 0.32 MB prints as 0.3 MB
    # global-variable list: 0.08 MB / 8 B = 10,000 slots = GOT slots + global targets
    assert d["global_slots"] == GVAR_LIST_MB * 1e6 / POINTER_BYTES == 10_000
    assert d["got_slots"] == len(runtime_functions()) and p.objects == 10_000 - d["got_slots"]
    # the figures not derived keep GLMakie's proportions (to rounding)
    g = PRESETS["glmakie"]
    assert abs(p.duplicates - p.submitted * g.duplicates / g.submitted) <= 1
    assert abs(p.const_return - p.submitted * g.const_return / g.submitted) <= 1
    assert abs(p.workqueue_items - p.compiled * g.workqueue_items / g.compiled) <= 1
    assert abs(p.duplicate_references - p.workqueue_items * g.duplicate_references / g.workqueue_items) <= 1
    for text in ("188 MB", "0.3 MB", "0.08 MB", "8 B", "37,500", "0.32 MB", "320,000 B", "40,000", "75,000",
                 "10,000", "9,958", f"{d['got_slots']} PLT GOT slots", "53,660", "539", "13,121", "51,725",
                 "37,053", "Derived", "Assumed"):
        assert text in p.description, text


def test_sysimage_workload_has_every_figure_and_exactly_the_slots():
    w = synthesize("sysimage", 0)
    stats = w.stats().to_dict()
    p = PRESETS["sysimage"]
    assert {k: stats[k] for k in p.figures()} == p.figures()
    assert stats["compiled"] >= 40_000
    assert stats["global_targets"] + stats["external_fns"] == 10_000  # the global-variable list's slots
    assert w.preset == "sysimage"


@pytest.mark.parametrize("name, factor", [("glmakie", 0.25), ("sysimage", 0.1), ("plots", 0.5), ("plotutils", 2.0)])
def test_scale_keeps_proportions_and_is_deterministic(name, factor):
    p, q = PRESETS[name], scaled(name, factor)
    for k in SCALED_COUNTS:
        assert getattr(q, k) == math.floor(getattr(p, k) * factor + 0.5), k
    assert abs(q.compiled - p.compiled * factor) <= 2
    assert abs(q.duplicate_references / q.workqueue_items - p.duplicate_references / p.workqueue_items) < 0.01
    assert (q.globals_per_ci, q.externals_per_ci, q.size_alpha) == (p.globals_per_ci, p.externals_per_ci, p.size_alpha)
    w = synthesize(q, 3)
    stats = w.stats().to_dict()
    assert {k: stats[k] for k in q.figures()} == q.figures()
    assert w.preset == f"{name}@{factor:g}"
    assert synthesize(scaled(name, factor), 3).to_dict() == w.to_dict()  # deterministic for a seed
    assert synthesize(q, 4).to_dict() != w.to_dict()
    assert scaled(name, 1) is p


@pytest.mark.parametrize("factor, message", [
    (0, "scale must be a finite number greater than 0, got 0"),
    (-1.5, "got -1.5"),
    (math.nan, "got nan"),
    (math.inf, "got inf"),
    (0.001, "leaves preset plots with"),
])
def test_scale_bad_values_are_parameter_errors(factor, message):
    with pytest.raises(ParameterError) as info:
        scaled("plots", factor)
    assert message in str(info.value) and info.value.as_option().startswith("--scale ")


@pytest.mark.parametrize("value, message", [
    ("0", "--scale must be a finite number greater than 0, got 0"),
    ("-2", "--scale must be a finite number greater than 0, got -2"),
    ("nan", "--scale must be a finite number greater than 0, got nan"),
    ("abc", "'abc' is not a valid float"),
    ("0.01", "--scale 0.01 leaves preset jll with"),
    ("2000", "runtime objects (the runtime holds at most 65,536)"),
])
def test_cli_scale_bad_value_is_one_line_exit_2(tmp_path, value, message):
    out = tmp_path / "w.json"
    proc = run_cli("synth", "--preset", "jll", f"--scale={value}", "-o", out)
    assert proc.returncode == 2
    assert message in proc.stderr and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert not out.exists()


def test_cli_synth_scale(tmp_path):
    out = tmp_path / "w.json"
    proc = run_cli("synth", "--preset", "sysimage", "--scale", "0.05", "--seed", "1", "-o", out)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    q = scaled("sysimage", 0.05)
    assert report["preset"] == "sysimage@0.05" and report["scale"] == 0.05 and report["matches_preset_figures"]
    assert {k: report["stats"][k] for k in q.figures()} == q.figures()
    assert "Scaled by 0.05" in report["description"]
    assert load_workload(out).to_dict() == synthesize(q, 1).to_dict()
    proc = run_cli("experiment", "approach1", "--workload", out, "--scale", "0.5")
    assert proc.returncode == 2 and "--scale applies to a --preset" in proc.stderr


@pytest.mark.parametrize("name", ["jll", "plots"])
def test_streamed_emission_prints_the_same_module(name):
    w = synthesize(name, 0)
    module, params = emit_serial_ir(w)
    text, streamed = emit_serial_text(w)
    assert text == str(module) == params.text()
    assert streamed.bodies and len(streamed.bodies) == w.stats().compiled
    assert all(not f.blocks for f in streamed.module.functions if f.name in streamed.bodies)


@pytest.mark.slow
def test_approach2_fixed_on_a_scaled_down_sysimage_reports_its_speedup():
    w = synthesize(scaled("sysimage", 0.01), 0)
    v = run_experiment("approach2", w, fixed=True, workers=2)
    d = v.details
    assert v.ok and v.outcome == "loaded_and_agrees" and v.preset == "sysimage@0.01"
    assert d["behaviour"]["entry_points"] == w.stats().compiled and d["behaviour"]["mismatches"] == 0
    assert d["merged_state"]["global_targets"] + d["merged_state"]["external_fns"] == 100 + len(runtime_functions())
    assert d["speedup_x"] == round(d["wall_s"]["serial"] / d["wall_s"]["parallel"], 3) > 0
    assert "wall-clock ratio" in d["speedup_basis"]
    assert f"speedup over serial emission {d['speedup_x']}x (wall clock: serial build" in v.summary
