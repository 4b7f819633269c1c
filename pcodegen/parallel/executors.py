"""Executors: where the partitions' compile tasks run.

The process pool (`pcodegen.parallel.pool.run_pool`) is one executor among others:

* `local` (default): forked worker processes on this machine, one task at a time
  each. Tasks are not pickled on the way out: a worker inherits the cut module and
  splits its own partition, so the split runs in parallel.
* `serial`: every task in this process, one after another. For debugging (a debugger
  or profiler sees the worker code); a crash of LLVM takes the coordinator down.
* `dask:ADDRESS`: tasks submitted to a dask.distributed scheduler, for builds that
  outgrow one machine. Tasks travel pickled, so the coordinator cuts each partition's
  text first (`ships_tasks`); the pipeline times that as its own `split` phase.
  `dask:local` starts a LocalCluster on loopback with one single-threaded worker
  process per requested worker.

Every executor returns results in task order, never finishing order, and records when
each task ran (`spans`, seconds from the start of `map`, measured by the worker), which
the bench uses to draw per-worker busy time.
"""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

from pcodegen.errors import ParameterError, UsageError, WorkerError
from pcodegen.parallel.pool import MoreTasks, run_pool

EXECUTOR_HELP = "local (forked processes, default), serial (in-process, for debugging), dask:ADDRESS or dask:local"


def _stamped(func: Callable[[Any], Any], task: Any) -> tuple[Any, float, float]:
    """Run `func(task)` and return it with the wall-clock start and end (epoch seconds,
    comparable across processes and, clocks permitting, machines)."""
    t0 = time.time()
    result = func(task)
    return result, t0, time.time()


@runtime_checkable
class Executor(Protocol):
    """Runs `func(task)` for each task; results in task order. `meanwhile()` runs once in
    the caller while the first tasks run and may add tasks (`MoreTasks`)."""

    spec: str
    workers: int
    ships_tasks: bool  # tasks are pickled: partition sources must be materialised first
    spans: list[tuple[float, float] | None]

    def map(self, func: Callable[[Any], Any], tasks: Sequence[Any], *, labels: Sequence[str] | None = None,
            order: Sequence[int] | None = None, on_result: Callable[[int, Any], None] | None = None,
            timeout: float | None = None, retries: int = 0,
            on_retry: Callable[[int, str], None] | None = None,
            meanwhile: Callable[[], MoreTasks | None] | None = None) -> list[Any]: ...

    def close(self) -> None: ...


class _Base:
    spec = "?"
    ships_tasks = False

    def __init__(self, workers: int = 1):
        if workers < 1:
            raise ParameterError("workers", f"must be at least 1, got {workers}")
        self.workers = workers
        self.spans: list[tuple[float, float] | None] = []

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec} workers={self.workers}>"


class LocalExecutor(_Base):
    """Forked processes on this machine (`pcodegen.parallel.pool.run_pool`), each
    limited to `memory_limit` bytes of private memory over its start if given."""

    spec = "local"

    def __init__(self, workers: int = 1, memory_limit: int | None = None):
        super().__init__(workers)
        self.memory_limit = memory_limit

    def map(self, func, tasks, *, labels=None, order=None, on_result=None, timeout=None, retries=0, on_retry=None,
            meanwhile=None):
        t0 = time.time()
        spans: dict[int, tuple[float, float]] = {}

        def got(i: int, payload: tuple[Any, float, float]) -> None:
            spans[i] = (payload[1] - t0, payload[2] - t0)
            if on_result is not None:
                on_result(i, payload[0])

        kwargs: dict[str, Any] = {"retries": retries, "on_retry": on_retry} if retries else {}
        if meanwhile is not None:
            kwargs["meanwhile"] = meanwhile
        if self.memory_limit is not None:
            kwargs["memory_limit"] = self.memory_limit
        out = run_pool(functools.partial(_stamped, func), tasks, self.workers, timeout=timeout, labels=labels,
                       order=order, on_result=got, **kwargs)
        self.spans = [spans.get(i) for i in range(len(out))]
        return [p[0] for p in out]


class SerialExecutor(_Base):
    """Every task in this process, in dispatch order. No isolation: for debugging."""

    spec = "serial"

    def __init__(self, workers: int = 1):
        super().__init__(1)

    def map(self, func, tasks, *, labels=None, order=None, on_result=None, timeout=None, retries=0, on_retry=None,
            meanwhile=None):
        tasks = list(tasks)
        labels = list(labels) if labels is not None else [f"task {i}" for i in range(len(tasks))]
        order = list(order) if order is not None else list(range(len(tasks)))
        t0 = time.time()
        if meanwhile is not None:  # nothing runs beside this process: do it first
            more = meanwhile()
            if more is not None:
                order += more.append_to(tasks, labels)
        results: list[Any] = [None] * len(tasks)
        self.spans = [None] * len(tasks)
        for i in order:
            for attempt in range(retries + 1):
                try:
                    res, a, b = _stamped(func, tasks[i])
                    break
                except Exception as exc:  # noqa: BLE001 - reported like a worker's failure
                    how = f"raised {type(exc).__name__}: {exc}".splitlines()[0]
                    if attempt == retries:
                        raise WorkerError(labels[i], how) from None
                    if on_retry is not None:
                        on_retry(i, how)
            results[i] = res
            self.spans[i] = (a - t0, b - t0)
            if on_result is not None:
                on_result(i, res)
        return results


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


class DaskExecutor(_Base):
    """Tasks submitted to a dask.distributed scheduler at `address` (or to a Client given
    directly). `workers` defaults to the cluster's total threads."""

    ships_tasks = True

    def __init__(self, address: str | None = None, workers: int | None = None, client: Any = None):
        if client is None and not dask_available():
            raise ParameterError("executor", "dask needs dask.distributed: pip install 'pcodegen[dask]'")
        self.address = address or ""
        self._client = client
        self._own: list[Any] = []  # what close() must shut down
        self.spec = f"dask:{self.address or 'client'}"
        super().__init__(workers or 1)
        self._workers_given = workers is not None

    @property
    def client(self) -> Any:
        if self._client is None:
            import logging

            from distributed import Client, LocalCluster

            if logging.getLogger().getEffectiveLevel() >= logging.WARNING:  # dask logs its life story at INFO
                logging.getLogger("distributed").setLevel(logging.WARNING)
            try:
                if self.address == "local":
                    cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=":0")
                    self._own.append(cluster)
                    self._client = Client(cluster, set_as_default=False)
                else:
                    self._client = Client(self.address, set_as_default=False, timeout="10s")
            except OSError as exc:
                raise ParameterError("executor", f"dask:{self.address}: cannot reach the scheduler: {exc}") from None
            self._own.insert(0, self._client)
        return self._client

    def cluster_threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def map(self, func, tasks, *, labels=None, order=None, on_result=None, timeout=None, retries=0, on_retry=None,
            meanwhile=None):
        from distributed.client import _wait  # distributed.wait() would use the global default client

        client = self.client
        if not self._workers_given:
            self.workers = self.cluster_threads()
        labels = list(labels) if labels is not None else [f"task {i}" for i in range(len(tasks))]
        order = list(order) if order is not None else list(range(len(tasks)))
        tasks = list(tasks)
        run_id = uuid.uuid4().hex[:8]
        t0 = time.time()
        futures: dict[Any, int] = {}

        def submit(indexes: Sequence[int]) -> None:
            for pos, i in enumerate(indexes):
                fut = client.submit(_stamped, func, tasks[i], key=f"pcodegen-{run_id}-{labels[i]}", pure=False,
                                    priority=len(indexes) - pos, retries=retries)
                futures[fut] = i

        submit(order)
        if meanwhile is not None:  # the tasks are on their way to the cluster
            more = meanwhile()
            if more is not None and more.tasks:
                added = more.append_to(tasks, labels)
                order += added
                submit(added)
        results: list[Any] = [None] * len(tasks)
        self.spans = [None] * len(tasks)
        pending = set(futures)
        try:
            while pending:
                try:
                    done, pending = client.sync(_wait, list(pending), timeout=timeout, return_when="FIRST_COMPLETED")
                except TimeoutError:
                    done = set()
                pending = set(pending)
                if not done:
                    i = futures[min(pending, key=lambda f: order.index(futures[f]))]
                    raise WorkerError(labels[i], f"no result for {timeout:g} s")
                for fut in sorted(done, key=lambda f: futures[f]):
                    i = futures[fut]
                    if fut.status != "finished":
                        exc = fut.exception()
                        name = type(exc).__name__
                        how = ("its dask worker died (KilledWorker)" if name == "KilledWorker"
                               else f"raised {name}: {exc}".splitlines()[0])
                        raise WorkerError(labels[i], how)
                    res, a, b = fut.result()
                    results[i] = res
                    self.spans[i] = (a - t0, b - t0)
                    if on_result is not None:
                        on_result(i, res)
        finally:
            if pending:
                client.cancel(list(pending))
        return results

    def close(self) -> None:
        for obj in self._own:
            try:
                obj.close()
            except Exception:  # noqa: BLE001 - best effort at shutdown
                pass
        self._own = []
        self._client = None


def make_executor(spec: str | Executor | None, workers: int, memory_limit: int | None = None) -> Executor:
    """The executor named by `spec` (see EXECUTOR_HELP); an Executor passes through.
    `memory_limit` (bytes per worker, `budget.worker_limit_bytes`) binds local workers."""
    if spec is None or spec == "":
        spec = "local"
    if not isinstance(spec, str):
        return spec
    check_executor_spec(spec)
    if spec == "local":
        return LocalExecutor(workers, memory_limit)
    if spec == "serial":
        return SerialExecutor()
    return DaskExecutor(spec[5:], workers)


def check_executor_spec(spec: str) -> str:
    """Validate an executor spec without starting anything (for option parsing)."""
    if spec in ("local", "serial") or (spec.startswith("dask:") and len(spec) > 5):
        if spec.startswith("dask:") and not dask_available():
            raise ParameterError("executor", "dask needs dask.distributed: pip install 'pcodegen[dask]'")
        return spec
    raise UsageError(f"unknown executor {spec!r}; choose {EXECUTOR_HELP}")
