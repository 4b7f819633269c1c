"""Julia's three attempts at parallel codegen, reproduced as experiments, and their fixes.

Each experiment runs in a child process (`pcodegen.parallel.fork`), so a crash or a hang is
an outcome the verdict names, never a failure of the tool. Each has a failing mode
that reproduces the failure and a fixed mode (`fixed=True`) that works:

1. Per-context merge: partitions emitted in separate LLVM contexts are linked in one
   process. Failing: the verifier rejects the result ("Function context does not
   match Module context!") or the process dies by a signal. Fixed: a guard refuses a
   cross-context link with a clear error; the bitcode route (serialise, parse into
   one context, link, define the merged slots) verifies, compiles and defines exactly
   the serial build's symbols.
2. Bitcode round trip with per-worker state dropped: workers emit in their own
   contexts, the coordinator drops their CodegenParams state. Failing: the validator
   lists every undefined `jlplt_*_got` and global-target slot with the partitions
   that reference it, and the dynamic loader refuses the library with `undefined
   symbol`. Fixed: the state is merged deterministically, every slot is defined, the
   library loads and its entry points return what the serial build's return.
3. Shared context with mutex: threads share one LLVM context; each thread's
   CodegenParams takes the context lock in its constructor and holds it for its
   lifetime (as `jl_codegen_params_t` does). A thread that needs a workqueue item
   another thread emits waits for it while holding the lock; the other thread waits
   for the lock. Failing: a watchdog detects the deadlock (a cycle in the wait-for
   graph, confirmed in the threads' stacks) within a bound and names the threads and
   the lock holder. Fixed: the lock is taken per emission; the run completes and the
   verdict reports the speedup over one thread (about 1x: llvmlite serialises every
   LLVM call behind one global lock, and the GIL serialises building the IR).
"""

from __future__ import annotations

import time


from pcodegen.errors import ParameterError, UsageError
from pcodegen.julia.experiments import EXPERIMENTS
from pcodegen.julia.workload import Workload
from pcodegen.julia.experiments.approach1 import approach1
from pcodegen.julia.experiments.approach2 import approach2
from pcodegen.julia.experiments.approach3 import approach3
from pcodegen.julia.experiments.common import Verdict


def run_experiment(name: str, workload: Workload, fixed: bool = False, *, workers: int = 2, parts: int | None = None,
                   threads: int = 2, opt: int = 2, bound_s: float = 10.0, workdir: str | None = None) -> Verdict:
    """Run one experiment in a child process and return its verdict."""
    if name not in EXPERIMENTS:
        raise UsageError(f"unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)}")
    if workers < 1:
        raise ParameterError("workers", "must be at least 1")
    t0 = time.perf_counter()
    if name == "approach1":
        if len(workload.compiled()) < 2:
            raise UsageError("approach1 needs at least 2 compiled CodeInstances")
        outcome, ok, summary, details = approach1(workload, fixed, max(2, parts or 2), opt)
    elif name == "approach2":
        outcome, ok, summary, details = approach2(workload, fixed, workers, parts, opt, workdir)
    else:
        outcome, ok, summary, details = approach3(workload, fixed, threads, bound_s, opt)
    expected = details.pop("expected", "")
    details.pop("outcome", None)
    return Verdict(name, "fixed" if fixed else "failing", workload.preset, workload.seed, expected, outcome, ok,
                   summary, details, round(time.perf_counter() - t0, 3))
