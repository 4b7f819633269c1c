"""Executors: local (forked processes), serial (in-process) and dask.distributed give
byte-identical objects for the same plan, in plan order, and report failures by name."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from conftest import run_cli
from pcodegen.errors import UsageError, WorkerError
from pcodegen.parallel.executors import LocalExecutor, SerialExecutor, check_executor_spec, dask_available, make_executor
from pcodegen.pipeline import CompileOptions, compile_parallel

DEMO = Path(str(resources.files("pcodegen") / "data" / "demo.ll"))
needs_dask = pytest.mark.skipif(not dask_available(), reason="dask.distributed is not installed")


def _objects(executor, parts: int = 3, **kw) -> tuple[list[bytes], object]:
    run = compile_parallel(DEMO, CompileOptions(parts=parts, workers=2, opt=1, executor=executor, **kw))
    assert run.symbols is not None and run.symbols.ok
    return [r.object for r in run.results], run


@pytest.fixture(scope="module")
def local_objects() -> list[bytes]:
    objs, run = _objects("local")
    assert run.executor == "local" and len(run.spans) == 3 and all(s is not None for s in run.spans)
    return objs


def test_serial_executor_matches_local(local_objects: list[bytes]) -> None:
    objs, run = _objects("serial")
    assert objs == local_objects
    assert run.executor == "serial"
    assert run.report()["timings"]["workers"][0]["start_s"] >= 0


def test_executor_specs() -> None:
    assert isinstance(make_executor("local", 3), LocalExecutor)
    assert isinstance(make_executor("serial", 3), SerialExecutor)
    ex = SerialExecutor()
    assert make_executor(ex, 2) is ex
    for bad in ("thread", "dask:", "ssh:host"):
        with pytest.raises(UsageError):
            make_executor(bad, 2)
        with pytest.raises(UsageError):
            check_executor_spec(bad)


def test_serial_executor_reports_a_failure_by_name() -> None:
    with pytest.raises(WorkerError, match="part-001.*raised RuntimeError: injected fault"):
        compile_parallel(DEMO, CompileOptions(parts=3, workers=2, opt=0, executor="serial", faults={1: "raise"}))


@pytest.mark.slow
def test_cli_executor_option(tmp_path: Path) -> None:
    proc = run_cli("compile", DEMO, "--parts", 2, "--opt", 0, "--executor", "serial", "-o", tmp_path / "out", "--json")
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(proc.stdout)
    assert rep["settings"]["executor"] == "serial"
    bad = run_cli("compile", DEMO, "--executor", "cloud", "-o", tmp_path / "x")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "unknown executor" in bad.stderr


@pytest.mark.slow
def test_memory_budget_bad_values(tmp_path: Path) -> None:
    """(Capping is tested in tests/unit/test_budget_memory.py, with a budget sized from a probe run.)"""
    for budget, words in (("plenty", "--memory-budget"), ("1M", "too small")):
        bad = run_cli("compile", DEMO, "--memory-budget", budget, "-o", tmp_path / "y")
        assert bad.returncode == 2 and words in bad.stderr and "Traceback" not in bad.stderr, bad.stderr
        assert not (tmp_path / "y").exists()


@pytest.fixture(scope="module")
def dask_client():
    if not dask_available():
        pytest.skip("dask.distributed is not installed")
    from distributed import Client, LocalCluster

    cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1",
                           dashboard_address=None)
    client = Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


@needs_dask
@pytest.mark.slow
def test_dask_executor_matches_local(dask_client, local_objects: list[bytes]) -> None:
    from pcodegen.parallel.executors import DaskExecutor

    ex = DaskExecutor(client=dask_client)
    objs, run = _objects(ex)
    assert objs == local_objects
    assert run.workers_used == 2  # the cluster's threads
    assert "split" in run.phases  # partitions cut in the coordinator before shipping
    assert all(s is not None for s in run.spans)
    # the pickled path must not have changed anything else either
    assert [r.name for r in run.results] == ["part-000", "part-001", "part-002"]


@needs_dask
def test_dask_executor_reports_a_failure_by_name(dask_client) -> None:
    from pcodegen.parallel.executors import DaskExecutor

    with pytest.raises(WorkerError, match="part-002.*injected fault"):
        compile_parallel(DEMO, CompileOptions(parts=3, workers=2, opt=0, executor=DaskExecutor(client=dask_client),
                                              faults={2: "raise"}))


@needs_dask
@pytest.mark.slow
def test_dask_executor_timeout(dask_client) -> None:
    from pcodegen.parallel.executors import DaskExecutor

    with pytest.raises(WorkerError, match="part-000.*no result for 1 s"):
        compile_parallel(DEMO, CompileOptions(parts=2, workers=2, opt=0, executor=DaskExecutor(client=dask_client),
                                              faults={0: "delay:4"}, timeout=1.0))


def _pid_or_fail(i: int) -> tuple[int, int]:
    """Pool task: fail task 1 on its first try (saying which process failed), else
    report which process ran it."""
    import os

    from pcodegen.parallel import faults

    if i == 1 and faults.ATTEMPT == 0:
        raise RuntimeError(f"failed in {os.getpid()}")
    return i, os.getpid()


@pytest.mark.slow
def test_pool_reuses_workers_but_never_one_that_failed() -> None:
    """Forked workers run several tasks each (no fork per task); after a failure the
    worker is discarded and the retry runs in a process that did not fail."""
    from pcodegen.parallel.pool import run_pool

    failures: list[str] = []
    out = run_pool(_pid_or_fail, list(range(8)), 2, retries=1, on_retry=lambda i, how: failures.append(how))
    assert [i for i, _ in out] == list(range(8))
    assert len(failures) == 1 and "RuntimeError: failed in" in failures[0]
    bad_pid = int(failures[0].rsplit(" ", 1)[1])
    pids = {pid for _, pid in out}
    assert bad_pid not in pids
    assert len(pids) <= 3  # two workers, plus the replacement for the one that failed


def _square_with_pid(x: int) -> tuple[int, int]:
    import os

    return x * x, os.getpid()


def _nap(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def test_known_tasks_keep_going_while_meanwhile_runs() -> None:
    """`meanwhile()` runs beside the pool's dispatching: the one worker runs every task
    it already knows while it does, and results are reported only after it returns (so
    `on_result` may read what it prepares)."""
    import time

    from pcodegen.parallel.pool import MoreTasks

    executor = LocalExecutor(1)
    t0 = time.monotonic()
    marks: dict[str, float] = {}
    reported: list[tuple[int, float]] = []

    def plan_the_rest() -> MoreTasks:
        time.sleep(1.5)
        marks["planned"] = time.monotonic() - t0
        return MoreTasks([0.05], ["later"])

    out = executor.map(_nap, [0.1, 0.1, 0.1], labels=["a", "b", "c"], meanwhile=plan_the_rest,
                       on_result=lambda i, r: reported.append((i, time.monotonic() - t0)))
    assert out == [0.1, 0.1, 0.1, 0.05]
    ends = [span[1] for span in executor.spans[:3]]
    assert max(ends) < marks["planned"]  # all three ran on the one worker while the plan was made
    assert sorted(i for i, _ in reported) == [0, 1, 2, 3]
    assert min(t for _, t in reported) >= marks["planned"]


def _nap_or_die(seconds: float) -> float:
    import os

    if seconds < 0:
        os._exit(3)  # a worker that dies without a word, as a crashing LLVM would
    return _nap(seconds)


def test_a_worker_dying_while_meanwhile_runs() -> None:
    """A task that fails while `meanwhile()` runs is reported once it has returned,
    naming the task, and no worker is left behind; if `meanwhile()` itself raised (the
    load of a malformed input, which the one-partition build's worker also fails on),
    its error is the one raised."""
    import multiprocessing
    import time

    from pcodegen.parallel.pool import MoreTasks

    def slow_plan() -> MoreTasks:
        time.sleep(1.0)
        return MoreTasks([0.05], ["later"])

    def bad_load() -> MoreTasks:
        time.sleep(1.0)
        raise UsageError("in.ll: malformed IR")

    with pytest.raises(WorkerError, match="second"):
        LocalExecutor(2).map(_nap_or_die, [0.1, -1.0], labels=["first", "second"], meanwhile=slow_plan)
    with pytest.raises(UsageError, match="malformed IR"):
        LocalExecutor(2).map(_nap_or_die, [-1.0], labels=["whole"], meanwhile=bad_load)
    assert not [c for c in multiprocessing.active_children() if c.name.startswith("pcodegen-worker")]


@pytest.mark.parametrize("executor", [LocalExecutor(2), SerialExecutor()])
def test_tasks_added_while_the_first_run(executor) -> None:
    """`meanwhile()` may add tasks: they run in the order it gives, results come back
    in task order, and a forked worker never gets a task made after its fork."""
    from pcodegen.parallel.pool import MoreTasks

    seen: list[int] = []
    out = executor.map(_square_with_pid, [1], labels=["one"], on_result=lambda i, r: seen.append(i),
                       meanwhile=lambda: MoreTasks([2, 3, 4], ["two", "three", "four"], [2, 0, 1]))
    assert [r[0] for r in out] == [1, 4, 9, 16]
    assert sorted(seen) == [0, 1, 2, 3] and len(executor.spans) == 4
    if isinstance(executor, LocalExecutor):
        early_pid = out[0][1]
        assert early_pid not in {r[1] for r in out[1:]}  # forked before the others existed
    else:
        assert seen == [0, 3, 1, 2]  # in-process: the first task, then the added ones in their order
