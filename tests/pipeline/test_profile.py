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
