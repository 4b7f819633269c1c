"""Emit a Julia-style codegen workload as LLVM IR (llvmlite.ir), serially or in workers.

Every compiled CodeInstance becomes `i64 julia_<name>_<N>(i64 x, i64 depth)`. Its
body is derived from the CodeInstance alone (a private RNG seeded by its id, name and
size), so it is the same whichever process emits it:

* one call block per callee (a workqueue entry), taken only while `depth > 0`, so an
  entry point's run time is bounded whatever the call graph;
* one load through a global-target slot per referenced runtime object;
* one indirect call through a `jlplt_<fn>_<N>_got` slot per runtime function;
* filler chunks until the body reaches its size: arithmetic, data-dependent loops,
  branch diamonds and lookups in merged constant tables.

Serial emission (`emit_workload`) is the reference: one context, one CodegenParams,
finalised in place. Emission streams (`CodegenParams(stream=True)`): each function is
printed as soon as its body is complete and its llvmlite.ir objects dropped, so memory
holds IR text, not instruction objects; `CodegenParams.text()` is the module's IR,
identical to what `str(module)` prints without streaming. Parallel emission runs
`emit_partition` in worker processes, each with its own context and CodegenParams; it
returns bitcode plus its codegen state as plain data (`CodegenParams.export_state`),
and `compile_partition` compiles a partition after renaming its slots as the
coordinator's merge says.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import llvmlite.binding as llvm
from llvmlite import ir

from pcodegen.errors import CheckFailed, UsageError
from pcodegen.combine import cc
from pcodegen.ir.parse import init_llvm, parse_module
from pcodegen.julia.codegen import COUNTER, I64, RTFNTY, CodegenParams, NameCounter, function_names, runtime_source
from pcodegen.julia.workload import CodeInstance, Workload

# Approximate instruction counts of each chunk kind (the size budget).
_COST = {"arith": 4, "branch": 7, "loop": 9, "table": 5, "call": 6, "global": 4, "plt": 4}
_FILLERS = ("arith", "arith", "arith", "branch", "branch", "loop", "loop", "table")
_NTABLES = 16
_MASK64 = (1 << 64) - 1


def _c(v: int) -> ir.Constant:
    """An i64 constant from any integer (wrapped to a signed 64-bit value)."""
    v &= _MASK64
    return ir.Constant(I64, v - (1 << 64) if v >> 63 else v)


def _splitmix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _table(k: int) -> tuple[int, ...]:
    vals = [_splitmix(k * 64 + i) for i in range(16)]
    return tuple(v - (1 << 64) if v >> 63 else v for v in vals)


def body_plan(ci: CodeInstance) -> list[tuple[str, Any]]:
    """The chunks of `ci`'s body, in emission order (deterministic per CodeInstance)."""
    rng = random.Random(f"pcodegen:{ci.id}:{ci.name}:{ci.size}")
    chunks: list[tuple[str, Any]] = [("call", c) for c in ci.callees]
    chunks += [("global", g) for g in ci.globals]
    chunks += [("plt", e) for e in ci.externals]
    budget = ci.size - 2 - sum(_COST[k] for k, _ in chunks)
    while budget > 0:
        kind = rng.choice(_FILLERS)
        chunks.append((kind, rng.getrandbits(64)))
        budget -= _COST[kind]
    rng.shuffle(chunks)
    return chunks


# Basic blocks each kind of chunk adds to a body (beside the entry block): a branch
# diamond's then, else and join; a loop's body and exit; a guarded call's call and join.
BLOCKS_ADDED = {"branch": 3, "loop": 2, "call": 2}


def block_count(ci: CodeInstance) -> int:
    """Basic blocks of the function `emit_code_instance` makes for `ci`."""
    return 1 + sum(BLOCKS_ADDED.get(kind, 0) for kind, _ in body_plan(ci))


def emit_code_instance(params: CodegenParams, ci: CodeInstance) -> ir.Function:
    """Emit one CodeInstance's function into `params.module`."""
    fn = params.begin_definition(ci.id)
    x, depth = fn.args
    b = ir.IRBuilder(fn.append_basic_block("top"))
    rng = random.Random(f"pcodegen-body:{ci.id}")
    acc = b.xor(x, _c(rng.getrandbits(64)))
    pos = 0
    for kind, arg in body_plan(ci):
        if kind == "arith":
            r = random.Random(arg)
            t = b.mul(acc, _c(r.getrandbits(64) | 1))
            t = b.xor(t, b.lshr(t, _c(r.randrange(1, 63))))
            acc = b.add(t, _c(r.getrandbits(32)))
        elif kind == "branch":
            r = random.Random(arg)
            cond = b.icmp_unsigned("!=", b.and_(acc, _c(1 << r.randrange(64))), _c(0))
            then_bb, else_bb, join = (fn.append_basic_block() for _ in range(3))
            b.cbranch(cond, then_bb, else_bb)
            b.position_at_end(then_bb)
            tv = b.add(b.mul(acc, _c(r.getrandbits(64) | 1)), _c(r.getrandbits(40)))
            b.branch(join)
            b.position_at_end(else_bb)
            ev = b.lshr(b.xor(acc, _c(r.getrandbits(64))), _c(r.randrange(1, 17)))
            ev = b.sub(ev, _c(r.getrandbits(20)))
            b.branch(join)
            b.position_at_end(join)
            phi = b.phi(I64)
            phi.add_incoming(tv, then_bb)
            phi.add_incoming(ev, else_bb)
            acc = phi
        elif kind == "loop":
            r = random.Random(arg)
            n = b.add(b.and_(b.lshr(acc, _c(r.randrange(0, 58))), _c(7)), _c(r.randrange(1, 9)))
            pre = b.block
            loop, done = fn.append_basic_block(), fn.append_basic_block()
            b.branch(loop)
            b.position_at_end(loop)
            i = b.phi(I64)
            a = b.phi(I64)
            t = b.xor(b.mul(a, _c(r.getrandbits(64) | 1)), i)
            rot = r.randrange(1, 63)
            t = b.or_(b.shl(t, _c(rot)), b.lshr(t, _c(64 - rot)))
            t = b.add(t, _c(r.getrandbits(48)))
            i1 = b.add(i, _c(1))
            i.add_incoming(_c(0), pre)
            i.add_incoming(i1, loop)
            a.add_incoming(acc, pre)
            a.add_incoming(t, loop)
            b.cbranch(b.icmp_unsigned("<", i1, n), loop, done)
            b.position_at_end(done)
            acc = t
        elif kind == "table":
            r = random.Random(arg)
            gv = params.merged_constant(_table(r.randrange(_NTABLES)))
            idx = b.and_(b.lshr(acc, _c(r.randrange(0, 60))), _c(15))
            v = b.load(b.gep(gv, [_c(0), idx], inbounds=True), typ=I64)
            acc = b.add(acc, v)
        elif kind == "call":
            target = params.call_target(ci.id, arg)
            k = _splitmix(ci.id * 1_000_003 + arg)
            pre = b.block
            call_bb, join = fn.append_basic_block(), fn.append_basic_block()
            b.cbranch(b.icmp_signed(">", depth, _c(0)), call_bb, join)
            b.position_at_end(call_bb)
            res = b.call(target, [b.xor(acc, _c(k)), b.sub(depth, _c(1))])
            b.branch(join)
            b.position_at_end(join)
            phi = b.phi(I64)
            phi.add_incoming(res, call_bb)
            phi.add_incoming(_c(k >> 7), pre)
            acc = b.add(acc, phi)
        elif kind == "global":
            slot = params.global_slot(arg, (ci.id, pos))
            pos += 1
            obj = b.load(slot, typ=ir.PointerType())
            v = b.load(obj, typ=I64)
            acc = b.xor(acc, b.mul(v, _c(_splitmix(arg) | 1)))
        elif kind == "plt":
            got = params.plt_got(arg, (ci.id, pos))
            pos += 1
            f = b.load(got, typ=RTFNTY.as_pointer())
            acc = b.add(acc, b.call(f, [acc]))
        else:  # pragma: no cover - body_plan only makes the kinds above
            raise AssertionError(kind)
    b.ret(acc)
    params.end_definition(ci.id)
    return fn


# --- modules -------------------------------------------------------------------------

def host_triple_and_layout() -> tuple[str, str]:
    init_llvm()
    triple = llvm.get_process_triple()
    tm = llvm.Target.from_triple(triple).create_target_machine(reloc="pic", codemodel="default")
    return triple, str(tm.target_data)


def new_module(name: str, triple: str = "", data_layout: str = "") -> ir.Module:
    if not triple:
        triple, data_layout = host_triple_and_layout()
    mod = ir.Module(name=name)
    mod.triple = triple
    mod.data_layout = data_layout
    return mod


def emit_serial_ir(workload: Workload, counter: NameCounter = COUNTER,
                   stream: bool = False) -> tuple[ir.Module, CodegenParams]:
    """Emit the whole workload in one CodegenParams (counter restarted at 1), finalised.

    With `stream` the definitions are kept as text (`CodegenParams.text()` is the IR;
    `str(module)` would print them as declarations): what every caller that only needs
    the IR text uses, so that memory does not grow with llvmlite.ir objects."""
    counter.reset(1)
    names = function_names(workload, counter)
    module = new_module("serial")
    params = CodegenParams(module, workload, names, counter=counter, stream=stream)
    for ci in workload.compiled():
        emit_code_instance(params, ci)
    params.finalize(define_slots=True, require_complete=True)
    return module, params


def emit_serial_text(workload: Workload, counter: NameCounter = COUNTER) -> tuple[str, CodegenParams]:
    """Serial emission, streamed: the whole module's IR text and its CodegenParams."""
    _, params = emit_serial_ir(workload, counter, stream=True)
    return params.text(), params


def emit_workload(workload: Workload) -> bytes:
    """Serial emission of the whole workload in one context: the reference bitcode."""
    text, _ = emit_serial_text(workload)
    return parse_module(text).as_bitcode()


# --- parallel emission (worker side) --------------------------------------------------

@dataclass
class EmitTask:
    """One partition to emit in a worker: its CodeInstances and the batch's names."""

    index: int
    workload: Workload
    members: list[int]
    names: dict[int, str]
    base: int  # the process counter's value after function naming
    triple: str = ""
    data_layout: str = ""


@dataclass
class EmitResult:
    index: int
    bitcode: bytes
    state: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    cpu_s: float = 0.0
    pid: int = 0


def emit_partition(task: EmitTask) -> EmitResult:
    """Worker: emit one partition in this process's own context; bitcode + state back."""
    init_llvm()
    c0, t0 = time.process_time(), time.perf_counter()
    COUNTER.reset(task.base)  # this process's counter, as the coordinator's stood
    module = new_module(f"partition{task.index}", task.triple, task.data_layout)
    params = CodegenParams(module, task.workload, task.names, stream=True)
    cis = task.workload.code_instances
    for ci_id in task.members:
        emit_code_instance(params, cis[ci_id])
    params.finalize(define_slots=False, require_complete=False)
    text = params.text()
    t1 = time.perf_counter()
    ctx = llvm.create_context()
    mod = parse_module(text, ctx)
    bitcode = mod.as_bitcode()
    t2 = time.perf_counter()
    return EmitResult(task.index, bitcode, params.export_state(task.index),
                      {"build_ir": t1 - t0, "parse_to_bitcode": t2 - t1, "total": t2 - t0},
                      time.process_time() - c0, os.getpid())


@dataclass
class ObjectTask:
    """Compile one partition's bitcode (or IR text) after renaming its slots."""

    index: int
    name: str
    code: bytes | str
    renames: dict[str, str] = field(default_factory=dict)
    opt: int = 2


@dataclass
class CompileOutput:
    index: int
    name: str
    object: bytes
    timings: dict[str, float]
    cpu_s: float
    pid: int


def rename_globals(mod: llvm.ModuleRef, renames: dict[str, str]) -> None:
    """Rename global values in two steps, so a new name that is some other global's
    old name never collides (LLVM would silently append a suffix)."""
    if not renames:
        return
    values = {}
    for old in renames:
        try:
            values[old] = mod.get_global_variable(old)
        except NameError:
            try:
                values[old] = mod.get_function(old)
            except NameError:
                raise CheckFailed(f"{mod.name}: no global {old!r} to rename") from None
    for i, old in enumerate(renames):
        values[old].name = f"__pcodegen_rename_{i}"
    for old, new in renames.items():
        values[old].name = new
        if values[old].name != new:
            raise CheckFailed(f"{mod.name}: renaming {old!r} to {new!r} collided")


def compile_partition(task: ObjectTask) -> CompileOutput:
    """Worker: parse, rename, verify, optimise and emit an object in a fresh context."""
    from pcodegen.ir.compile import compile_module

    init_llvm()
    c0, t0 = time.process_time(), time.perf_counter()
    mod = parse_module(task.code)
    mod.name = task.name
    rename_globals(mod, task.renames)
    mod.verify()
    t1 = time.perf_counter()
    obj = compile_module(mod, task.opt)
    t2 = time.perf_counter()
    return CompileOutput(task.index, task.name, obj, {"parse_rename": t1 - t0, "compile": t2 - t1, "total": t2 - t0},
                         time.process_time() - c0, os.getpid())


# --- the runtime ------------------------------------------------------------------------

def compile_runtime(outdir: Path) -> Path:
    """Compile the runtime (runtime.c) with the system C compiler into `outdir`/jlruntime.o."""
    obj = Path(outdir) / "jlruntime.o"
    compiler = cc()
    cmd = [compiler, "-c", "-O2", "-fPIC", str(runtime_source()), "-o", str(obj)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        raise UsageError(f"C compiler driver {compiler!r} not found") from None
    if proc.returncode != 0:
        raise CheckFailed(f"compiling the runtime failed: {proc.stderr.strip().splitlines()[0]}")
    return obj
