"""Scaling prediction: calibrate the cost model against measured runs, then predict the
wall time of a parallel build on 1 to 64 workers by list-scheduling its partitions.

The model of one parallel build with W workers and partitions of cost c_1..c_P:

    wall(W) = pre + partition(P) + split_coordinator + makespan + post
    makespan = list_schedule([alpha + beta * c_p + overhead for each p], W)

* `beta` (seconds per cost unit) and `alpha` (seconds per partition: cutting it out,
  parsing the shared types, declarations and metadata, creating a target machine)
  come from a least-squares fit of every measured worker time (split + parse +
  optimise + serialise + emit of one partition) against its partition's cost, over
  every repeat of every parallel configuration. `alpha` is kept at or above zero; if
  the fit wants it negative (splitting removed more work than the partition
  boundaries added, e.g. cross-partition inlining) the fit goes through the origin.
  Measured compile time is not exactly proportional to cost, which is why the fit and
  its R^2 are reported.
* `overhead` (seconds per task) is what the executor adds around the worker's own
  time: fork, transfer of the object back, and the coordinator's wait. Measured per
  run as compile-phase wall minus the list-scheduled makespan of the measured worker
  times, divided by the tasks per worker.
* `pre` (load + graph), `post` (validate + write + link) and `split_coordinator`
  (executors that ship tasks) are the medians of the measured phases; `partition(P)`
  is the measured median where that partition count ran, else the time this process
  takes to partition the graph.

Everything here is plain arithmetic on numbers, so it is tested on synthetic data.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Sequence

from .partition.plan import list_schedule

PRE_PHASES = ("load", "graph")
POST_PHASES = ("validate", "write", "link")
DEFAULT_WORKER_COUNTS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)


@dataclass
class PartitionTime:
    """One measured partition: its cost and the worker's time for it."""

    cost: float
    seconds: float


@dataclass
class RunTime:
    """One measured parallel build, as the calibration needs it."""

    workers: int
    parts: int
    phases: dict[str, float]
    worker_seconds: list[float]  # per partition
    wall_s: float = 0.0


def fit_linear(xs: Sequence[float], ys: Sequence[float], nonneg_intercept: bool = True) -> tuple[float, float, float]:
    """Least squares y = a + b x: (a, b, r2). Through the origin when the x values do not
    vary, or when `nonneg_intercept` and the free fit's intercept is negative."""
    n = len(xs)
    if n == 0:
        return 0.0, 0.0, 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    varies = sxx > 1e-12 * max(1.0, mx * mx) * n
    a = b = 0.0
    if varies:
        b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
        a = my - b * mx
    if not varies or (a < 0 and nonneg_intercept):
        sx2 = sum(x * x for x in xs)
        a, b = 0.0, (sum(x * y for x, y in zip(xs, ys)) / sx2 if sx2 else 0.0)
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return a, b, r2


def _median(values: Iterable[float], default: float = 0.0) -> float:
    vals = list(values)
    return statistics.median(vals) if vals else default


@dataclass
class Calibration:
    """The fitted model (see the module docstring)."""

    alpha_s: float
    beta_s_per_cost: float
    r2: float
    points: int
    overhead_per_task_s: float
    pre_s: dict[str, float]
    post_s: dict[str, float]
    split_coordinator_s: float
    partition_s: dict[int, float] = field(default_factory=dict)  # measured, by partition count

    def partition_seconds(self, cost: float) -> float:
        return self.alpha_s + self.beta_s_per_cost * cost

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["partition_s"] = {str(k): v for k, v in self.partition_s.items()}
        return d


def calibrate(runs: Sequence[RunTime], costs_of: Callable[[RunTime], Sequence[float]]) -> Calibration:
    """Fit the model to measured parallel runs; `costs_of(run)` gives its partition costs
    (cost units, in the order of `run.worker_seconds`)."""
    xs: list[float] = []
    ys: list[float] = []
    for run in runs:
        for c, t in zip(costs_of(run), run.worker_seconds):
            xs.append(float(c))
            ys.append(float(t))
    alpha, beta, r2 = fit_linear(xs, ys)
    overheads = []
    for run in runs:
        if not run.worker_seconds or "compile" not in run.phases:
            continue
        per_lane = math.ceil(len(run.worker_seconds) / max(1, run.workers))
        measured_makespan = list_schedule(list(run.worker_seconds), run.workers)
        overheads.append((run.phases["compile"] - measured_makespan) / per_lane)
    by_parts: dict[int, list[float]] = {}
    for run in runs:
        if "partition" in run.phases:
            by_parts.setdefault(run.parts, []).append(run.phases["partition"])
    return Calibration(
        alpha_s=alpha,
        beta_s_per_cost=beta,
        r2=r2,
        points=len(xs),
        overhead_per_task_s=max(0.0, _median(overheads)),
        pre_s={ph: _median(r.phases.get(ph, 0.0) for r in runs) for ph in PRE_PHASES},
        post_s={ph: _median(r.phases.get(ph, 0.0) for r in runs) for ph in POST_PHASES},
        split_coordinator_s=_median(r.phases.get("split", 0.0) for r in runs),
        partition_s={p: _median(v) for p, v in sorted(by_parts.items())},
    )


@dataclass
class Prediction:
    """Predicted wall time of one build and its parts."""

    workers: int
    parts: int
    wall_s: float
    makespan_s: float
    serial_phases_s: float
    partition_costs: list[float] = field(default_factory=list)

    def to_dict(self, with_costs: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not with_costs:
            del d["partition_costs"]
        return d


def predict(cal: Calibration, partition_costs: Sequence[float], workers: int,
            partition_time_s: float | None = None) -> Prediction:
    """Predicted wall time on `workers` workers of a plan with these partition costs."""
    times = [cal.partition_seconds(c) + cal.overhead_per_task_s for c in partition_costs]
    makespan = list_schedule(times, workers)
    parts = len(partition_costs)
    part_s = cal.partition_s.get(parts, partition_time_s if partition_time_s is not None else 0.0)
    serial = sum(cal.pre_s.values()) + part_s + cal.split_coordinator_s + sum(cal.post_s.values())
    return Prediction(workers, parts, serial + makespan, makespan, serial, list(partition_costs))


def predict_curve(cal: Calibration, plan_costs: Callable[[int], tuple[Sequence[float], float]],
                  worker_counts: Iterable[int] = DEFAULT_WORKER_COUNTS) -> list[Prediction]:
    """Predictions for each worker count; `plan_costs(W)` partitions the module for W
    workers and returns (partition costs, seconds the partitioning took)."""
    out = []
    for w in worker_counts:
        costs, part_s = plan_costs(w)
        out.append(predict(cal, costs, w, part_s))
    return out


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


@dataclass
class Amdahl:
    """wall(W) = a + b / W, fitted by least squares; serial fraction s = a / (a + b)."""

    a_s: float
    b_s: float
    serial_fraction: float
    points: int

    def wall(self, workers: float) -> float:
        return self.a_s + self.b_s / workers

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def fit_amdahl(points: Sequence[tuple[int, float]]) -> Amdahl | None:
    """Fit Amdahl's law to (workers, wall seconds) points; None without two distinct
    worker counts. The serial fraction is clamped to [0, 1]."""
    if len({w for w, _ in points}) < 2:
        return None
    a, b, _ = fit_linear([1.0 / w for w, _ in points], [t for _, t in points], nonneg_intercept=False)
    # here a is the per-1/W slope's intercept: wall = a + b * (1/W)
    total = a + b
    s = min(1.0, max(0.0, a / total)) if total > 0 else 1.0
    return Amdahl(a, b, s, len(points))


def relative_error(predicted: float, measured: float) -> float:
    return (predicted - measured) / measured if measured else math.inf
