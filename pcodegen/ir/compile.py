"""Compiling one module with llvmlite: initialise LLVM, parse and verify, optimise,
emit an object; and the execute stage's task, one partition compiled in its own fresh
context (`compile_task`, which the worker pool in `pcodegen.parallel` runs)."""

from __future__ import annotations

import logging
import os
import resource
import time
from dataclasses import dataclass, field
from typing import Any

import llvmlite.binding as llvm

from pcodegen.ir.parse import init_llvm, parse_module
from pcodegen.parallel import faults

log = logging.getLogger(__name__)

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
    ir: str | bytes | Any  # text, bitcode, a source with text() (split in the worker) or module() (parses itself)
    opt: int = 2
    cpu: str = ""
    emit_object: bool = True
    emit_bitcode: bool = False
    fault: str | None = None  # test hook: "crash", "hang" or "raise"
    cache: Any = None  # a pcodegen.cache.CacheSpec: reuse and store this partition's result


@dataclass
class CompileResult:
    """What a worker sends back: artifacts, timings (seconds) and memory (KiB)."""

    index: int
    name: str
    object: bytes | None
    bitcode: bytes | None
    timings: dict[str, float] = field(default_factory=dict)
    cpu_s: float = 0.0
    cpu_phases: dict[str, float] = field(default_factory=dict)  # CPU seconds per phase (split, parse, optimize, emit)
    pid: int = 0
    rss_start_kb: int = 0
    peak_rss_kb: int = 0
    folded_structors: list[str] = field(default_factory=list)  # see structor_functions
    cached: bool = False  # reused from the cache, not compiled
    cache_stored: bool = False  # compiled and stored in the cache
    cache_saved_s: float = 0.0  # the compile seconds the stored entry had cost
    notes: list[str] = field(default_factory=list)  # warnings for the coordinator (the cache's)


def structor_functions(mod: llvm.ModuleRef) -> list[str]:
    """`list:function` of every constructor and destructor entry of `mod`. Compared
    before and after optimisation it names the entries the optimiser folded away
    (GlobalOpt evaluates constructors into initialisers), which the program validator
    must tell from entries that were lost."""
    from pcodegen.ir.text import STRUCTOR_LISTS, structors, symbol_name

    out = []
    for name in STRUCTOR_LISTS:
        try:
            gv = mod.get_global_variable(name)
        except NameError:
            continue
        out += [f"{name[len('llvm.global_'):]}:{symbol_name(s.function)}" for s in structors(str(gv)) if s.function]
    return out


def compile_task(task: CompileTask) -> CompileResult:
    """Parse, verify, optimise and emit one partition in this process's own context."""
    init_llvm()
    rss0 = _rss_kb()
    c0 = time.process_time()
    t0 = time.perf_counter()
    faults.inject(task.fault)
    key, notes = None, []
    if hasattr(task.ir, "module"):  # a source that parses itself (load.WholeModule)
        t_split, c_split = t0, c0
        if task.cache is not None:
            key = _cache_key(b"whole module\0" + task.ir.data(), task)
            hit = _cached(task, key, notes, rss0, t0, c0)
            if hit is not None:
                return hit
        mod = task.ir.module()
    else:
        source = task.ir if isinstance(task.ir, (str, bytes)) else task.ir.text()
        t_split, c_split = time.perf_counter(), time.process_time()
        if task.cache is not None:
            key = _cache_key(source, task)
            hit = _cached(task, key, notes, rss0, t0, c0)
            if hit is not None:
                return hit
        mod = parse_module(source)
        del source
    t_parse, c_parse = time.perf_counter(), time.process_time()
    result = compile_loaded(mod, task)
    result.timings = {"split": t_split - t0, "parse": t_parse - t_split, **result.timings}
    result.timings["total"] += t_parse - t0
    result.cpu_phases = {"split": c_split - c0, "parse": c_parse - c_split, **result.cpu_phases}
    result.cpu_s = time.process_time() - c0
    result.rss_start_kb = rss0
    if key is not None:
        from pcodegen.cache import store

        warning = store(task.cache, key, result.object, result.bitcode,
                        result.cpu_phases.get("optimize", 0.0) + result.cpu_phases.get("emit", 0.0) +
                        result.cpu_phases.get("parse", 0.0), {"folded_structors": result.folded_structors})
        result.notes = notes + ([warning] if warning else [])
        result.cache_stored = warning is None
    return result


def _cache_key(source: str | bytes, task: CompileTask) -> str:
    from pcodegen.cache import cache_key

    return cache_key(source, task.opt, task.cpu, task.emit_object, task.emit_bitcode)


def _cached(task: CompileTask, key: str, notes: list[str], rss0: int, t0: float, c0: float) -> CompileResult | None:
    """The stored result for `key`, checked, or None (a warning in `notes` if the entry
    there could not be used)."""
    from pcodegen.cache import lookup

    entry, warning = lookup(task.cache, key)
    if warning:
        notes.append(warning)
    if entry is None:
        return None
    split_s, split_cpu = time.perf_counter() - t0, time.process_time() - c0
    return CompileResult(index=task.index, name=task.name, object=entry.object, bitcode=entry.bitcode,
                         timings={"split": split_s, "parse": 0.0, "optimize": 0.0, "serialize": 0.0, "emit": 0.0,
                                  "total": split_s},
                         cpu_s=split_cpu, cpu_phases={"split": split_cpu, "parse": 0.0, "optimize": 0.0, "emit": 0.0},
                         pid=os.getpid(), rss_start_kb=rss0,
                         peak_rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                         folded_structors=list(entry.extra.get("folded_structors", [])), cached=True,
                         cache_saved_s=entry.compile_s, notes=notes)


def compile_loaded(mod: llvm.ModuleRef, task: CompileTask) -> CompileResult:
    """Optimise and emit an already parsed module with `task`'s settings."""
    mod.name = task.name
    t1, c1 = time.perf_counter(), time.process_time()
    tm = target_machine(mod.triple, task.opt, task.cpu)
    listed = structor_functions(mod) if task.opt > 0 else []
    optimize(mod, tm, task.opt)
    folded = sorted(set(listed) - set(structor_functions(mod))) if listed else []
    t2, c2 = time.perf_counter(), time.process_time()
    bitcode = mod.as_bitcode() if task.emit_bitcode else None
    t3, c3 = time.perf_counter(), time.process_time()
    obj = tm.emit_object(mod) if task.emit_object else None
    t4, c4 = time.perf_counter(), time.process_time()
    log.debug("%s: opt %.2fs emit %.2fs", task.name, t2 - t1, t4 - t3)
    return CompileResult(
        index=task.index,
        name=task.name,
        object=obj,
        bitcode=bitcode,
        timings={"optimize": t2 - t1, "serialize": t3 - t2, "emit": t4 - t3, "total": t4 - t1},
        cpu_phases={"optimize": c2 - c1, "serialize": c3 - c2, "emit": c4 - c3},
        pid=os.getpid(),
        peak_rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        folded_structors=folded,
    )
