"""The scaling predictor's arithmetic, the memory budget and lane reconstruction, on
synthetic numbers (no compiling)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcodegen.bench.driver import assign_lanes
from pcodegen.parallel.budget import cap_workers, parse_size, worker_estimate_kb
from pcodegen.errors import ParameterError, UsageError
from pcodegen.bench.predict import (Calibration, RunTime, calibrate, fit_amdahl, fit_linear, predict, relative_error)
from pcodegen.partition.plan import list_schedule


def test_fit_linear_recovers_a_line() -> None:
    xs = [1.0, 2.0, 3.0, 10.0]
    a, b, r2 = fit_linear(xs, [0.5 + 2 * x for x in xs])
    assert a == pytest.approx(0.5) and b == pytest.approx(2.0) and r2 == pytest.approx(1.0)


def test_fit_linear_negative_intercept_goes_through_origin() -> None:
    xs = [10.0, 20.0]
    a, b, _ = fit_linear(xs, [9.0, 21.0])  # free fit: -3 + 1.2 x
    assert a == 0.0
    assert b == pytest.approx((10 * 9 + 20 * 21) / (100 + 400))
    a, b, _ = fit_linear(xs, [9.0, 21.0], nonneg_intercept=False)
    assert a == pytest.approx(-3.0) and b == pytest.approx(1.2)


def test_fit_linear_without_spread_is_proportional() -> None:
    a, b, _ = fit_linear([5.0, 5.0, 5.0], [10.0, 11.0, 12.0])
    assert a == 0.0 and b == pytest.approx(33 / 15)


def _run(workers: int, costs: list[float], alpha: float, beta: float, overhead: float, tag: str = "") -> RunTime:
    secs = [alpha + beta * c for c in costs]
    lanes = [0.0] * workers
    for t in sorted(secs, reverse=True):  # what list_schedule does
        k = lanes.index(min(lanes))
        lanes[k] += t + overhead
    phases = {"load": 1.0, "graph": 0.2, "partition": 0.05, "compile": max(lanes), "validate": 0.1, "write": 0.01,
              "link": 0.3}
    return RunTime(workers, len(costs), phases, secs, list(costs), wall_s=sum(phases.values()), tag=tag)


def test_calibrate_recovers_the_model_and_predicts_the_runs() -> None:
    runs = [_run(1, [1000.0], 0.4, 0.01, 0.05, "w1"), _run(2, [500.0, 500.0], 0.4, 0.01, 0.05, "w2"),
            _run(2, [700.0, 300.0, 100.0], 0.4, 0.01, 0.05, "w2p3")]
    cal = calibrate(runs)
    assert cal.alpha_s == pytest.approx(0.4)
    assert cal.beta_s_per_cost == pytest.approx(0.01)
    assert cal.overhead_per_task_s == pytest.approx(0.05)
    assert cal.r2 == pytest.approx(1.0)
    assert cal.kappa_cost == pytest.approx(0.0, abs=1e-9)  # exactly proportional: nothing unexplained
    assert sum(cal.pre_s.values()) == pytest.approx(1.2)
    assert sum(cal.post_s.values()) == pytest.approx(0.41)
    for run in runs:
        p = predict(cal, run.costs, run.workers)
        assert p.wall_s == pytest.approx(run.wall_s)
    # 4 partitions of 250 on 4 workers: one partition's time plus the serial phases
    p = predict(cal, [250.0] * 4, 4, partition_time_s=0.05)
    assert p.makespan_s == pytest.approx(0.4 + 2.5 + 0.05)
    assert p.wall_s == pytest.approx(1.2 + 0.05 + 0.41 + 2.95)


def test_predict_uses_the_measured_partition_time_when_there_is_one() -> None:
    cal = Calibration(0.0, 1.0, 1.0, 2, 0.0, {"load": 1.0}, {"link": 1.0}, 0.0, {2: 0.5})
    assert predict(cal, [1.0, 1.0], 2, partition_time_s=9.0).wall_s == pytest.approx(1 + 0.5 + 1 + 1)
    assert predict(cal, [1.0, 1.0, 1.0], 3, partition_time_s=0.25).wall_s == pytest.approx(1 + 0.25 + 1 + 1)


def test_a_partitioner_beside_the_first_partition_delays_only_the_other_workers() -> None:
    """An early start (pipeline: partitions known before the plan): the first worker
    compiles the largest partition while the plan is made; the others wait for it."""
    cal = Calibration(0.0, 1.0, 1.0, 2, 0.0, {"load": 1.0}, {"link": 1.0}, 0.0, {3: 0.5}, partition_beside={3: True})
    # lane 0: 4 from 0; lane 1 ready at 0.5: 1 + 1 -> 2.5; makespan 4, no partition time in the serial part
    assert predict(cal, [4.0, 1.0, 1.0], 2).wall_s == pytest.approx(1 + 4 + 1)
    assert predict(cal, [4.0, 1.0, 1.0], 2, beside=False).wall_s == pytest.approx(1 + 0.5 + 4 + 1)
    # a short first partition: the rest of the work waits for the plan
    assert predict(cal, [1.0, 1.0, 1.0], 2).makespan_s == pytest.approx(2.0)  # lane 0: 1 + 1; lane 1: 0.5 + 1
    # partition 0 is the one that started early, whatever its cost; the largest of the
    # rest waits for the plan: lane 1 0.5 + 3, lane 0 1 + 1
    assert predict(cal, [1.0, 1.0, 3.0], 2).makespan_s == pytest.approx(3.5)


def test_every_opening_partition_starts_before_the_plan() -> None:
    """Plans that open with several partitions (a 64-partition system image opens with
    4): those start at once, each worker takes the next opening one it finds free, and
    the rest starts only once the plan made beside them exists."""
    cal = Calibration(0.0, 1.0, 1.0, 2, 0.0, {"load": 1.0}, {"link": 1.0}, 0.0, {5: 3.0},
                      partition_beside={5: True}, early={5: 3})
    # lane 0: p0 0-2, p2 2-4, p4 4-5; lane 1: p1 0-2, then p3 from the plan (3) to 4
    assert predict(cal, [2.0, 2.0, 2.0, 1.0, 1.0], 2).makespan_s == pytest.approx(5.0)
    one = Calibration(0.0, 1.0, 1.0, 2, 0.0, {"load": 1.0}, {"link": 1.0}, 0.0, {5: 3.0}, partition_beside={5: True})
    # one opening partition (the default for runs that did not say): lane 1 idles until the plan
    assert predict(one, [2.0, 2.0, 2.0, 1.0, 1.0], 2).makespan_s == pytest.approx(6.0)


def test_list_schedule_holds_jobs_until_their_release() -> None:
    assert list_schedule([1.0, 1.0, 1.0], 2, order=[0, 1, 2], release=[0.0, 0.0, 5.0]) == pytest.approx(6.0)
    assert list_schedule([1.0, 1.0, 1.0], 2, order=[0, 1, 2], release=[0.0, 0.0, 0.5]) == pytest.approx(2.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 10_000), min_size=1, max_size=40), st.integers(1, 64),
       st.floats(0, 1), st.floats(1e-6, 1e-3))
def test_more_workers_never_predict_slower(costs: list[int], workers: int, alpha: float, beta: float) -> None:
    cal = Calibration(alpha, beta, 1.0, len(costs), 0.01, {"load": 0.3}, {"link": 0.2}, 0.0)
    a = predict(cal, costs, workers)
    b = predict(cal, costs, workers + 1)
    assert b.wall_s <= a.wall_s + 1e-12
    # never better than perfect division, never worse than one worker
    total = sum(alpha + beta * c + 0.01 for c in costs)
    assert a.makespan_s >= total / workers - 1e-9
    assert a.makespan_s >= max(alpha + beta * c + 0.01 for c in costs) - 1e-12
    assert a.makespan_s <= total + 1e-9


def test_fit_amdahl() -> None:
    pts = [(w, 2.0 + 8.0 / w) for w in (1, 2, 4, 8)]
    a = fit_amdahl(pts)
    assert a is not None
    assert a.serial_fraction == pytest.approx(0.2)
    assert a.wall(16) == pytest.approx(2.5)
    assert fit_amdahl([(2, 1.0), (2, 1.1)]) is None
    worse = fit_amdahl([(1, 1.0), (2, 1.2)])  # slower with more workers: all serial
    assert worse is not None and worse.serial_fraction == 1.0


def test_relative_error() -> None:
    assert relative_error(11.0, 10.0) == pytest.approx(0.1)
    assert math.isinf(relative_error(1.0, 0.0))


def test_assign_lanes_rebuilds_the_pool_slots() -> None:
    ws = [{"index": 0, "start_s": 0.0, "end_s": 5.0}, {"index": 1, "start_s": 0.01, "end_s": 3.0},
          {"index": 2, "start_s": 3.02, "end_s": 6.0}, {"index": 3, "start_s": 5.01, "end_s": 7.0}]
    assign_lanes(ws)
    assert [w["lane"] for w in ws] == [0, 1, 1, 0]


def test_parse_size() -> None:
    assert parse_size("4G") == 4 * 2**30
    assert parse_size("512MiB") == 512 * 2**20
    assert parse_size("1.5g") == int(1.5 * 2**30)
    assert parse_size("1000") == 1000
    assert parse_size(None) is None
    for bad in ("lots", "-1G", "0"):
        with pytest.raises(UsageError):
            parse_size(bad)


def test_cap_workers() -> None:
    costs = [400_000, 300_000]
    per = worker_estimate_kb(400_000)
    assert cap_workers(8, None, costs, 100_000) == (8, "")
    assert cap_workers(8, 2**40, costs, 100_000) == (8, "")
    n, note = cap_workers(8, int((100_000 + 3 * per) * 1024), costs, 100_000)
    assert n == 3 and "capped from 8 to 3" in note
    with pytest.raises(ParameterError, match="too small"):  # not even one worker fits: an error, not an OOM kill
        cap_workers(8, 1024, costs, 100_000)


def test_cpu_share_turns_cpu_into_wall_time() -> None:
    # the workers got half a core: wall = 2 x CPU; the fit is on CPU time
    run = RunTime(2, 2, {"compile": 20.0}, [20.0, 20.0], [100.0, 100.0], worker_cpu=[10.0, 10.0], wall_s=20.0,
                  tag="w2", coordinator_cpu_s=0.0)
    assert run.share == pytest.approx(0.5)
    cal = calibrate([run])
    assert cal.beta_s_per_cost == pytest.approx(0.1) and cal.share == {2: pytest.approx(0.5)}
    assert predict(cal, [100.0, 100.0], 2, share=0.5).makespan_s == pytest.approx(20.0)
    assert predict(cal, [100.0, 100.0], 2).makespan_s == pytest.approx(10.0)  # dedicated cores


def test_coordinator_share_scales_the_serial_phases() -> None:
    run = RunTime(1, 1, {"load": 2.0, "compile": 5.0, "link": 0.5}, [5.0], [10.0], wall_s=7.5,
                  coordinator_cpu_s=1.0)
    assert run.coordinator_share == pytest.approx(0.5)
    cal = calibrate([run])
    p = predict(cal, [10.0], 1, serial_scale=cal.coordinator_share)
    assert p.serial_phases_s == pytest.approx(0.5 * (2.0 + 0.5))


def test_unexplained_variation_raises_the_expected_makespan() -> None:
    # two equal-cost partitions that took 9 and 11 s: +-10% not explained by cost
    run = RunTime(2, 2, {"compile": 11.0}, [9.0, 11.0], [1000.0, 1000.0], wall_s=11.0, tag="w2")
    cal = calibrate([run])
    assert cal.kappa_cost == pytest.approx(0.01 * 1000 / 0.4549364)
    calm = Calibration(cal.alpha_s, cal.beta_s_per_cost, 1.0, 2, 0.0, {}, {}, 0.0)
    costs = [250.0] * 8  # smaller partitions: relatively noisier (30%)
    noisy, exact = predict(cal, costs, 8), predict(calm, costs, 8)
    assert exact.makespan_s == pytest.approx(2.5)
    assert noisy.makespan_s > exact.makespan_s * 1.15  # the slowest of 8 sets the pace
    assert predict(cal, costs, 8).makespan_s == noisy.makespan_s  # seeded: reproducible
    assert predict(cal, [2000.0], 1).makespan_s == pytest.approx(20.0)  # one partition: no max to take


def test_schedule_follows_the_dispatch_order() -> None:
    assert list_schedule([1.0, 1.0, 4.0], 2, order=[0, 1, 2]) == pytest.approx(5.0)  # the long job dispatched last
    assert list_schedule([1.0, 1.0, 4.0], 2) == pytest.approx(4.0)  # largest first by default
    assert list_schedule([], 3) == 0.0


def test_fit_linear_ignores_a_slope_from_near_equal_costs() -> None:
    """Two partitions of almost the same cost say nothing about the slope: the fit is
    proportional (through the origin) instead of a wild line through two points."""
    a, b, _ = fit_linear([222_899.0, 222_898.0], [12.0, 12.5])
    assert a == 0.0 and b == pytest.approx(12.25 / 222_898.5, rel=1e-3)
    a, b, _ = fit_linear([1_000.0, 100_000.0, 200_000.0], [1.1, 5.0, 9.0])
    assert a > 0 and b > 0  # spread-out costs: the free fit stands


def test_a_near_empty_partition_does_not_inflate_the_prediction() -> None:
    """The deviation is of the cost part only: a partition of cost 1 beside real ones
    (a plan at many partitions holding one tiny global) takes about the per-partition
    constant, not the constant times a relative error of sqrt(kappa)."""
    runs = [RunTime(2, 2, {"compile": 3.6}, [3.4, 3.6], [10_000.0, 10_000.0], wall_s=3.6, tag="a"),
            RunTime(1, 1, {"compile": 6.5}, [6.5], [20_000.0], wall_s=6.5, tag="b")]
    cal = calibrate(runs)
    assert cal.alpha_s > 0 and cal.kappa_cost > 0
    with_tiny = predict(cal, [10_000.0, 10_000.0, 1.0], 3)
    without = predict(cal, [10_000.0, 10_000.0], 2)
    assert with_tiny.makespan_s == pytest.approx(without.makespan_s, rel=0.02)


def test_busy_imbalance_counts_pool_slots_not_processes() -> None:
    """benchmarks/speedup.py: an early partition's process is replaced by one forked
    after the plan, in the same pool slot; per process the build would look lopsided."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "speedup.py"
    spec = importlib.util.spec_from_file_location("speedup_script", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    workers = [{"pid": 1, "start_s": 0.0, "end_s": 3.0}, {"pid": 2, "start_s": 0.3, "end_s": 5.0},
               {"pid": 3, "start_s": 3.0, "end_s": 5.0}]
    assert mod.busy_imbalance(workers) == pytest.approx(5.0 / 4.85)
