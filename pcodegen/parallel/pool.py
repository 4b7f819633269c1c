"""The worker pool: run tasks in forked worker processes, a few at a time.

Workers are forked once the tasks exist (they inherit them and receive only an index)
and each runs one task at a time, building a fresh LLVM context per task, so nothing
of one task reaches the next; a worker is reused for further tasks. A crash (a signal
from LLVM), a hang or an exception is confined to the task that caused it and reported
by name, and that worker is never used again; the coordinator never shares an LLVM
context with a worker. With `memory_limit`, each worker may allocate only that much
more private memory than it started with (`budget.limit_process_memory`): one that
needs more fails as its task's error, named with the limit, rather than being left to
the kernel's OOM killer.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Callable, Sequence

from pcodegen.errors import WorkerError, error_line
from pcodegen.parallel import faults
from pcodegen.parallel.budget import describe_failure, limit_process_memory
from pcodegen.parallel.fork import describe_exit

log = logging.getLogger(__name__)


def _reset_peak_rss() -> None:
    """Restart this process's peak-RSS count (Linux `clear_refs`), so a worker that has
    run other tasks reports the peak of the current one; best effort."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _worker(func: Callable[[Any], Any], tasks: Sequence[Any], conn: Any, memory_limit: int | None = None) -> None:
    """A pool worker: run the tasks the coordinator names, one at a time, until told to
    stop. Each task builds its own LLVM context, so nothing carries over between tasks;
    the process itself is reused to spare a fork, a fresh heap and an exit per task.
    `memory_limit` bounds what the process allocates over its start, all tasks together."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    if memory_limit is not None:
        limit_process_memory(memory_limit)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        i, faults.ATTEMPT = msg
        _reset_peak_rss()
        try:
            answer = ("ok", func(tasks[i]))
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the coordinator
            answer = ("error", error_line(exc))
        conn.send(answer)


@dataclass
class MoreTasks:
    """Tasks that `meanwhile()` adds while the first ones run: appended after them (task
    index = number of tasks before + position here) and dispatched in `order`
    (positions here)."""

    tasks: list[Any]
    labels: list[str]
    order: list[int] = field(default_factory=list)

    def append_to(self, tasks: list[Any], labels: list[str]) -> list[int]:
        """Append these tasks and labels; return their task indexes in dispatch order."""
        before = len(tasks)
        tasks.extend(self.tasks)
        labels.extend(self.labels)
        return [before + j for j in (self.order or range(len(self.tasks)))]


class _Beside:
    """`meanwhile()` run on a thread of the coordinator, so the pool keeps handing out
    the tasks its workers already know while it runs (the plan of a big module outlasts
    the first partitions). Its end is signalled on a pipe the pool's wait() watches."""

    def __init__(self, work: Callable[[], MoreTasks | None]) -> None:
        self.ready, self._signal = mp.Pipe(duplex=False)
        self._more: MoreTasks | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name="pcodegen-meanwhile", daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], MoreTasks | None]) -> None:
        try:
            self._more = work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the pool's thread
            self._error = exc
        self._signal.send(True)

    def done(self) -> bool:
        return self.ready.poll()

    def result(self) -> MoreTasks | None:
        """What `meanwhile()` returned, once done; its exception re-raised here."""
        self._thread.join()
        self.ready.close()
        self._signal.close()
        if self._error is not None:
            raise self._error
        return self._more


@dataclass
class _Slot:
    """One pool worker process, how many tasks existed when it was forked (it knows
    only those), and the task it is running (None when idle)."""

    proc: Any
    conn: Any
    known: int
    task: int | None = None
    start: float = 0.0


def run_pool(
    func: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int,
    timeout: float | None = None,
    labels: Sequence[str] | None = None,
    order: Sequence[int] | None = None,
    on_result: Callable[[int, Any], None] | None = None,
    retries: int = 0,
    on_retry: Callable[[int, str], None] | None = None,
    memory_limit: int | None = None,
    meanwhile: Callable[[], MoreTasks | None] | None = None,
) -> list[Any]:
    """Run `func(task)` for every task in forked worker processes, at most `workers` at once.

    Workers are forked after `tasks` exist (they inherit them and receive only an
    index) and run one task at a time. Results come back in task order whatever the
    finishing order. `order` is the dispatch order (default: as given). The first
    failure (exception, signal, exit without result, or a task running past `timeout`
    seconds) stops every other worker and raises WorkerError naming the task; no child
    outlives this call. A worker whose task failed is never used again. `on_result(i,
    result)` runs in the coordinator as each result arrives, after the worker has been
    given its next task, so it overlaps with the tasks still running. With `retries`, a
    failed task is run again (only that task, by a worker that has not failed) up to
    that many times before the failure counts; `on_retry(i, how)` hears of each.
    `memory_limit` (bytes): the private memory each worker may add over its start
    (`budget.worker_limit_bytes`); a worker past it fails, its failure naming the limit.
    `meanwhile()` runs in the coordinator once, on a thread, right after the first tasks
    are dispatched, while they run (work that the tasks do not need); meanwhile the
    workers get the other first tasks as they free up, no worker is forked and no result
    is reported (`on_result` may read what it prepares). A task that fails meanwhile is
    reported once `meanwhile()` has returned, and its exception, if it raised one, comes
    first (a bad input fails both, and the input's error says more). It may return
    `MoreTasks`, which join the queue. A worker knows only the tasks that existed when it was forked: one
    that falls idle with only newer tasks left is let go, and a worker forked now takes
    its place. Results cover all tasks, in task order.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    tasks = list(tasks)  # meanwhile() may add to it; workers forked later inherit the additions
    labels = list(labels) if labels is not None else [f"task {i}" for i in range(len(tasks))]
    ctx = mp.get_context("fork")
    pending = deque(order if order is not None else range(len(tasks)))
    slots: list[_Slot] = []
    attempts = [0] * len(tasks)
    results: list[Any] = [None] * len(tasks)
    finished: list[int] = []  # results in hand, not yet reported

    beside: _Beside | None = None  # meanwhile() while it runs

    def spawn() -> _Slot:
        conn, child_end = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_worker, args=(func, tasks, child_end, memory_limit),
                           name=f"pcodegen-worker-{len(slots)}", daemon=True)
        proc.start()
        child_end.close()
        slot = _Slot(proc, conn, len(tasks))
        slots.append(slot)
        return slot

    def retire(slot: _Slot) -> None:
        slots.remove(slot)
        if slot.proc.is_alive():
            slot.proc.kill()
        slot.proc.join()
        slot.conn.close()

    def failed(slot: _Slot, how: str) -> None:
        i = slot.task
        assert i is not None
        retire(slot)
        how = describe_failure(how, memory_limit)
        if attempts[i] >= retries:
            if beside is not None:  # what runs beside may explain the failure (a bad input): its error first
                beside.result()
            raise WorkerError(labels[i], how)
        attempts[i] += 1
        log.warning("%s failed (%s); retry %d of %d", labels[i], how, attempts[i], retries)
        if on_retry is not None:
            on_retry(i, how)
        pending.appendleft(i)

    def assign(slot: _Slot, i: int) -> None:
        pending.remove(i)
        try:
            slot.conn.send((i, attempts[i]))
        except OSError:  # the idle worker is gone (killed from outside): replace it
            pending.appendleft(i)
            retire(slot)
            return
        slot.task, slot.start = i, time.monotonic()

    leaving: list[_Slot] = []  # told to stop; reaped at the end
    try:
        while True:
            for slot in [s for s in slots if s.task is None]:
                i = next((j for j in pending if j < slot.known), None)
                if i is not None:
                    assign(slot, i)
                else:  # nothing left that it knows: let it go now rather than at the end
                    slots.remove(slot)
                    leaving.append(slot)
                    try:
                        slot.conn.send(None)
                    except OSError:
                        pass
            while pending and len(slots) < workers and beside is None:  # never fork beside a thread
                assign(spawn(), pending[0])
            if meanwhile is not None:
                beside, meanwhile = _Beside(meanwhile), None
            if beside is not None and (beside.done() or not slots):
                more, beside = beside.result(), None
                if more is not None and more.tasks:
                    pending.extend(more.append_to(tasks, labels))
                    attempts.extend([0] * len(more.tasks))
                    results.extend([None] * len(more.tasks))
                continue  # hand them out before waiting
            # Report results only now, with their workers already busy again.
            while finished and beside is None:
                i = finished.pop(0)
                if on_result is not None:
                    on_result(i, results[i])
            if not slots:
                break
            wait_for = None
            if timeout is not None:
                oldest = min(s.start for s in slots)
                wait_for = max(0.0, oldest + timeout - time.monotonic())
            watched = [x for s in slots for x in (s.conn, s.proc.sentinel)]
            ready = set(wait(watched + ([beside.ready] if beside is not None else []), wait_for))
            for slot in list(slots):
                if slot.conn in ready or slot.proc.sentinel in ready:
                    try:
                        status, payload = slot.conn.recv()
                    except (EOFError, OSError):
                        slot.proc.join(5)
                        failed(slot, describe_exit(slot.proc.exitcode))
                        continue
                    if status != "ok":
                        failed(slot, f"raised {payload}")
                        continue
                    assert slot.task is not None
                    results[slot.task] = payload
                    finished.append(slot.task)
                    slot.task = None
                elif timeout is not None and time.monotonic() - slot.start > timeout:
                    failed(slot, f"timed out after {timeout:g} s")
    finally:
        for slot in slots:
            if slot.proc.is_alive():
                slot.proc.kill()
        for slot in slots + leaving:
            slot.proc.join()
            slot.conn.close()
    return results
