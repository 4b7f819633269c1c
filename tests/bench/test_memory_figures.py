"""The bench's memory figures from raw samples (no compiling): per worker process, and
summed over the processes alive at once."""

from __future__ import annotations

from pcodegen.bench.driver import memory_figures, memory_summary
from pcodegen.bench.report import _memory_lines
from pcodegen.parallel.budget import worker_estimate_kb


def _task(index: int, pid: int, start: float, end: float, rss_start: int, peak: int, cost: int = 1000) -> dict:
    return {"index": index, "partition": f"part-{index:03d}", "pid": pid, "start_s": start, "end_s": end,
            "rss_start_kb": rss_start, "peak_rss_kb": peak, "cost": cost}


def _sample(workers: list[dict], coordinator: int = 200_000, used: int = 2) -> dict:
    return {"plan": {"parts": len(workers)}, "workers": workers, "coordinator_peak_rss_kb": coordinator,
            "workers_used": used}


def test_serial_build_is_one_process() -> None:
    m = memory_figures({"plan": None, "workers": [{"peak_rss_kb": 1}], "coordinator_peak_rss_kb": 300_000})
    assert m["coordinator_peak_kb"] == m["concurrent_peak_sum_kb"] == m["concurrent_own_sum_kb"] == 300_000
    assert m["worker_peak_kb"] is None and m["estimate_kb"] is None


def test_concurrent_sums_follow_the_task_spans() -> None:
    # worker 11 runs parts 0 and 2, worker 12 part 1; part 2 starts after part 1 ended
    ws = [_task(0, 11, 0.0, 1.0, 150_000, 200_000, cost=5000),
          _task(1, 12, 0.0, 0.5, 150_000, 180_000),
          _task(2, 11, 1.0, 2.0, 200_000, 230_000)]
    m = memory_figures(_sample(ws))
    assert m["worker_peak_kb"] == 230_000 and m["worker_own_kb"] == 80_000  # 230,000 - its first start
    # at 0.0 both run: 200,000 + 180,000; at 1.0 only worker 11 (12 ended at 0.5): 230,000
    assert m["concurrent_peak_sum_kb"] == 200_000 + 200_000 + 180_000
    assert m["concurrent_own_sum_kb"] == 200_000 + max(50_000 + 30_000, 80_000)
    assert m["concurrent_basis"] == "task spans"
    assert m["estimate_kb"] == 200_000 + 2 * worker_estimate_kb(5000)


def test_without_spans_the_sum_is_an_upper_bound() -> None:
    ws = [_task(0, 11, 0.0, 1.0, 150_000, 200_000), _task(1, 12, 0.0, 1.0, 150_000, 190_000)]
    for w in ws:
        del w["start_s"], w["end_s"]
    m = memory_figures(_sample(ws))
    assert m["concurrent_basis"].startswith("upper bound")
    assert m["concurrent_peak_sum_kb"] == 200_000 + 2 * 200_000
    assert m["concurrent_own_sum_kb"] == 200_000 + 2 * 50_000


def test_summary_takes_the_largest_run_and_the_report_table_is_small() -> None:
    a = _sample([_task(0, 11, 0.0, 1.0, 150_000, 200_000)], coordinator=210_000, used=1)
    b = _sample([_task(0, 21, 0.0, 1.0, 150_000, 260_000)], coordinator=205_000, used=1)
    s = memory_summary([a, b])
    assert s["coordinator_peak_kb"] == 210_000 and s["worker_peak_kb"] == 260_000 and s["worker_own_kb"] == 110_000
    results = {"settings": {"memory_budget": 2**30},
               "configs": [{"label": "serial", "summary": {"memory": memory_figures(
                   {"plan": None, "workers": [], "coordinator_peak_rss_kb": 250_000})}},
                           {"label": "1w/1p x", "summary": {"memory": s}}]}
    lines = _memory_lines(results)
    table = [ln for ln in lines if ln.startswith("|")]
    assert len(table) == 4 and "memory budget 1,024 MiB" in lines[2]
    assert table[2] == "| serial | 244 | – | – | 244 | 244 | – |"
    assert table[3].startswith("| 1w/1p x | 205 | 254 | 107 | ")
