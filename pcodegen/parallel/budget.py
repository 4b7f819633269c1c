"""Memory budget: cap the worker count so the compile fits, the way Julia caps its
image-codegen threads (`compute_image_thread_count` in aotcompile.cpp limits the thread
count to available memory / (module weight x a fudge factor)), refuse a budget that
cannot fit even one worker, and hold each worker to its share.

The budget B covers the whole compile: the coordinator (what it holds once the module
is loaded, graphed and partitioned: `coordinator_kb`, its peak RSS so far) plus each
worker's private memory, what it adds to the pages it shares with the coordinator after
fork. One worker's private memory is estimated from the cost of the largest partition:

    worker_kb = WORKER_BASE_KB + KB_PER_COST * cost      (56 MiB + 0.2 KiB per cost unit)

Measured on SQLite (x86-64, llvmlite 0.50 / LLVM 22.1, O2, `pcodegen compile
bitcode_samples/build/sqlite.bc --parts P --workers W`; report.json `timings.workers[]`
peak_rss_kb minus the rss_start_kb of the worker's first task, and the process tree
sampled every 10-50 ms from outside for Private_Dirty, /proc/PID/smaps_rollup):

    largest partition (cost)      own RSS (peak - start)   private dirty   estimate
    SQLite whole (445,797)        98-103 MiB               129 MiB         143 MiB
    SQLite half (222,898)         55 MiB                   84-89 MiB       100 MiB
    SQLite 1/32 (13,932)          54-56 MiB                48-52 MiB        59 MiB
    coordinator (P = 1, 2, 32)    219-228 MiB peak RSS, 214 MiB when the workers fork

RSS growth misleads both ways: ~55 MiB of it is LLVM's code pages,
which RSS counts as a worker first touches them though every process shares them, while
the worker's allocations first fill the free heap it inherited from the coordinator
(62 MiB for SQLite), pages that were already resident and become private without
changing RSS. Private dirty memory is what a worker costs the machine. The 2-worker,
32-partition build peaked at 324-361 MiB of summed PSS (612 MiB of summed RSS), against
coordinator + 2 x estimate = 331 MiB. The previous constants (32 MiB + 0.2 KiB) fell
14-20 MiB short of a small partition's worker.

With a budget B: workers <= (B - coordinator) / worker_kb; when even one worker does not
fit, `cap_workers` raises a ParameterError (exit 2) saying the estimate, the budget and
what to do. Each local worker may then add (B - coordinator) / workers
(`worker_limit_bytes`, at least the estimate): `limit_process_memory` sets RLIMIT_DATA
in the forked worker to its data size at the fork plus that share less the free heap it
inherited, so a worker that outgrows its share fails (Python's MemoryError, or LLVM
aborting on std::bad_alloc: SIGABRT) and the pool reports it as that partition's
failure, naming the limit (`describe_failure`), instead of the kernel's OOM killer
choosing a victim. Checked on the whole of SQLite: a 20 or 70 MiB share fails in Python
(MemoryError, 0.4 s in), 100 MiB in LLVM (std::bad_alloc, SIGABRT, 0.7 s in), 120
and 143 MiB compile. RLIMIT_AS behaves the same here (100 MiB: SIGABRT, 150 MiB:
compiles), but it also counts address space that costs no memory (PROT_NONE arena
reservations, thread stacks, shared libraries); RLIMIT_DATA counts only private writable
mappings. Neither sees the inherited free heap (hence the subtraction; a share smaller
than that heap cannot be enforced below it) nor pages copied on write from the
coordinator's live data.
"""

from __future__ import annotations

import math
import re

from pcodegen.errors import ParameterError

WORKER_BASE_KB = 56 * 1024
KB_PER_COST = 0.2

_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text: str | int | None, parameter: str = "memory_budget") -> int | None:
    """Bytes from '4G', '512M', '1.5GiB', '800000K' or a plain number of bytes; a bad
    size is an error naming `parameter`."""
    if text is None or isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*", text)
    if not m:
        raise ParameterError(parameter, f"{text!r}: expected a size such as 4G, 512M or 1.5GiB")
    value = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if value <= 0:
        raise ParameterError(parameter, f"must be positive, got {text!r}")
    return value


def _mib(kb: float) -> str:
    return f"{kb / 1024:,.0f} MiB" if kb >= 1024 else f"{kb:,.0f} KiB"


def worker_estimate_kb(partition_cost: float, base_kb: float = WORKER_BASE_KB, kb_per_cost: float = KB_PER_COST) -> float:
    """Estimated private memory of one worker compiling a partition of this cost."""
    return base_kb + kb_per_cost * partition_cost


def cap_workers(requested: int, budget_bytes: int | None, partition_costs: list[int], coordinator_kb: int,
                base_kb: float = WORKER_BASE_KB, kb_per_cost: float = KB_PER_COST) -> tuple[int, str]:
    """(workers, note): at most `requested`, and as many as the budget left after the
    coordinator allows when every worker compiles the largest partition. A budget that
    cannot fit the coordinator and one such worker raises ParameterError: starting
    anyway would only run out of memory later."""
    if budget_bytes is None:
        return requested, ""
    largest = max(partition_costs, default=0)
    per = worker_estimate_kb(largest, base_kb, kb_per_cost)
    budget_kb = budget_bytes / 1024
    left_kb = budget_kb - coordinator_kb
    if left_kb < per:
        need_mib = math.ceil((coordinator_kb + per) / 1024)
        if left_kb <= 0:
            what = (f"the coordinator alone uses {_mib(coordinator_kb)} once the module is loaded, before any "
                    f"worker (~{_mib(per)} each by the estimate)")
            fix = f"raise it to at least {need_mib}M"
        else:
            what = (f"the coordinator uses {_mib(coordinator_kb)} and one worker on the largest partition "
                    f"(cost {largest:,}) needs ~{_mib(per)} by the estimate, {need_mib:,} MiB in all")
            fix = f"raise it to at least {need_mib}M"
            if kb_per_cost * largest >= base_kb / 4:  # smaller partitions would need noticeably less
                fix += ", or use more partitions (--parts) to shrink the largest"
        raise ParameterError("memory_budget", f"{_mib(budget_kb)} is too small: {what}; {fix}")
    allowed = int(left_kb // per)
    if allowed >= requested:
        return requested, ""
    return allowed, (f"memory budget {_mib(budget_kb)}: coordinator {_mib(coordinator_kb)}, "
                     f"~{_mib(per)} per worker; workers capped from {requested} to {allowed}")


def worker_limit_bytes(budget_bytes: int | None, workers: int, coordinator_kb: int) -> int | None:
    """Private memory each of `workers` workers may add over its start: the budget left
    after the coordinator, shared equally (at least the estimate that `cap_workers`
    checked, since it chose `workers`). None without a budget."""
    if budget_bytes is None:
        return None
    return max(0, int((budget_bytes - coordinator_kb * 1024) // max(1, workers)))


def _data_size_bytes() -> int | None:
    """This process's private writable memory (VmData), or None off Linux."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _malloc_free_bytes() -> int:
    """Free bytes in this process's malloc arenas (glibc `mallinfo2().fordblks`); 0
    where it cannot be had. A forked worker inherits the coordinator's free heap and
    allocates from it without any new mapping, so no rlimit sees that memory."""
    try:
        import ctypes

        class _MallInfo2(ctypes.Structure):
            _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                              "usmblks", "fsmblks", "uordblks", "fordblks",
                                                              "keepcost")]

        libc = ctypes.CDLL(None)
        libc.mallinfo2.restype = _MallInfo2
        return int(libc.mallinfo2().fordblks)
    except (OSError, AttributeError):
        return 0


def limit_process_memory(limit_bytes: int) -> int | None:
    """Let this process (a freshly forked worker) allocate at most about `limit_bytes`
    more private memory: RLIMIT_DATA at its data size now plus the limit, less the free
    heap it inherited (which it can fill without a new mapping), capped at the hard
    limit. Past it, malloc fails: Python raises MemoryError, LLVM aborts. Returns the
    limit set, or None where it cannot be set."""
    import resource

    base = _data_size_bytes()
    if base is None or not hasattr(resource, "RLIMIT_DATA"):
        return None
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    target = max(0, base + max(0, int(limit_bytes)) - _malloc_free_bytes())
    if hard != resource.RLIM_INFINITY:
        target = min(target, hard)
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (target, hard))
    except (ValueError, OSError):
        return None
    return target


# How a worker that ran out of its limit ends: Python's MemoryError, or LLVM's abort
# (std::bad_alloc, "LLVM ERROR: out of memory") and, rarely, a crash on an unchecked
# failed allocation.
_OOM_SIGNALS = ("SIGABRT", "SIGSEGV", "SIGBUS")


def describe_failure(how: str, limit_bytes: int | None) -> str:
    """A worker failure (`raised ...`, `killed by signal ...`), with the memory limit
    named where running out of it is what happened (MemoryError) or the likely cause
    (an abort or crash), and what to do."""
    if limit_bytes is None:
        return how
    share = f"{_mib(limit_bytes / 1024)} of new memory per worker under the memory budget"
    if how.startswith("raised MemoryError"):
        return f"{how}: ran out of its memory limit ({share}); raise the budget or use more partitions"
    if how.startswith("killed by signal") and how.split()[-1] in _OOM_SIGNALS:
        return f"{how}, probably out of its memory limit ({share}); raise the budget or use more partitions"
    return how
