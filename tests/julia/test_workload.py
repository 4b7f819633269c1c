"""The workload model, its JSON schema, and the synthesizer's presets."""

from __future__ import annotations

import json
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli
from pcodegen.errors import UsageError
from pcodegen.julia.codegen import runtime_functions
from pcodegen.julia.presets import PRESETS, synthesize
from pcodegen.julia.workload import Workload, load_workload

SEED_FIGURES = {
    "submitted": 10_347, "duplicates": 104, "const_return": 2_530, "compiled": 7_710,
    "workqueue_items": 9_970, "duplicate_references": 7_142,
}


def test_glmakie_reproduces_every_seed_figure():
    stats = synthesize("glmakie", 0).stats()
    assert {k: getattr(stats, k) for k in SEED_FIGURES} == SEED_FIGURES
    # 10,347 - 104 - 2,530 = 7,713: the model's three CodeInstances without source close the gap
    assert stats.no_source == 3
    assert stats.submitted - stats.duplicates - stats.const_return - stats.no_source == stats.compiled
    assert round(stats.duplicate_references / stats.workqueue_items, 2) == 0.72


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_matches_its_figures(name):
    stats = synthesize(name, 3).stats().to_dict()
    for key, want in PRESETS[name].figures().items():
        assert stats[key] == want, key


def test_synth_is_deterministic_for_a_seed():
    a = synthesize("plots", 7).to_dict()
    assert synthesize("plots", 7).to_dict() == a
    assert synthesize("plots", 8).to_dict() != a


def test_shapes_heavy_tailed_sizes_and_local_calls():
    w = synthesize("glmakie", 0)
    compiled = w.compiled()
    sizes = sorted(ci.size for ci in compiled)
    assert sizes[-1] > 20 * statistics.median(sizes)  # a few large, many small
    pos = {ci.id: k for k, ci in enumerate(compiled)}
    distances = [pos[ci.id] - pos[c] for ci in compiled for c in ci.callees]
    assert all(d > 0 for d in distances)  # callees come earlier in submission order
    assert statistics.median(distances) < len(compiled) / 50  # ... and mostly near the caller
    assert set(e for ci in compiled for e in ci.externals) <= set(runtime_functions())


def test_json_round_trip(tmp_path):
    w = synthesize("jll", 1)
    path = tmp_path / "w.json"
    w.save(path)
    back = load_workload(path)
    assert back.to_dict() == w.to_dict()
    assert back.stats() == w.stats()


def _minimal() -> dict:
    return {"format": "pcodegen-workload", "version": 1,
            "objects": [{"id": 0, "kind": "type", "name": "Core.Array"}],
            "code_instances": [
                {"id": 0, "name": "f", "size": 10, "callees": [], "globals": [0], "externals": ["jl_box_int64"]},
                {"id": 1, "name": "g", "size": 10, "callees": [0]},
                {"id": 2, "name": "k", "size": 2, "const_return": True},
            ]}


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["code_instances"][1].update(callees=[9]), "dangling callee 9"),
    (lambda d: d["code_instances"][1].update(callees=[2]), "callee 2 is const_return"),
    (lambda d: d["code_instances"][0].update(globals=[4]), "global 4 is not an object"),
    (lambda d: d["code_instances"][0].update(externals=["jl_nope"]), "not in the runtime"),
    (lambda d: d["code_instances"][0].update(size=0), "size must be an integer >= 1"),
    (lambda d: d["code_instances"][0].update(name="a b"), "printable name"),
    (lambda d: d["code_instances"][0].update(id=5), "ids must equal positions"),
    (lambda d: d["code_instances"][0].update(duplicate_of=1), "earlier CodeInstance"),
    (lambda d: d["code_instances"][0].update(colour="red"), "unknown field 'colour'"),
    (lambda d: d["objects"][0].update(kind="module"), "kind must be one of"),
    (lambda d: d.update(format="other"), "not a workload"),
    (lambda d: d.update(version=9), "unsupported workload version"),
    (lambda d: d.update(code_instances=[]), "code_instances is empty"),
])
def test_bad_schema_is_one_line_usage_error(mutate, message):
    data = _minimal()
    Workload.from_dict(data)  # the unmutated document is valid
    mutate(data)
    with pytest.raises(UsageError) as info:
        Workload.from_dict(data, "w.json")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_not_json(tmp_path):
    path = tmp_path / "w.json"
    path.write_text("{nope")
    with pytest.raises(UsageError, match="not JSON"):
        load_workload(path)
    with pytest.raises(UsageError, match="cannot read"):
        load_workload(tmp_path / "missing.json")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_any_seed_gives_a_valid_workload_with_the_figures(seed):
    w = synthesize("jll", seed)
    back = Workload.from_dict(json.loads(json.dumps(w.to_dict())))
    stats = back.stats().to_dict()
    assert {k: stats[k] for k in PRESETS["jll"].figures()} == PRESETS["jll"].figures()


@pytest.mark.slow
def test_cli_synth(tmp_path):
    out = tmp_path / "w.json"
    proc = run_cli("synth", "--preset", "glmakie", "--seed", "2", "-o", out)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["matches_preset_figures"] is True
    assert {k: report["stats"][k] for k in SEED_FIGURES} == SEED_FIGURES
    assert load_workload(out).stats().compiled == 7_710


@pytest.mark.slow
def test_cli_synth_bad_usage(tmp_path):
    proc = run_cli("synth", "--preset", "nope", "-o", tmp_path / "w.json")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "unknown preset" in proc.stderr
    proc = run_cli("synth", "--preset", "jll")
    assert proc.returncode == 2  # -o is required
