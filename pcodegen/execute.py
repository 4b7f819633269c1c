"""Execute stage: compile partitions in worker processes, one llvmlite context each.

Workers are forked once the partitions are planned and each runs one task at a time,
building a fresh LLVM context per task, so nothing of one task reaches the next. A
crash (a signal from LLVM), a hang or an exception is confined to the task that caused
it and reported by name, and that worker is never used again; the coordinator never
shares an LLVM context with a worker. Reusing a worker for several tasks rather than
forking one per task saves about 25 ms a task on SQLite (a fresh heap to fault in, an
exit to tear down), which adds up at 32 partitions.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import resource
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Callable, Sequence

import llvmlite.binding as llvm

from .errors import WorkerError

log = logging.getLogger(__name__)

_LLVM_READY = False


def init_llvm() -> None:
    """Initialise the native target, asm printer and asm parser once per process.

    The asm parser matters: without it a module with inline assembly aborts the
    process at object emission.
    """
    global _LLVM_READY
    if not _LLVM_READY:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        llvm.initialize_native_asmparser()
        _LLVM_READY = True


def target_machine(triple: str, opt: int, cpu: str = "") -> llvm.TargetMachine:
    """A PIC target machine for `triple` (the default triple when empty)."""
    init_llvm()
    target = llvm.Target.from_triple(triple or llvm.get_default_triple())
    return target.create_target_machine(cpu=cpu, opt=opt, reloc="pic", codemodel="default")


def optimize(mod: llvm.ModuleRef, tm: llvm.TargetMachine, opt: int) -> None:
    """Run the standard O`opt` module pipeline (as clang would) in place."""
    if opt <= 0:
        return
    pto = llvm.create_pipeline_tuning_options(speed_level=opt)
    pto.loop_vectorization = opt >= 2
    pto.slp_vectorization = opt >= 2
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)


def compile_module(mod: llvm.ModuleRef, opt: int = 2, cpu: str = "") -> bytes:
    """Optimise `mod` in place and return its object file bytes."""
    tm = target_machine(mod.triple, opt, cpu)
    optimize(mod, tm, opt)
    return tm.emit_object(mod)


def _rss_kb() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:  # pragma: no cover - non-Linux
        return 0


@dataclass
class CompileTask:
    """One partition to compile: its IR text (or bitcode) and the settings."""

    index: int
    name: str
    ir: str | bytes | Any  # text, bitcode, or a source with a text() method (split in the worker)
    opt: int = 2
    cpu: str = ""
    emit_object: bool = True
    emit_bitcode: bool = False
    fault: str | None = None  # test hook: "crash", "hang" or "raise"


@dataclass
class CompileResult:
    """What a worker sends back: artifacts, timings (seconds) and memory (KiB)."""

    index: int
    name: str
    object: bytes | None
    bitcode: bytes | None
    timings: dict[str, float] = field(default_factory=dict)
    cpu_s: float = 0.0
    pid: int = 0
    rss_start_kb: int = 0
    peak_rss_kb: int = 0
    folded_structors: list[str] = field(default_factory=list)  # see structor_functions


def structor_functions(mod: llvm.ModuleRef) -> list[str]:
    """`list:function` of every constructor and destructor entry of `mod`. Compared
    before and after optimisation it names the entries the optimiser folded away
    (GlobalOpt evaluates constructors into initialisers), which the program validator
    must tell from entries that were lost."""
    from .irtext import STRUCTOR_LISTS, structors, symbol_name

    out = []
    for name in STRUCTOR_LISTS:
        try:
            gv = mod.get_global_variable(name)
        except NameError:
            continue
        out += [f"{name[len('llvm.global_'):]}:{symbol_name(s.function)}" for s in structors(str(gv)) if s.function]
    return out


ATTEMPT = 0  # set in each worker: 0 on the first try of a task, 1 on its first retry, ...
FAULTS = ("crash", "crash-once", "hang", "raise", "delay:SECONDS")


def _inject(fault: str | None) -> None:
    """Test hook: make this worker crash (SIGSEGV), hang, raise, or finish late."""
    if fault in ("crash", "crash-once") and (fault == "crash" or ATTEMPT == 0):
        os.kill(os.getpid(), signal.SIGSEGV)
    elif fault == "hang":
        time.sleep(10**6)
    elif fault == "raise":
        raise RuntimeError("injected fault")
    elif fault and fault.startswith("delay:"):
        time.sleep(float(fault.split(":", 1)[1]))


def parse_module(source: str | bytes, context: llvm.ContextRef | None = None) -> llvm.ModuleRef:
    """Parse IR text or bitcode into `context` (a fresh one by default) and verify it."""
    init_llvm()
    ctx = context if context is not None else llvm.create_context()
    if isinstance(source, bytes):
        mod = llvm.parse_bitcode(source, context=ctx)
    else:
        mod = llvm.parse_assembly(source, context=ctx)
    mod.verify()
    return mod


def compile_task(task: CompileTask) -> CompileResult:
    """Parse, verify, optimise and emit one partition in this process's own context."""
    init_llvm()
    rss0 = _rss_kb()
    c0 = time.process_time()
    t0 = time.perf_counter()
    _inject(task.fault)
    source = task.ir if isinstance(task.ir, (str, bytes)) else task.ir.text()
    t_split = time.perf_counter()
    mod = parse_module(source)
    del source
    t_parse = time.perf_counter()
    result = compile_loaded(mod, task)
    result.timings = {"split": t_split - t0, "parse": t_parse - t_split, **result.timings}
    result.timings["total"] += t_parse - t0
    result.cpu_s = time.process_time() - c0
    result.rss_start_kb = rss0
    return result


def compile_loaded(mod: llvm.ModuleRef, task: CompileTask) -> CompileResult:
    """Optimise and emit an already parsed module with `task`'s settings."""
    mod.name = task.name
    t1 = time.perf_counter()
    tm = target_machine(mod.triple, task.opt, task.cpu)
    listed = structor_functions(mod) if task.opt > 0 else []
    optimize(mod, tm, task.opt)
    folded = sorted(set(listed) - set(structor_functions(mod))) if listed else []
    t2 = time.perf_counter()
    bitcode = mod.as_bitcode() if task.emit_bitcode else None
    t3 = time.perf_counter()
    obj = tm.emit_object(mod) if task.emit_object else None
    t4 = time.perf_counter()
    log.debug("%s: opt %.2fs emit %.2fs", task.name, t2 - t1, t4 - t3)
    return CompileResult(
        index=task.index,
        name=task.name,
        object=obj,
        bitcode=bitcode,
        timings={"optimize": t2 - t1, "serialize": t3 - t2, "emit": t4 - t3, "total": t4 - t1},
        pid=os.getpid(),
        peak_rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        folded_structors=folded,
    )


def _reset_peak_rss() -> None:
    """Restart this process's peak-RSS count (Linux `clear_refs`), so a worker that has
    run other tasks reports the peak of the current one; best effort."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _worker(func: Callable[[Any], Any], tasks: Sequence[Any], conn: Any) -> None:
    """A pool worker: run the tasks the coordinator names, one at a time, until told to
    stop. Each task builds its own LLVM context, so nothing carries over between tasks;
    the process itself is reused to spare a fork, a fresh heap and an exit per task."""
    global ATTEMPT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        i, ATTEMPT = msg
        _reset_peak_rss()
        try:
            answer = ("ok", func(tasks[i]))
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the coordinator
            answer = ("error", f"{type(exc).__name__}: {exc}".splitlines()[0])
        conn.send(answer)


class Forked:
    """`func(*args)` running in a forked child while this process goes on.

    `result()` waits for it and returns its value, or raises the exception it raised
    (RuntimeError when the child died without an answer). `close()` kills a child
    still running; use it in a `finally` so no child outlives its caller.
    """

    def __init__(self, func: Callable[..., Any], *args: Any):
        ctx = mp.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=self._run, args=(func, args, send), daemon=True)
        self._proc.start()
        send.close()

    @staticmethod
    def _run(func: Callable[..., Any], args: tuple, conn: Any) -> None:
        try:
            answer = ("ok", func(*args))
        except BaseException as exc:  # noqa: BLE001 - the parent re-raises it
            answer = ("error", exc)
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - e.g. an exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        finally:
            conn.close()

    def result(self) -> Any:
        try:
            status, payload = self._recv.recv()
        except (EOFError, OSError):
            self._proc.join(5)
            raise RuntimeError(f"forked helper {describe_exit(self._proc.exitcode)}") from None
        finally:
            self.close()
        if status != "ok":
            raise payload
        return payload

    def close(self) -> None:
        if self._proc.is_alive():  # unfinished, or done and exiting: either way not needed
            self._proc.kill()
        self._proc.join()
        self._recv.close()


def describe_exit(exitcode: int | None) -> str:
    """Human words for a process exit status."""
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with status {exitcode} without a result"


@dataclass
class _Slot:
    """One pool worker process and the task it is running (None when idle)."""

    proc: Any
    conn: Any
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
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    labels = list(labels) if labels is not None else [f"task {i}" for i in range(len(tasks))]
    ctx = mp.get_context("fork")
    pending = deque(order if order is not None else range(len(tasks)))
    slots: list[_Slot] = []
    attempts = [0] * len(tasks)
    results: list[Any] = [None] * len(tasks)
    finished: list[int] = []  # results in hand, not yet reported

    def spawn() -> _Slot:
        conn, child_end = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_worker, args=(func, tasks, child_end), name=f"pcodegen-worker-{len(slots)}",
                           daemon=True)
        proc.start()
        child_end.close()
        slot = _Slot(proc, conn)
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
        if attempts[i] >= retries:
            raise WorkerError(labels[i], how)
        attempts[i] += 1
        log.warning("%s failed (%s); retry %d of %d", labels[i], how, attempts[i], retries)
        if on_retry is not None:
            on_retry(i, how)
        pending.appendleft(i)

    def assign(slot: _Slot) -> None:
        i = pending.popleft()
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
                if pending:
                    assign(slot)
                else:  # nothing left for it: let it go now rather than at the end
                    slots.remove(slot)
                    leaving.append(slot)
                    try:
                        slot.conn.send(None)
                    except OSError:
                        pass
            while pending and len(slots) < workers:
                assign(spawn())
            # Report results only now, with their workers already busy again.
            while finished:
                i = finished.pop(0)
                if on_result is not None:
                    on_result(i, results[i])
            if not slots:
                break
            wait_for = None
            if timeout is not None:
                oldest = min(s.start for s in slots)
                wait_for = max(0.0, oldest + timeout - time.monotonic())
            ready = set(wait([x for s in slots for x in (s.conn, s.proc.sentinel)], wait_for))
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
