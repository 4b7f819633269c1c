"""`pcodegen bench` draws what each worker did (gantt.png) and, with --trace, writes the
median run of each build as Chrome trace-event JSON: a real bench run on the built-in
sample, kept short."""

from __future__ import annotations

import copy
import importlib.util
import json
from importlib import resources
from pathlib import Path

import pytest
from conftest import run_cli

pytestmark = pytest.mark.slow  # a real bench run: `pytest -m "not slow"` leaves it out

DEMO = Path(str(resources.files("pcodegen") / "data" / "demo.ll"))
HAVE_MPL = importlib.util.find_spec("matplotlib") is not None


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("gantt")
    out, trace = base / "report", base / "bench.trace.json"
    proc = run_cli("bench", DEMO, "--workers", "1,2", "--parts", "4", "--repeat", 1, "--opt", 1, "--link", "none",
                   "--predict", "1,2", "-q", "-o", out, "--trace", trace, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out, trace, proc.stdout


@pytest.mark.skipif(not HAVE_MPL, reason="the plots need matplotlib")
def test_bench_draws_the_gantt_chart(bench_run: tuple[Path, Path, str]) -> None:
    out, _, stdout = bench_run
    data = (out / "gantt.png").read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000
    results = json.loads((out / "results.json").read_text())
    assert "gantt.png" in results["files"]["plots"] and "gantt.png" in stdout
    assert "![gantt](gantt.png)" in (out / "report.md").read_text()


@pytest.mark.skipif(not HAVE_MPL, reason="the plots need matplotlib")
def test_the_gantt_chart_shows_the_median_run_of_the_widest_build(bench_run: tuple[Path, Path, str]) -> None:
    from pcodegen.bench import plots

    out, _, _ = bench_run
    results = json.loads((out / "results.json").read_text())
    assert plots.gantt_build(results)["id"].endswith("-w2")  # the build with the most workers
    plt = plots._mpl()
    fig = plots.gantt_plot(plt, results)
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[0].startswith("coordinator") and sum(r.startswith("worker ") for r in rows) == 2
    assert "2w/4p" in ax.get_title() and "seconds" in ax.get_xlabel()
    assert any("no worker running" in t.get_text() for t in fig.legends[0].get_texts())
    plt.close(fig)
    # results written before the samples recorded pid, overlapped phases and largest units still draw
    old = copy.deepcopy(results)
    for x in old["samples"]:
        for key in ("pid", "overlapped", "load_steps", "largest_units"):
            x.pop(key, None)
    fig = plots.gantt_plot(plt, old)
    assert fig is not None
    plt.close(fig)


def test_bench_trace_holds_every_build(bench_run: tuple[Path, Path, str]) -> None:
    out, trace, stdout = bench_run
    doc = json.loads(trace.read_text())
    assert doc["otherData"]["schema"] == "pcodegen.trace/1" and doc["displayTimeUnit"] == "ms"
    results = json.loads((out / "results.json").read_text())
    labels = [c["label"] for c in results["configs"]]
    builds = doc["otherData"]["builds"]
    assert [b["label"].split(" (")[0] for b in builds] == labels
    procs = [e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "process_name"]
    for label in labels:
        assert any(p.startswith(f"{label} (") and ": coordinator" in p for p in procs)
    for e in doc["traceEvents"]:
        if e["ph"] == "X":
            assert isinstance(e["ts"], int) and isinstance(e["dur"], int) and e["dur"] >= 0
    tasks = [e for e in doc["traceEvents"] if e.get("cat") == "task"]
    assert len(tasks) == 1 + 4 + 4  # serial in process, then 4 partitions on 1 and on 2 workers
    named = [t for t in tasks if t["args"]["partition"].startswith("part-")]
    assert all(t["args"].get("largest_unit") and t["name"].startswith(t["args"]["partition"] + ": ") for t in named)
    assert f"trace: {trace}" in stdout
