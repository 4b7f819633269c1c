"""`pcodegen bench --json`: the machine-readable figures per measured build (issue 14's
schema), from a real, short bench on the built-in sample with the cost rules side by side."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from conftest import run_cli

from pcodegen.bench.report import _r2

pytestmark = pytest.mark.slow  # a real bench run

DEMO = Path(str(resources.files("pcodegen") / "data" / "demo.ll"))


def test_r2() -> None:
    assert _r2([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == pytest.approx(1.0)
    assert _r2([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]) == pytest.approx(0.0)
    assert _r2([1.0], [1.0]) is None and _r2([1.0, 1.0], [2.0, 2.0]) is None


@pytest.mark.parametrize("cost", ["size", "model"])
def test_bench_json_groups(tmp_path: Path, cost: str) -> None:
    proc = run_cli("bench", DEMO, "--workers", "1,2", "--parts", "4", "--repeat", 1, "--opt", 1, "--link", "none",
                   "--predict", "1,2,4", "--no-plots", "-q", "--cost", cost, "-o", tmp_path / "b", "--json", timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    groups = doc["groups"]
    assert {g["workers"] for g in groups} == {1, 2} and all(g["parts"] == 4 for g in groups)
    for g in groups:
        assert set(g) >= {"label", "workers", "parts", "measured_s", "predicted_s", "partition_time_r2", "floor_s",
                          "critical_unit"}
        assert g["measured_s"] > 0 and g["predicted_s"] > 0 and g["cost_rule"] == cost
        assert g["floor_s"] is not None and g["critical_unit"]
        assert g["partition_time_r2"] is None or g["partition_time_r2"] <= 1.0
    predicted = {int(k): v for k, v in doc["predicted"].items()}
    assert set(predicted) >= {1, 2, 4} and all(v > 0 for v in predicted.values())
    results = json.loads((tmp_path / "b" / "results.json").read_text())
    assert all(s["plan"]["metrics"]["cost_rule"] == cost for s in results["samples"] if s.get("plan"))


def test_bench_warm_cache_row(tmp_path: Path) -> None:
    """`bench --cache DIR`: every parallel build is measured again with its objects in a
    cache it filled itself; the warm build reuses every partition and writes the cold
    build's objects; --json and report.md say so."""
    cache = tmp_path / "cache"
    proc = run_cli("bench", DEMO, "--workers", "2", "--parts", "3", "--repeat", 1, "--opt", 1, "--link", "none",
                   "--predict", "1,2", "--no-plots", "-q", "--cache", cache, "-o", tmp_path / "b", "--json", timeout=300)
    assert proc.returncode == 0, proc.stderr
    (row,) = json.loads(proc.stdout)["warm_cache"]
    assert row["label"] == "2w/3p pcodegen, warm cache" and row["hits"] == 3 and row["misses"] == 0
    assert row["objects_identical_to_cold"] and row["cold_s"] > 0 and row["share_of_cold"] > 0
    assert (cache / "bench-pcodegen-p3-w2-warm").is_dir()
    report = (tmp_path / "b" / "report.md").read_text()
    assert "## Warm cache" in report and "| 2w/3p pcodegen, warm cache |" in report
    (tmp_path / "file").write_text("x")
    bad = run_cli("bench", DEMO, "--workers", "2", "--repeat", 1, "--cache", tmp_path / "file", "-o", tmp_path / "c")
    assert bad.returncode == 2 and "names a directory" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "c").exists()
