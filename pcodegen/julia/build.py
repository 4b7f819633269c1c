"""Build shared libraries from a workload, serially or in worker processes, and run them.

* `build_serial`: one worker process emits the whole workload in one context with one
  CodegenParams (finalised in place), compiles it, links it with the runtime.
* `build_parallel`: worker processes emit their partitions in their own contexts and
  return bitcode plus codegen state (phase "emit"); the coordinator merges the states
  deterministically (phase "merge") unless told to drop them; workers rename the
  slots as the merge says and compile (phase "compile"), together with the state
  module that defines every slot; the system C compiler driver links the objects and
  the runtime into a shared library (phase "link").
* `validate_library`: symbol resolution of the partition objects against the serial
  build, before anything is loaded.
* `run_entries`: load a library with the real dynamic loader (RTLD_NOW) in a child
  process and call entry points; a loader error comes back as text.
"""

from __future__ import annotations

import ctypes
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pcodegen.combine import link_objects
from pcodegen.ir.parse import parse_module
from pcodegen.julia.emit import (
    ObjectTask,
    EmitTask,
    compile_partition,
    compile_runtime,
    emit_partition,
    emit_serial_text,
    host_triple_and_layout,
)
from pcodegen.ir.compile import compile_module
from pcodegen.parallel.pool import run_pool
from pcodegen.parallel.fork import run_isolated
from pcodegen.julia.codegen import COUNTER, MergedState, function_names, merge_states, slot_kind, state_module
from pcodegen.validate.symbols import SymbolReport, SymbolTable, check_symbols, symbols_of_object
from pcodegen.julia.workload import Workload

DEFAULT_XS = (1, 0x5EED)
DEFAULT_DEPTH = 2


@dataclass
class Library:
    """A linked build: the library, its objects (label -> path) and how it was made."""

    path: Path
    objects: dict[str, Path]
    names: dict[int, str]
    timings: dict[str, float] = field(default_factory=dict)
    cpu_s: float = 0.0
    merged: MergedState | None = None
    states: list[dict[str, Any]] = field(default_factory=list)
    partitions: list[list[int]] = field(default_factory=list)
    workqueue: dict[str, int] = field(default_factory=dict)

    def symbol_tables(self) -> dict[str, SymbolTable]:
        return {label: symbols_of_object(p.read_bytes(), str(p)) for label, p in self.objects.items()}


# --- serial ---------------------------------------------------------------------------

def _serial_task(task: tuple[Workload, int]) -> dict[str, Any]:
    workload, opt = task
    c0, t0 = time.process_time(), time.perf_counter()
    text, params = emit_serial_text(workload)
    mod = parse_module(text)
    del text
    t1 = time.perf_counter()
    obj = compile_module(mod, opt)
    t2 = time.perf_counter()
    return {"object": obj, "names": params.names, "workqueue": params.workqueue_stats(),
            "slots": [s.name for s in params.global_targets.values()] + [s.name for s in params.external_fns.values()],
            "timings": {"emit": t1 - t0, "compile": t2 - t1}, "cpu_s": time.process_time() - c0}


def build_serial(workload: Workload, outdir: Path, opt: int = 2, timeout: float | None = None) -> Library:
    """The reference: whole workload, one process, one context, one CodegenParams."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    (res,) = run_pool(_serial_task, [(workload, opt)], 1, timeout, ["serial build"])
    t1 = time.perf_counter()
    obj = outdir / "serial.o"
    obj.write_bytes(res["object"])
    lib = link_objects([obj, compile_runtime(outdir)], outdir / "libserial.so", "shared")
    t2 = time.perf_counter()
    timings = {**res["timings"], "emit_and_compile_wall": t1 - t0, "link": t2 - t1, "total": t2 - t0}
    return Library(lib, {"serial": obj}, res["names"], timings, res["cpu_s"], workqueue=res["workqueue"])


# --- parallel ---------------------------------------------------------------------------

def build_parallel(workload: Workload, outdir: Path, parts: int, workers: int, opt: int = 2,
                   keep_state: bool = True, timeout: float | None = None) -> Library:
    """Emit and compile the partitions in worker processes and link them.

    With `keep_state` false the workers' codegen state is dropped, as in Julia's
    failed approach 2: nothing defines the slots the partitions reference.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    COUNTER.reset(1)
    names = function_names(workload, COUNTER)
    base = COUNTER.peek()
    triple, layout = host_triple_and_layout()
    partitions = workload.partitions(parts)
    tasks = [EmitTask(i, workload, members, names, base, triple, layout) for i, members in enumerate(partitions)]
    labels = [f"emit partition {i}" for i in range(len(tasks))]
    emitted = run_pool(emit_partition, tasks, workers, timeout, labels)
    t1 = time.perf_counter()
    states = [r.state for r in emitted]
    merged = merge_states(states, workload, base) if keep_state else None
    t2 = time.perf_counter()
    ctasks = [ObjectTask(r.index, f"partition{r.index}", r.bitcode, merged.renames[r.index] if merged else {}, opt)
              for r in emitted]
    if merged is not None:
        ctasks.append(ObjectTask(len(ctasks), "state", str(state_module(merged, triple, layout)), {}, opt))
    clabels = [f"compile {t.name}" for t in ctasks]
    order = sorted(range(len(ctasks)), key=lambda i: -len(ctasks[i].code))  # largest first
    compiled = run_pool(compile_partition, ctasks, workers, timeout, clabels, order=order)
    t3 = time.perf_counter()
    objects: dict[str, Path] = {}
    for out in compiled:
        path = outdir / f"{out.name}.o"
        path.write_bytes(out.object)
        objects[out.name] = path
    lib = link_objects([*objects.values(), compile_runtime(outdir)], outdir / "libparallel.so", "shared")
    t4 = time.perf_counter()
    timings = {"emit": t1 - t0, "merge": t2 - t1, "compile": t3 - t2, "link": t4 - t3, "total": t4 - t0,
               "emit_per_worker_max": max(r.timings["total"] for r in emitted),
               "compile_per_worker_max": max(c.timings["total"] for c in compiled)}
    cpu = sum(r.cpu_s for r in emitted) + sum(c.cpu_s for c in compiled)
    items = sum(s["workqueue"]["items"] for s in states)
    dups = merged.duplicate_references if merged else None
    wq = {"items": items, "duplicates_per_worker": sum(s["workqueue"]["duplicates"] for s in states)}
    if dups is not None:
        wq["duplicates"] = dups
    return Library(lib, objects, names, timings, cpu, merged, states, partitions, wq)


# --- validation -------------------------------------------------------------------------

def validate_library(lib: Library, reference: SymbolTable) -> SymbolReport:
    """Symbol resolution of `lib`'s objects against the serial build's symbols.

    Slots the partitions reference are what the split introduced, so an undefined
    slot is reported even when the serial build numbers that slot differently.
    """
    outputs = lib.symbol_tables()
    expected = {s for t in outputs.values() for s in t.undefined if slot_kind(s)}
    return check_symbols(reference, outputs, expected)


def exported_names(table: SymbolTable) -> set[str]:
    """The names `table` defines with a non-local binding."""
    return {s for s, info in table.defined.items() if info.binding != "local"}


# --- loading and running ------------------------------------------------------------------

def _run_entries_child(arg: tuple[str, list[str], tuple[int, ...], int], stage: Any) -> dict[str, Any]:
    path, symbols, xs, depth = arg
    stage("dlopen")
    try:
        lib = ctypes.CDLL(path, mode=os.RTLD_NOW | os.RTLD_LOCAL)
    except OSError as exc:
        return {"loaded": False, "error": str(exc)}
    stage("call")
    results = []
    for sym in symbols:
        fn = lib[sym]
        fn.restype = ctypes.c_int64
        fn.argtypes = [ctypes.c_int64, ctypes.c_int64]
        results.append([fn(x, depth) for x in xs])
    bindings = ctypes.c_int64.in_dll(lib, "jl_plt_bindings").value
    return {"loaded": True, "results": results, "plt_bindings": bindings}


def run_entries(path: Path, symbols: list[str], xs: tuple[int, ...] = DEFAULT_XS, depth: int = DEFAULT_DEPTH,
                timeout: float | None = 300) -> dict[str, Any]:
    """Load `path` with RTLD_NOW in a child process and call every symbol on `xs`.

    Returns {"loaded": bool, "error": loader message | None, "results": [[...]...],
    "crash": description | None}.
    """
    out = run_isolated(_run_entries_child, (str(path), list(symbols), tuple(xs), depth), timeout)
    if out.status == "ok":
        value = out.value
        value.setdefault("error", None)
        value["crash"] = None
        return value
    return {"loaded": out.stage == "call", "error": None, "results": None, "crash": out.describe()}


def compare_results(symbols: list[str], a: list[list[int]], b: list[list[int]], limit: int = 5) -> dict[str, Any]:
    """How many entry points return the same values in both builds; the first mismatches."""
    mismatches = [{"entry": s, "serial": x, "parallel": y} for s, x, y in zip(symbols, a, b) if x != y]
    return {"entry_points": len(symbols), "calls": len(symbols) * (len(a[0]) if a else 0),
            "mismatches": len(mismatches), "first_mismatches": mismatches[:limit]}
