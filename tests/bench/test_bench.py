"""`pcodegen bench` and `pcodegen demo` on the built-in sample: the three outputs, the
results.json schema, the report's predictor table, and the demo's behaviour check."""

from __future__ import annotations

import importlib.util
import json
import statistics
from importlib import resources
from pathlib import Path

import pytest

from conftest import run_cli
from pcodegen.bench.driver import memory_figures

pytestmark = pytest.mark.slow  # end to end on real modules: `pytest -m "not slow"` leaves it out

DEMO = Path(str(resources.files("pcodegen") / "data" / "demo.ll"))
HAVE_MPL = importlib.util.find_spec("matplotlib") is not None


@pytest.fixture(scope="module")
def bench_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("bench") / "report"
    proc = run_cli("bench", DEMO, "--workers", "1,2", "--repeat", 2, "--opt", 1, "--link", "exe",
                   "--predict", "1,2,4,8,16,64", "-o", out, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def test_bench_writes_the_three_outputs(bench_out: tuple[Path, str]) -> None:
    out, stdout = bench_out
    assert (out / "results.json").is_file() and (out / "report.md").is_file()
    if HAVE_MPL:
        for name in ("speedup.png", "phases.png", "balance.png"):
            data = (out / name).read_bytes()
            assert data.startswith(b"\x89PNG") and len(data) > 10_000
    assert f"report: {out / 'report.md'}" in stdout
    assert "speedup" in stdout and "Amdahl serial fraction" in stdout
    assert "memory (peak RSS): serial " in stdout and "MiB at once" in stdout
    assert not list(out.parent.glob(".report.*"))  # no temporary directory left behind


def test_results_schema(bench_out: tuple[Path, str]) -> None:
    out, _ = bench_out
    r = json.loads((out / "results.json").read_text())
    assert r["schema"] == "pcodegen.bench/1"
    for key in ("cores", "usable_cores", "cpu_model", "python", "llvmlite", "llvm", "loadavg_start", "loadavg_end"):
        assert key in r["machine"]
    assert r["settings"]["repeat"] == 2 and r["settings"]["order"] == "interleaved"
    ids = [c["id"] for c in r["configs"]]
    assert ids[0] == "serial" and len(ids) == 3
    # every raw sample: 3 builds x 2 rounds, interleaved S A B S A B
    assert [x["config"] for x in r["samples"]] == ids * 2
    for x in r["samples"]:
        for key in ("wall_s", "process_s", "phases", "coordinator_peak_rss_kb", "cpu_total_s", "workers", "outputs",
                    "loadavg", "round", "warmup"):
            assert key in x, key
        assert x["coordinator_peak_rss_kb"] > 0
        if x["config"] != "serial":
            assert x["plan"]["metrics"]["partition_costs"]
            for w in x["workers"]:
                for key in ("split", "parse", "optimize", "emit", "total", "cpu_s", "peak_rss_kb", "rss_start_kb",
                            "start_s", "end_s", "lane", "cost"):
                    assert key in w, key
                assert w["peak_rss_kb"] >= w["rss_start_kb"] > 0
    par = [c for c in r["configs"] if c["mode"] == "parallel"]
    for c in par:
        s = c["summary"]
        assert s["objects_identical_across_rounds"]
        # the speedup recomputed from the raw samples: per round, serial wall over this
        # build's wall in the same round; overall, the ratio of the median walls
        walls = {(x["config"], x["round"]): x["wall_s"] for x in r["samples"] if not x["warmup"]}
        rounds = sorted(rd for cfg, rd in walls if cfg == c["id"])
        per_round = [walls["serial", rd] / walls[c["id"], rd] for rd in rounds]
        sp = s["speedup"]
        assert len(rounds) == 2 and sp["per_round"] == pytest.approx(per_round)
        assert (sp["min"], sp["max"]) == pytest.approx((min(per_round), max(per_round)))
        assert sp["median"] == pytest.approx(statistics.median(walls["serial", rd] for rd in rounds)
                                             / statistics.median(walls[c["id"], rd] for rd in rounds))
        assert len(s["partition_seconds_median"]) == c["parts"]
        # memory, KiB: the coordinator, the largest worker, and the processes alive at once
        m = s["memory"]
        assert m["coordinator_peak_kb"] == s["coordinator_peak_rss_kb"] > 0
        assert m["worker_peak_kb"] == s["worker_peak_rss_kb"] > m["worker_own_kb"] > 0
        assert m["concurrent_basis"] == "task spans" and m["estimate_kb"] > m["coordinator_peak_kb"]
        runs = [memory_figures(x) for x in r["samples"] if x["config"] == c["id"] and not x["warmup"]]
        for key in ("coordinator_peak_kb", "worker_peak_kb", "worker_own_kb", "concurrent_peak_sum_kb",
                    "concurrent_own_sum_kb"):
            assert m[key] == max(f[key] for f in runs), key  # the largest over the runs
        for f in runs:
            assert f["coordinator_peak_kb"] + f["worker_own_kb"] <= f["concurrent_own_sum_kb"]
            assert f["concurrent_own_sum_kb"] <= f["concurrent_peak_sum_kb"]
            assert f["concurrent_peak_sum_kb"] <= f["coordinator_peak_kb"] + c["workers"] * f["worker_peak_kb"]
    serial = r["configs"][0]["summary"]["memory"]
    assert serial["worker_peak_kb"] is None and serial["concurrent_peak_sum_kb"] == serial["coordinator_peak_kb"] > 0
    g = r["prediction"]["groups"][0]
    assert {m["workers"] for m in g["measured"]} == {1, 2}
    assert [p["workers"] for p in g["curve"]] == [1, 2, 4, 8, 16, 64]
    assert g["amdahl"] is not None and 0 <= g["amdahl"]["serial_fraction"] <= 1
    assert g["calibration"]["points"] == 2 * (1 + 2)
    # the curve never beats its floor, which names the unit that sets it; where the plan
    # was measured (1 and 2 partitions here), the compile phase is the measured
    # partitions' CPU list-scheduled in dispatch order, the floor the slowest of them
    for p in g["curve"]:
        assert p["wall_s"] >= p["floor_s"] > p["serial_phases_s"] and p["critical_unit"], p
    for p in g["curve"][:2]:
        assert p["basis"] == "measured partition times"
        cpu = [[w["cpu_s"] for w in x["workers"]] for x in r["samples"]
               if not x["warmup"] and x["config"] != "serial" and len(x["workers"]) == p["parts"]]
        slowest = max(statistics.median(run[i] for run in cpu) for i in range(p["parts"]))
        assert p["floor_s"] == pytest.approx(p["serial_phases_s"] + slowest)
        assert p["makespan_s"] >= slowest
    assert all(p["basis"] == "work model" for p in g["curve"][2:])


def test_report_has_the_tables(bench_out: tuple[Path, str]) -> None:
    out, _ = bench_out
    md = (out / "report.md").read_text()
    for heading in ("## Speedup", "## Memory", "## Where the time goes", "## Balance", "## Scaling prediction"):
        assert heading in md
    assert ("| build | coordinator peak | worker peak | worker own | at once: sum of peaks | at once: coordinator + own "
            "| budget's estimate |") in md
    assert "Peak resident memory in MiB" in md
    assert "| workers | parts | measured s (median) | measured min–max | CPU share | predicted s | error |" in md
    assert "Predicted scaling on dedicated cores" in md
    assert "Amdahl" in md and "serial fraction" in md
    if HAVE_MPL:
        assert "![speedup](speedup.png)" in md


def test_rerender_reproduces_the_report(bench_out: tuple[Path, str], tmp_path: Path) -> None:
    import shutil

    from pcodegen.bench.driver import rerender

    out, _ = bench_out
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "report.md").unlink()
    original = json.loads((out / "results.json").read_text())
    r = rerender(copy, repredict=False)
    # the same raw samples give the same report, byte for byte
    assert (copy / "report.md").read_text() == (out / "report.md").read_text()
    assert r["prediction"] == original["prediction"]
    # predicting again from the input module (still there) calibrates the same way; only
    # the curve moves, with the timed graph build it includes
    r = rerender(copy)
    assert [g["measured"] for g in r["prediction"]["groups"]] == [g["measured"] for g in original["prediction"]["groups"]]


def test_bench_bad_usage(tmp_path: Path) -> None:
    for args in (["--workers", "0"], ["--workers", "a,b"], ["--parts", "x"], ["--repeat", "0"],
                 ["--strategies", "nope"], ["--executor", "cloud"], ["--memory-budget", "lots"]):
        proc = run_cli("bench", DEMO, *args, "-o", tmp_path / "o")
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith("pcodegen: error:") and proc.stderr.count("\n") == 1, proc.stderr
    missing = run_cli("bench", tmp_path / "nothing.bc", "-o", tmp_path / "o")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert not (tmp_path / "o").exists()


def test_bench_memory_budget_too_small_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = run_cli("bench", DEMO, "--workers", 2, "--repeat", 1, "--opt", 0, "--link", "none", "--no-plots",
                   "--memory-budget", "1M", "-o", tmp_path / "o")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("pcodegen: error: build 2w/2p ")
    assert "--memory-budget 1 MiB is too small: the coordinator alone uses" in proc.stderr
    assert not (tmp_path / "o").exists() and not list(tmp_path.glob(".o.*"))


def test_demo_runs_bench_and_checks_behaviour(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = run_cli("demo", "-o", out, "--repeat", 1, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "every build's program matches it; symbols ok" in proc.stdout
    assert f"report: {out / 'report.md'}" in proc.stdout
    assert (out / "results.json").is_file() and (out / "builds" / "serial" / "a.out").is_file()


def test_progress_is_silent_off_a_terminal() -> None:
    from pcodegen import progress

    assert not progress.enabled()  # pytest captures stderr
    with progress.progress("x", total=3) as bar:
        bar.advance()
        bar.update(completed=2, total=3, label="y")
        bar.callback(3, 3, "z")
