"""Scaling prediction: calibrate the cost model against measured runs, then predict the
wall time of a parallel build on 1 to 64 workers by list-scheduling its partitions.

The model of one parallel build with W workers and partitions of cost c_1..c_P:

    wall(W) = pre + partition(P) + split_coordinator + makespan + post
    makespan = list-schedule([(alpha + beta * c_p) / share + overhead for each p], W)

* `alpha + beta * c` is the CPU time a worker spends on a partition of cost c (cutting
  it out, parsing, optimising, emitting). `beta` is seconds per unit of Julia's cost
  (1 + instructions + blocks), `alpha` the per-partition constant (cutting, parsing the
  shared types, declarations and metadata, creating a target machine). Fitted by least
  squares over every measured partition of every repeat; `alpha` is kept at or above
  zero (if the fit wants it negative, because splitting removed work such as inlining
  across the partition boundary, the fit goes through the origin). The fit is on CPU
  time because CPU time is what the partition costs: on a busy machine a worker's wall
  time also holds the time other processes took from it, which no cost model predicts.
* `share` turns CPU time into wall time: the fraction of a core each worker got (its
  CPU time over its wall time). 1.0 is a dedicated core per worker; the bench measures
  it per build, and predicts each measured build at the share that build got (so the
  comparison tests the model, not the machine's load) and the 1..64 curve at 1.0.
* Compile time is not exactly proportional to cost: partitions of equal cost take
  different times (a vectorisable loop costs more than its instruction count says).
  The model treats each function's deviation as independent noise, so the cost part
  `beta * c` of a partition deviates by a relative error of standard deviation
  sqrt(kappa / c) (the constant `alpha` does not deviate): small partitions are
  relatively less predictable, and with more
  workers the slowest of more, smaller partitions sets the makespan. `kappa` (cost
  units) is estimated from the measured partitions' residuals (each partition's median
  over the repeats; kappa = median(r^2 c) / 0.4549, the median of chi-squared with one
  degree of freedom, so one odd partition cannot dominate); the expected makespan is
  the mean over seeded random draws.
* `overhead` (seconds per task) is what the executor adds around the worker's own
  time: fork, transfer of the object back, and the coordinator's wait. Measured per
  run as compile-phase wall minus the list-scheduled makespan of the measured worker
  wall times, divided by the tasks per worker.
* `pre` (load + graph), `post` (validate + write + link) and `split_coordinator`
  (executors that ship tasks) are the medians of the measured phases; `partition(P)`
  is the measured median where that partition count ran, else the time this process
  takes to partition the graph. On dedicated cores they are scaled by the share of a
  core the coordinator got (`coordinator_share`).

Everything here is plain arithmetic on numbers, so it is tested on synthetic data.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Sequence

from pcodegen.partition.plan import list_schedule


PRE_PHASES = ("load", "graph", "plan early")
POST_PHASES = ("validate", "write", "link")
CHI2_1_MEDIAN = 0.4549364  # median of the chi-squared distribution with one degree of freedom


@dataclass
class RunTime:
    """One measured parallel build, as the calibration needs it (per-partition lists in
    plan order)."""

    workers: int
    parts: int
    phases: dict[str, float]
    worker_seconds: list[float]  # wall time of each partition's worker
    costs: list[float]  # cost units
    worker_cpu: list[float] = field(default_factory=list)  # CPU time; empty: take the wall time
    wall_s: float = 0.0
    tag: str = ""  # which configuration it measured
    coordinator_cpu_s: float = 0.0  # 0: unknown
    beside: dict[str, float] = field(default_factory=dict)  # coordinator phases run while a worker compiled
    early: int = 1  # partitions started before the plan, when it was made beside them

    @property
    def partition_s(self) -> float | None:
        """The partitioner's seconds, wherever it ran."""
        return self.phases.get("partition", self.beside.get("partition"))

    @property
    def partition_beside(self) -> bool:
        """Whether the first partitions started before the plan (partition.early_partitions):
        the partitioner ran beside them, and the other partitions waited for it."""
        return "partition" in self.beside and "partition" not in self.phases

    def dispatch(self) -> tuple[list[int], list[float] | None]:
        """The order the partitions were handed out in (the opening ones first, then the
        largest first) and when each could start, from the compile phase's start."""
        if not self.partition_beside:
            return opening_order(self.costs, 0), None
        return (opening_order(self.costs, self.early),
                opening_release(len(self.costs), self.early, self.beside["partition"]))

    @property
    def cpu(self) -> list[float]:
        return self.worker_cpu if self.worker_cpu else self.worker_seconds

    @property
    def share(self) -> float:
        """Fraction of a core the workers got: CPU time over wall time, at most 1."""
        wall = sum(self.worker_seconds)
        return min(1.0, sum(self.cpu) / wall) if wall > 0 else 1.0

    @property
    def coordinator_share(self) -> float:
        """Fraction of a core the coordinator got outside the compile phase (1 if unknown)."""
        busy = self.wall_s - self.phases.get("compile", 0.0) - self.phases.get("link", 0.0)
        if not self.coordinator_cpu_s or busy <= 0:
            return 1.0
        return min(1.0, self.coordinator_cpu_s / busy)


def fit_linear(xs: Sequence[float], ys: Sequence[float], nonneg_intercept: bool = True) -> tuple[float, float, float]:
    """Least squares y = a + b x: (a, b, r2). Through the origin when the x values hardly
    vary (standard deviation under 5% of the mean: a slope from two near-equal partition
    costs is noise), or when `nonneg_intercept` (a cost model) and the free fit's intercept
    or slope is negative."""
    n = len(xs)
    if n == 0:
        return 0.0, 0.0, 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    varies = sxx / n > (0.05 * mx) ** 2 and sxx > 0
    a = b = 0.0
    if varies:
        b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
        a = my - b * mx
    if not varies or (nonneg_intercept and (a < 0 or b <= 0)):
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
    partition_beside: dict[int, bool] = field(default_factory=dict)  # by partition count: it ran beside early workers
    early: dict[int, int] = field(default_factory=dict)  # by partition count: how many partitions started before the plan
    share: dict[int, float] = field(default_factory=dict)  # measured CPU share, by worker count
    kappa_cost: float = 0.0  # relative variance of a partition of cost c is kappa / c
    coordinator_share: float = 1.0

    def partition_seconds(self, cost: float) -> float:
        """CPU seconds of one partition of this cost."""
        return self.alpha_s + self.beta_s_per_cost * cost

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["partition_s"] = {str(k): v for k, v in self.partition_s.items()}
        d["share"] = {str(k): v for k, v in self.share.items()}
        d["partition_beside"] = {str(k): v for k, v in self.partition_beside.items()}
        d["early"] = {str(k): v for k, v in self.early.items()}
        return d


def calibrate(runs: Sequence[RunTime]) -> Calibration:
    """Fit the model to measured parallel runs."""
    xs: list[float] = []
    ys: list[float] = []
    for run in runs:
        for c, t in zip(run.costs, run.cpu):
            xs.append(float(c))
            ys.append(float(t))
    alpha, beta, r2 = fit_linear(xs, ys)
    # each distinct partition's median CPU time over the repeats, against the fit
    by_partition: dict[tuple[str, int, int], list[float]] = {}
    cost_of: dict[tuple[str, int, int], float] = {}
    for run in runs:
        for i, (c, t) in enumerate(zip(run.costs, run.cpu)):
            key = (run.tag, run.parts, i)
            by_partition.setdefault(key, []).append(float(t))
            cost_of[key] = float(c)
    residuals = []  # relative to the part that grows with cost: the per-partition constant has no unit deviations
    for key, ts in by_partition.items():
        variable = beta * cost_of[key]
        if variable > 0:
            residuals.append(((statistics.median(ts) - alpha - variable) / variable) ** 2 * cost_of[key])
    overheads = []
    for run in runs:
        if not run.worker_seconds or "compile" not in run.phases:
            continue
        per_lane = math.ceil(len(run.worker_seconds) / max(1, run.workers))
        order, release = run.dispatch() if run.costs else (list(range(len(run.worker_seconds))), None)  # no costs: as dispatched
        measured_makespan = list_schedule(run.worker_seconds, run.workers, order, release=release)
        overheads.append((run.phases["compile"] - measured_makespan) / per_lane)
    by_parts: dict[int, list[float]] = {}
    by_workers: dict[int, list[float]] = {}
    beside: dict[int, bool] = {}
    early: dict[int, int] = {}
    for run in runs:
        if run.partition_s is not None:
            by_parts.setdefault(run.parts, []).append(run.partition_s)
            beside[run.parts] = run.partition_beside
            if run.partition_beside:
                early[run.parts] = run.early
        by_workers.setdefault(run.workers, []).append(run.share)
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
        partition_beside=dict(sorted(beside.items())),
        early=dict(sorted(early.items())),
        share={w: _median(v) for w, v in sorted(by_workers.items())},
        # the median of sigma^2 * chi^2(1) is 0.4549 sigma^2: robust to an outlier, unbiased for normal noise
        kappa_cost=_median(residuals) / CHI2_1_MEDIAN if len(residuals) > 1 else 0.0,
        coordinator_share=_median((r.coordinator_share for r in runs), 1.0),
    )


@dataclass
class Prediction:
    """Predicted wall time of one build and its parts."""

    workers: int
    parts: int
    wall_s: float
    makespan_s: float
    serial_phases_s: float
    share: float = 1.0
    partition_costs: list[float] = field(default_factory=list)

    def to_dict(self, with_costs: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not with_costs:
            del d["partition_costs"]
        return d


def opening_order(costs: Sequence[float], early: int) -> list[int]:
    """The pipeline's dispatch order: partitions 0..early-1 (started before the plan),
    then the rest largest first."""
    rest = sorted(range(early, len(costs)), key=lambda i: -costs[i])
    return list(range(min(early, len(costs)))) + rest


def opening_release(parts: int, early: int, plan_s: float) -> list[float]:
    """When each partition can start: the opening ones at once, the rest once the plan
    made beside them exists (`plan_s` into the compile phase)."""
    return [0.0 if i < early else plan_s for i in range(parts)]


def predict(cal: Calibration, partition_costs: Sequence[float], workers: int,
            partition_time_s: float | None = None, share: float = 1.0, serial_scale: float = 1.0,
            draws: int = 400, seed: int = 0, beside: bool | None = None) -> Prediction:
    """Predicted wall time on `workers` workers, each getting `share` of a core, of a plan
    with these partition costs (dispatched largest first). `serial_scale` scales the
    coordinator's phases (the coordinator's share of a core, for dedicated cores).
    `beside`: the partitioner runs beside the opening partitions (an early start), so the
    others wait for it (default: as measured at this partition count; so is how many
    partitions open the plan)."""
    share = min(1.0, max(share, 1e-3))
    parts = len(partition_costs)
    part_s = cal.partition_s.get(parts, partition_time_s if partition_time_s is not None else 0.0)
    if beside is None:
        beside = cal.partition_beside.get(parts, False)
    early = cal.early.get(parts, 1) if beside else 0
    order = opening_order(partition_costs, early)
    release = opening_release(parts, early, serial_scale * part_s) if beside else None
    base = [cal.partition_seconds(c) for c in partition_costs]
    if cal.kappa_cost > 0 and len(base) > 1 and draws > 0:
        rng = random.Random(seed)
        # Only the cost-proportional part deviates (its functions do; the per-partition
        # constant does not): sd beta * sqrt(kappa * c), so a near-empty partition stays
        # near the constant instead of drawing a relative error of sqrt(kappa / c).
        variable = [cal.beta_s_per_cost * c for c in partition_costs]
        sigma = [math.sqrt(cal.kappa_cost / c) if c > 0 else 0.0 for c in partition_costs]
        total = 0.0
        for _ in range(draws):
            times = [(cal.alpha_s + v * max(0.05, 1 + sg * rng.gauss(0.0, 1.0))) / share + cal.overhead_per_task_s
                     for v, sg in zip(variable, sigma)]
            total += list_schedule(times, workers, order, release=release)
        makespan = total / draws
    else:
        makespan = list_schedule([b / share + cal.overhead_per_task_s for b in base], workers, order, release=release)
    serial = serial_scale * (sum(cal.pre_s.values()) + (0.0 if beside else part_s) + cal.split_coordinator_s
                             + sum(cal.post_s.values()))
    return Prediction(workers, parts, serial + makespan, makespan, serial, share, list(partition_costs))


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
    total = a + b
    s = min(1.0, max(0.0, a / total)) if total > 0 and b > 0 else 1.0
    return Amdahl(a, b, s, len(points))


def relative_error(predicted: float, measured: float) -> float:
    return (predicted - measured) / measured if measured else math.inf
