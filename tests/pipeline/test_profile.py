"""`pcodegen profile`: measured compile time per unit through the real CLI, and plans
that use it (`--cost profile:FILE`)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import needs_clang, run_cli


@needs_clang
def test_profile_measures_every_unit(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    bc = sample_modules["exprcalc"]
    out = tmp_path / "p.json"
    proc = run_cli("profile", bc, "-o", out, "--workers", 2, "--json")
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    secs = [u["optimize_s"] + u["emit_s"] for u in shown["units"]]
    assert secs == sorted(secs, reverse=True) and all(s >= 0 for s in secs)
    assert set(shown["units"][0]) == {"name", "optimize_s", "emit_s", "predicted_s"}
    doc = json.loads(out.read_text())
    assert doc["schema"] == "pcodegen.profile/1"
    graph = json.loads(run_cli("graph", bc, "--json").stdout)
    assert sum(len(u["members"]) for u in doc["units"]) == graph["nodes"]
    # Every compiled partition's measured seconds are shared out, none lost or counted twice.
    first = [p for p in doc["partitions"] if p["round"] == 1]
    assert sum(p["optimize_s"] + p["emit_s"] for p in first) >= doc["total_s"] * 0.5
    assert abs(sum(u["seconds"] for u in doc["units"]) - doc["total_s"]) < 1e-9
    plan = run_cli("partition", bc, "--parts", 3, "--cost", f"profile:{out}", "--json")
    assert plan.returncode == 0, plan.stderr
    metrics = json.loads(plan.stdout)["metrics"]
    assert metrics["cost_rule"] == f"profile:{out}"
    # Costs are measured microseconds: they sum to the profile's total (each unit at least 1 us).
    assert abs(metrics["total_cost"] - doc["total_s"] * 1e6) <= len(doc["units"]) + 1
    text = run_cli("profile", bc, "--top", 3)
    assert text.returncode == 0 and "measured s" in text.stdout and "share" in text.stdout


def test_profile_refuses_a_foreign_output(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    mine = tmp_path / "notes.json"
    mine.write_text("{}")
    proc = run_cli("profile", sample_modules["registry"], "-o", mine)
    assert proc.returncode == 2 and "not a pcodegen profile" in proc.stderr and mine.read_text() == "{}"
    bad = run_cli("compile", sample_modules["registry"], "--cost", "bogus", "-o", tmp_path / "x")
    assert bad.returncode == 2 and "unknown cost rule" in bad.stderr and not (tmp_path / "x").exists()


@needs_clang
def test_model_rule_plans_by_predicted_seconds(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    """The shipped calibrated model: costs are predicted microseconds, `auto` is one
    partition per 0.5 s of them, and the build behaves as the serial one."""
    from pcodegen.cost import load_model

    model = load_model()
    assert model.coefficients and model.fitted_on
    assert set(model.held_out) == set(model.fitted_on) and all("r2" in v for v in model.held_out.values())
    bc = sample_modules["exprcalc"]
    plan = json.loads(run_cli("partition", bc, "--parts", 3, "--cost", "model", "--json").stdout)
    assert plan["metrics"]["cost_rule"] == "model"
    size_plan = json.loads(run_cli("partition", bc, "--parts", 3, "--cost", "size", "--json").stdout)
    assert sum(plan["metrics"]["partition_sizes"]) == sum(size_plan["metrics"]["partition_costs"])
    proc = run_cli("compile", bc, "--cost", "model", "--workers", 2, "--link", "exe", "-o", tmp_path / "calc")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "calc.parts" / "report.json").read_text())
    assert report["settings"]["cost"] == "model" and report["plan"]["parts"] == 2  # well under 0.5 s of work
