"""Execute stage: compile partitions in worker processes, one llvmlite context each.

Every task runs in a freshly forked process, so a crash (a signal from LLVM), a hang
or an exception is confined to that task and reported by name; the coordinator never
shares an LLVM context with a worker.
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
    optimize(mod, tm, task.opt)
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
    )


def _child(func: Callable[[Any], Any], task: Any, conn: Any, attempt: int) -> None:
    global ATTEMPT
    ATTEMPT = attempt
    try:
        result = ("ok", func(task))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the coordinator
        result = ("error", f"{type(exc).__name__}: {exc}".splitlines()[0])
    try:
        conn.send(result)
    finally:
        conn.close()


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
    """Run `func(task)` for every task in forked processes, at most `workers` at once.

    Results come back in task order whatever the finishing order. `order` is the
    dispatch order (default: as given). The first failure (exception, signal, exit
    without result, or a task running past `timeout` seconds) stops every other
    worker and raises WorkerError naming the task; no child outlives this call.
    `on_result(i, result)` runs in the coordinator as each result arrives, so it
    overlaps with the tasks still running. With `retries`, a failed task is run
    again (only that task) up to that many times before the failure counts;
    `on_retry(i, how)` hears of each.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    labels = list(labels) if labels is not None else [f"task {i}" for i in range(len(tasks))]
    ctx = mp.get_context("fork")
    pending = deque(order if order is not None else range(len(tasks)))
    running: dict[int, tuple[Any, Any, float]] = {}
    attempts = [0] * len(tasks)
    results: list[Any] = [None] * len(tasks)

    def failed(i: int, how: str) -> None:
        proc, recv, _ = running.pop(i)
        if proc.is_alive():
            proc.kill()
        proc.join()
        recv.close()
        if attempts[i] >= retries:
            raise WorkerError(labels[i], how)
        attempts[i] += 1
        log.warning("%s failed (%s); retry %d of %d", labels[i], how, attempts[i], retries)
        if on_retry is not None:
            on_retry(i, how)
        pending.appendleft(i)

    try:
        while pending or running:
            while pending and len(running) < workers:
                i = pending.popleft()
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(func, tasks[i], send, attempts[i]), name=labels[i],
                                   daemon=True)
                proc.start()
                send.close()
                running[i] = (proc, recv, time.monotonic())
            wait_for = None
            if timeout is not None:
                oldest = min(start for _, _, start in running.values())
                wait_for = max(0.0, oldest + timeout - time.monotonic())
            ready = set(wait([x for p, r, _ in running.values() for x in (r, p.sentinel)], wait_for))
            for i, (proc, recv, start) in list(running.items()):
                if recv in ready or proc.sentinel in ready:
                    try:
                        status, payload = recv.recv()
                    except (EOFError, OSError):
                        proc.join(5)
                        failed(i, describe_exit(proc.exitcode))
                        continue
                    if status != "ok":
                        failed(i, f"raised {payload}")
                        continue
                    proc.join()
                    del running[i]
                    recv.close()
                    results[i] = payload
                    if on_result is not None:
                        on_result(i, payload)
                elif timeout is not None and time.monotonic() - start > timeout:
                    failed(i, f"timed out after {timeout:g} s")
    finally:
        for proc, recv, _ in running.values():
            if proc.is_alive():
                proc.kill()
            proc.join()
            recv.close()
    return results
