"""Differential fuzzing: random valid modules, built serially and in parallel, must
export the same symbols and compute the same values.

A `ModuleSpec` describes a module of `i64 f(i64 x, i64 depth)` functions that call each
other (directly, recursively and through function pointers held in globals), read and
write globals, walk string constants and loop; `build_ir` turns it into LLVM IR with
llvmlite. `differential_check` compiles it both ways, links each into a shared library
and calls every exported function through ctypes. `module_specs()` is the hypothesis
strategy the tests and benchmarks/fuzz_long.py draw from.
"""

from __future__ import annotations

import ctypes
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from llvmlite import ir

from .combine import link_objects
from .pipeline import CompileOptions, compile_parallel, compile_serial, object_paths, write_outputs
from .validate import symbols_of_object

OPS = ("add", "mul", "xor", "call", "ptrcall", "load", "store", "str", "loop")
FN_LINKAGES = ("external", "internal", "linkonce_odr")
GV_LINKAGES = ("external", "internal")
INPUTS = (0, 1, -7, 12345, 2**40 + 3)
DEPTH = 3
_counter = itertools.count()


@dataclass
class FnSpec:
    linkage: str
    ops: list[tuple[str, int]]


@dataclass
class GlobalSpec:
    kind: str  # "int" | "fnptr" (points at a function) | "gptr" (points at an int global)
    linkage: str
    value: int
    constant: bool = False


@dataclass
class ModuleSpec:
    functions: list[FnSpec]
    globals: list[GlobalSpec] = field(default_factory=list)
    strings: list[bytes] = field(default_factory=list)


def build_ir(spec: ModuleSpec) -> str:
    """LLVM IR text for `spec`; function 0 is always exported."""
    i64 = ir.IntType(64)
    ptr = ir.PointerType()
    fnty = ir.FunctionType(i64, [i64, i64])
    mod = ir.Module(name="fuzz")
    mod.triple = "x86_64-pc-linux-gnu"
    fns = []
    for i, f in enumerate(spec.functions):
        fn = ir.Function(mod, fnty, name=f"f{i}")
        fn.linkage = "" if i == 0 or f.linkage == "external" else f.linkage  # "" prints as external
        fns.append(fn)
    ints, fnptrs, gvs = [], [], []
    for i, g in enumerate(spec.globals):
        gv = ir.GlobalVariable(mod, i64 if g.kind == "int" else ptr, name=f"g{i}")
        gv.linkage = "" if g.linkage == "external" else g.linkage
        gvs.append(gv)
        (ints if g.kind == "int" else fnptrs if g.kind == "fnptr" else []).append(gv)
    for g, gv in zip(spec.globals, gvs):
        if g.kind == "int":
            gv.initializer = ir.Constant(i64, g.value)
            gv.global_constant = g.constant
        elif g.kind == "fnptr":
            gv.initializer = fns[g.value % len(fns)]
            gv.global_constant = g.constant
        else:
            gv.initializer = ints[g.value % len(ints)] if ints else ir.Constant(ptr, None)
    strs = []
    for i, data in enumerate(spec.strings):
        arr = ir.ArrayType(ir.IntType(8), len(data))
        gv = ir.GlobalVariable(mod, arr, name=f".s{i}")
        gv.linkage, gv.global_constant, gv.unnamed_addr = "private", True, True
        gv.initializer = ir.Constant(arr, bytearray(data))
        strs.append((gv, len(data)))
    writable = [gv for g, gv in zip(spec.globals, gvs) if g.kind == "int" and not g.constant]
    gptrs = [(gv, g) for g, gv in zip(spec.globals, gvs) if g.kind == "gptr" and ints]
    for i, (f, fn) in enumerate(zip(spec.functions, fns)):
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        x, depth = fn.args
        done = fn.append_basic_block("base")
        work = fn.append_basic_block("work")
        b.cbranch(b.icmp_signed("<=", depth, ir.Constant(i64, 0)), done, work)
        b.position_at_end(done)
        b.ret(b.xor(x, ir.Constant(i64, i + 1)))
        b.position_at_end(work)
        acc = x
        down = b.sub(depth, ir.Constant(i64, 1))
        for n, (op, k) in enumerate(f.ops):
            if op == "add":
                acc = b.add(acc, ir.Constant(i64, k))
            elif op == "mul":
                acc = b.mul(acc, ir.Constant(i64, k | 1))
            elif op == "xor":
                acc = b.xor(acc, ir.Constant(i64, k * 2654435761))
            elif op == "call":
                acc = b.add(acc, b.call(fns[k % len(fns)], [acc, down]))
            elif op == "ptrcall" and fnptrs:
                target = b.load(fnptrs[k % len(fnptrs)], typ=fnty.as_pointer())  # typed, so call knows fnty
                acc = b.add(acc, b.call(target, [acc, down]))
            elif op == "load" and (ints or gptrs):
                pool = ints + [gv for gv, _ in gptrs]
                gv = pool[k % len(pool)]
                val = b.load(b.load(gv, typ=ptr), typ=i64) if gv not in ints else b.load(gv, typ=i64)
                acc = b.add(acc, val)
            elif op == "store" and writable:
                b.store(acc, writable[k % len(writable)])
            elif op == "str" and strs:
                acc = b.add(acc, _string_sum(b, fn, *strs[k % len(strs)], n))
            elif op == "loop":
                acc = _loop(b, fn, acc, k % 5 + 1, n)
        b.ret(acc)
    return str(mod)


def _counted_loop(b: ir.IRBuilder, fn: ir.Function, tag: str, bound: ir.Value, start: ir.Value,
                  step: Callable[[ir.Value, ir.Value], ir.Value]) -> ir.Value:
    """`v = start; for i in 0..bound: v = step(i, v)`, as blocks and phis; returns v."""
    i64 = ir.IntType(64)
    head, body, tail = (fn.append_basic_block(f"{tag}.{s}") for s in ("head", "body", "tail"))
    pre = b.block
    b.branch(head)
    b.position_at_end(head)
    i, v = b.phi(i64), b.phi(i64)
    i.add_incoming(ir.Constant(i64, 0), pre)
    v.add_incoming(start, pre)
    b.cbranch(b.icmp_signed("<", i, bound), body, tail)
    b.position_at_end(body)
    v.add_incoming(step(i, v), b.block)
    i.add_incoming(b.add(i, ir.Constant(i64, 1)), b.block)
    b.branch(head)
    b.position_at_end(tail)
    return v


def _string_sum(b: ir.IRBuilder, fn: ir.Function, gv: ir.GlobalVariable, length: int, n: int) -> ir.Value:
    """A hash of the bytes of string constant `gv`."""
    i64, i8 = ir.IntType(64), ir.IntType(8)

    def step(i: ir.Value, total: ir.Value) -> ir.Value:
        byte = b.load(b.gep(gv, [ir.Constant(i64, 0), i], inbounds=True), typ=i8)
        return b.add(b.mul(total, ir.Constant(i64, 131)), b.zext(byte, i64))

    return _counted_loop(b, fn, f"s{n}", ir.Constant(i64, length), ir.Constant(i64, 0), step)


def _loop(b: ir.IRBuilder, fn: ir.Function, acc: ir.Value, extra: int, n: int) -> ir.Value:
    """`(acc & 7) + extra` rounds of `acc = acc * 31 + i`."""
    i64 = ir.IntType(64)
    bound = b.add(b.and_(acc, ir.Constant(i64, 7)), ir.Constant(i64, extra))
    return _counted_loop(b, fn, f"l{n}", bound, acc, lambda i, v: b.add(b.mul(v, ir.Constant(i64, 31)), i))


def exported(objects: list[Path]) -> set[str]:
    """Non-discardable exported (global, default-visibility) symbols of some objects."""
    out = set()
    for p in objects:
        for name, info in symbols_of_object(p.read_bytes()).defined.items():
            if info.binding == "global" and info.visibility == "default":
                out.add(name)
    return out


def _call_all(lib: Path, names: list[str]) -> dict[str, list[int]]:
    dll = ctypes.CDLL(str(lib), mode=os.RTLD_NOW | os.RTLD_LOCAL)
    values = {}
    for name in names:
        fn = getattr(dll, name)
        fn.restype, fn.argtypes = ctypes.c_int64, [ctypes.c_int64, ctypes.c_int64]
        values[name] = [fn(x, DEPTH) for x in INPUTS]
    return values


def differential_check(text: str, workdir: Path, strategy: str, parts: int, opt: int = 1, workers: int = 2) -> str:
    """Build `text` serially and in parallel; raise AssertionError on any difference.
    Returns a one-line summary."""
    tag = f"m{os.getpid()}_{next(_counter)}"
    src = workdir / f"{tag}.ll"
    src.write_text(text)
    serial = compile_serial(src, CompileOptions(opt=opt))
    write_outputs(serial, workdir / f"{tag}-serial")
    par = compile_parallel(src, CompileOptions(parts=parts, workers=workers, strategy=strategy, opt=opt))
    write_outputs(par, workdir / f"{tag}-parallel")
    assert par.symbols is not None and par.symbols.ok, par.symbols.lines() if par.symbols else None
    s_objs, p_objs = object_paths(workdir / f"{tag}-serial"), object_paths(workdir / f"{tag}-parallel")
    s_syms, p_syms = exported(s_objs), exported(p_objs)
    assert s_syms == p_syms, f"exported symbols differ: serial-only {s_syms - p_syms}, parallel-only {p_syms - s_syms}"
    s_lib = link_objects(s_objs, workdir / f"lib{tag}-serial.so", "shared")
    p_lib = link_objects(p_objs, workdir / f"lib{tag}-parallel.so", "shared")
    names = sorted(n for n in s_syms if n.startswith("f"))
    s_val, p_val = _call_all(s_lib, names), _call_all(p_lib, names)
    assert s_val == p_val, f"results differ: serial {s_val} parallel {p_val}"
    return f"{len(names)} exported functions agree over {len(INPUTS)} inputs ({par.plan.parts if par.plan else 1} parts)"


def module_specs():  # pragma: no cover - exercised through the tests
    """A hypothesis strategy for ModuleSpec (hypothesis is a test dependency)."""
    from hypothesis import strategies as st

    op = st.tuples(st.sampled_from(OPS), st.integers(0, 10_000))
    fn = st.builds(FnSpec, st.sampled_from(FN_LINKAGES), st.lists(op, max_size=8))
    gv = st.builds(GlobalSpec, st.sampled_from(("int", "fnptr", "gptr")), st.sampled_from(GV_LINKAGES),
                   st.integers(-(2**40), 2**40), st.booleans())
    return st.builds(ModuleSpec, st.lists(fn, min_size=1, max_size=12), st.lists(gv, max_size=8),
                     st.lists(st.binary(min_size=1, max_size=12), max_size=3))
