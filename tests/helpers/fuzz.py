"""Differential fuzzing: random valid modules, built serially and in parallel, must
export the same symbols and compute the same values, and the validator must agree.

A `ModuleSpec` describes a module of `i64 f(i64 x, i64 depth)` functions that call each
other (directly, recursively and through function pointers held in globals), read and
write globals, walk string constants and loop; `build_ir` turns it into LLVM IR with
llvmlite. `differential_check` compiles it both ways, links each into a shared library
and calls every exported function through ctypes. `module_specs()` is the hypothesis
strategy the tests and benchmarks/fuzz_long.py draw from.

`CxxSpec` adds C++/Rust shapes to such a module: `llvm.global_ctors`/`dtors` entries
in several priorities, keyed on C++17-inline-variable comdats (key, guard and init
function in one group) or unkeyed, constructors that read what earlier ones set and
record their order (trace = trace * 31 + id), `__cxa_atexit` handlers and destructors
that write to stdout at exit, multi-member comdats, aliases (of functions, variables
and array elements), thread-locals in every TLS model (read on a second thread, some
through thread_local aliases), exceptions thrown in one function, unwound through a
cleanup in another and caught in a third, and explicit sections (with
`__start_`/`__stop_` iteration). `build_cxx_ir` emits it as a program whose `main`
prints every observation; `check_program_build` links both builds as executables,
runs them and compares exit status and stdout.

Each check yields a `Verdict`: behaviour equal or not, and the validator's findings
(the symbol report and pcodegen.validate.program's report). Equal and clean passes;
different and flagged is a `SplitBug`; different and clean is a `ValidatorMiss`;
equal and flagged is a `ValidatorFalsePositive`.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from hypothesis.errors import UnsatisfiedAssumption
from llvmlite import ir

from pcodegen.combine import link_objects
from pcodegen.errors import CheckFailed, PcgError
from pcodegen.pipeline import CompileOptions, CompileRun, compile_parallel, compile_serial, object_paths, write_outputs
from pcodegen.sabotage import ENV as SABOTAGE_ENV
from pcodegen.validate.symbols import symbols_of_object

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
    return str(_build_module(spec))


def _build_module(spec: ModuleSpec) -> ir.Module:
    """The llvmlite module of `spec` (build_ir prints it; the C++-shaped generator adds to it)."""
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
    return mod


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


def exported_symbols(objects: list[Path]) -> set[str]:
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


class FuzzFailure(AssertionError):
    """A differential check failed; subclasses say which way."""


class SplitBug(FuzzFailure):
    """The partitioned build behaves differently and the validator flagged it: pcodegen's
    split is wrong (and the validator caught it)."""


class ValidatorMiss(FuzzFailure):
    """The partitioned build behaves differently, yet the validator found nothing."""


class ValidatorFalsePositive(FuzzFailure):
    """Both builds behave the same, yet the validator flagged the partitioned one."""


class Inconclusive(UnsatisfiedAssumption):
    """The builds may differ without a fault: the optimiser folded a constructor entry into
    initialisers in one build and not the other, where LLVM leaves the order of entries of
    one priority undefined (LangRef, llvm.global_ctors). Under hypothesis the example is
    rejected, not failed."""


@dataclass
class Verdict:
    """What one differential check saw: behaviour of each build and the validator's findings."""

    same: bool
    serial: object
    parallel: object
    findings: list[str]
    summary: str

    @property
    def validator_ok(self) -> bool:
        return not self.findings

    def raise_if_failed(self) -> None:
        """Pass, or raise the FuzzFailure subclass that names the outcome."""
        if self.same and self.validator_ok:
            return
        findings = "\n  ".join(self.findings[:20])
        diff = _describe_difference(self.serial, self.parallel)
        if not self.same and not self.validator_ok:
            raise SplitBug(f"split bug: the partitioned build behaves differently ({self.summary}): {diff}\n"
                           f"validator findings:\n  {findings}")
        if not self.same:
            raise ValidatorMiss(f"validator miss: the partitioned build behaves differently ({self.summary}) "
                                f"but the validator reports nothing: {diff}")
        raise ValidatorFalsePositive(f"validator false positive: both builds behave the same ({self.summary}) "
                                     f"but the validator reports:\n  {findings}")


def _describe_difference(a: object, b: object) -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        keys = [k for k in sorted(set(a) | set(b), key=str) if a.get(k) != b.get(k)]
        return "; ".join(f"{k}: serial {a.get(k)!r} parallel {b.get(k)!r}" for k in keys[:8])
    return f"serial {a!r} parallel {b!r}"


@contextmanager
def _environ(name: str, value: str | None) -> Iterator[None]:
    """`os.environ[name] = value` inside the block (None: unset), restored after."""
    old = os.environ.get(name)
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _facts(paths: list[Path]) -> list:
    from pcodegen.validate.program import object_facts

    return [object_facts(p.read_bytes(), p.name) for p in paths]


def _build_both(text: str, workdir: Path, strategy: str, parts: int, opt: int, workers: int,
                sabotage: str | None) -> tuple[str, list[Path], list[Path], list[str], CompileRun, set[str]]:
    """Compile `text` serially and partitioned (the partitioned build with the sabotage
    test hook `sabotage` switched on); returns the tag, both object lists, the
    validator's findings, the partitioned run, and the constructor entries of undefined
    relative order (one priority shared with another entry) that only one build folded."""
    tag = f"m{os.getpid()}_{next(_counter)}"
    src = workdir / f"{tag}.ll"
    src.write_text(text)
    with _environ(SABOTAGE_ENV, None):
        serial = compile_serial(src, CompileOptions(opt=opt))
    write_outputs(serial, workdir / f"{tag}-serial")
    try:
        with _environ(SABOTAGE_ENV, sabotage):
            par = compile_parallel(src, CompileOptions(parts=parts, workers=workers, strategy=strategy, opt=opt))
    except PcgError as exc:  # the serial build of the same module succeeded
        raise SplitBug(f"split bug: the partitioned build failed ({strategy}, {parts} parts, O{opt}): "
                       f"{str(exc).splitlines()[0]}") from exc
    write_outputs(par, workdir / f"{tag}-parallel")
    s_objs, p_objs = object_paths(workdir / f"{tag}-serial"), object_paths(workdir / f"{tag}-parallel")
    findings: list[str] = []
    if par.symbols is None:
        findings.append("no symbol report")
    elif not par.symbols.ok:
        findings += [f"symbols: {line}" for line in par.symbols.lines()]
    from pcodegen.ir.load import load_module
    from pcodegen.validate.program import check_program, renames_from_plan, structors_of_ir

    assert par.plan is not None
    renames = renames_from_plan(par.plan.promoted)  # partition symbol -> reference symbol
    # The input's lists, and what the partitions' optimiser folded into initialisers:
    # the serial object alone cannot say which entries its own optimiser folded away.
    folded = {f for r in par.results for f in r.folded_structors}
    listed = structors_of_ir(load_module(src).ir)
    program = check_program(_facts(s_objs), _facts(p_objs), renames, listed, folded)
    if not program.ok:
        findings += [f"program: {line}" for line in program.lines()]
    shared = {f"{s.list}:{s.function}" for s in listed
              if sum(1 for o in listed if (o.list, o.priority) == (s.list, s.priority)) > 1}
    serial_folded = {f for r in serial.results for f in r.folded_structors}
    return tag, s_objs, p_objs, findings, par, (serial_folded ^ folded) & shared


def check_library(text: str, workdir: Path, strategy: str, parts: int, opt: int = 1, workers: int = 2,
                  sabotage: str | None = None) -> Verdict:
    """The `f(i64, i64)` shape: build `text` both ways, link each into a shared library,
    compare the exported symbols and every exported function's values over INPUTS."""
    tag, s_objs, p_objs, findings, par, reordered = _build_both(text, workdir, strategy, parts, opt, workers,
                                                             sabotage)
    s_syms, p_syms = exported_symbols(s_objs), exported_symbols(p_objs)
    names = sorted(n for n in s_syms if n.startswith("f"))
    s_lib = link_objects(s_objs, workdir / f"lib{tag}-serial.so", "shared")
    s_val: dict = {"exported": sorted(s_syms), **_call_all(s_lib, names)}
    try:
        p_lib = link_objects(p_objs, workdir / f"lib{tag}-parallel.so", "shared")
    except CheckFailed as exc:
        p_val: dict = {"exported": sorted(p_syms), "link": str(exc)}
    else:
        p_val = {"exported": sorted(p_syms), **_call_all(p_lib, [n for n in names if n in p_syms])}
    summary = (f"{len(names)} exported functions over {len(INPUTS)} inputs, {strategy}, "
               f"{par.plan.parts if par.plan else 1} parts, O{opt}")
    return Verdict(s_val == p_val, s_val, p_val, findings, summary)


def differential_check(text: str, workdir: Path, strategy: str, parts: int, opt: int = 1, workers: int = 2) -> str:
    """Build `text` (the `f(i64, i64)` shape) serially and in parallel; raise a
    FuzzFailure on any difference or validator disagreement. Returns a one-line summary."""
    verdict = check_library(text, workdir, strategy, parts, opt, workers)
    verdict.raise_if_failed()
    return verdict.summary


RUN_TIMEOUT_S = 20.0


def _run_exe(exe: Path) -> dict:
    """What a program does: exit status and stdout (stderr is kept for the report only)."""
    try:
        proc = subprocess.run([str(exe)], capture_output=True, timeout=RUN_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"exit": "timeout", "stdout": ""}
    return {"exit": proc.returncode, "stdout": proc.stdout.decode("utf-8", "replace")}


def check_program_build(text: str, workdir: Path, strategy: str, parts: int, opt: int = 1, workers: int = 2,
                        sabotage: str | None = None) -> Verdict:
    """The C++/Rust shape: build `text` both ways, link each as an executable with
    libstdc++, run both and compare exit status and stdout (main's observations and the
    destructors' output at exit)."""
    tag, s_objs, p_objs, findings, par, reordered = _build_both(text, workdir, strategy, parts, opt, workers,
                                                             sabotage)
    s_exe = link_objects(s_objs, workdir / f"{tag}-serial.exe", "exe", ["-lstdc++"])
    serial = _run_exe(s_exe)
    if serial["exit"] == "timeout" or serial["exit"] < 0:
        raise AssertionError(f"the serial build of a generated program failed: {serial}")
    try:
        p_exe = link_objects(p_objs, workdir / f"{tag}-parallel.exe", "exe", ["-lstdc++"])
    except CheckFailed as exc:
        parallel = {"exit": "link failed", "stdout": str(exc)}
    else:
        parallel = _run_exe(p_exe)
    lines = serial["stdout"].count("\n")
    summary = (f"{lines} output lines, exit {serial['exit']}, {strategy}, "
               f"{par.plan.parts if par.plan else 1} parts, O{opt}")
    s_obs = {"exit": serial["exit"], **_lines(serial["stdout"])}
    p_obs = {"exit": parallel["exit"], **_lines(parallel["stdout"])}
    if serial != parallel and not findings and reordered:
        raise Inconclusive(f"only one build folded {', '.join(sorted(reordered))}, of a priority other entries "
                           f"share ({summary})")
    return Verdict(serial == parallel, s_obs, p_obs, findings, summary)


def _lines(stdout: str) -> dict:
    """stdout as {line number: line}, for readable differences."""
    return {f"line {i}": ln for i, ln in enumerate(stdout.splitlines(), 1)}


def differential_check_program(text: str, workdir: Path, strategy: str, parts: int, opt: int = 1,
                               workers: int = 2) -> str:
    """`check_program_build`, raising the FuzzFailure that names the outcome."""
    verdict = check_program_build(text, workdir, strategy, parts, opt, workers)
    verdict.raise_if_failed()
    return verdict.summary


def module_specs():  # pragma: no cover - exercised through the tests
    """A hypothesis strategy for ModuleSpec (hypothesis is a test dependency)."""
    from hypothesis import strategies as st

    op = st.tuples(st.sampled_from(OPS), st.integers(0, 10_000))
    fn = st.builds(FnSpec, st.sampled_from(FN_LINKAGES), st.lists(op, max_size=8))
    gv = st.builds(GlobalSpec, st.sampled_from(("int", "fnptr", "gptr")), st.sampled_from(GV_LINKAGES),
                   st.integers(-(2**40), 2**40), st.booleans())
    return st.builds(ModuleSpec, st.lists(fn, min_size=1, max_size=12), st.lists(gv, max_size=8),
                     st.lists(st.binary(min_size=1, max_size=12), max_size=3))


# ---------------------------------------------------------------------------
# C++/Rust-shaped modules: whole programs with constructors, destructors, comdats,
# aliases, thread-locals, exceptions and explicit sections, compared by running them.

PRIORITIES = (101, 102, 1000, 65535)
TLS_MODELS = ("", "localdynamic", "initialexec", "localexec")
ALIAS_LINKAGES = ("external", "internal", "weak")
FN_SECTIONS = (".text.fz.hot", ".text.fz.cold", "fztext")


@dataclass
class StructorSpec:
    # "ctor" (llvm.global_ctors), "dtor" (llvm.global_dtors), "atexit" (a ctor registering a __cxa_atexit handler)
    kind: str
    priority: int
    keyed: bool  # a C++17 inline variable: key and guard in a comdat, the init function in it too
    dep: int  # the constructor reads the value of an earlier constructor (init-order dependency)
    call: int  # calls f[call % n] (-1: none)
    linkage: str = "internal"  # of an unkeyed constructor function


@dataclass
class TlsSpec:
    linkage: str  # "internal" | "external" | "linkonce_odr" (in its own comdat)
    model: str
    value: int
    alias: bool = False  # also reached through a thread_local alias
    direct: bool = False  # plain loads and stores (older IR), not through llvm.threadlocal.address


@dataclass
class EhSpec:
    value: int
    catch_all: bool  # `catch ptr null` rather than `catch ptr @_ZTIl`
    cleanup: bool  # unwinds through a middle function with a cleanup landingpad
    thrower_linkage: str  # "internal" | "external" | "linkonce_odr"
    throw_mask: int  # throws when (x & mask) != 0


@dataclass
class ComdatSpec:
    members: int  # 2..4: one function, a variable, more functions
    value: int


@dataclass
class AliasSpec:
    target: str  # "fn" | "var" | "elem" (an element of an array, by offset)
    index: int
    linkage: str


@dataclass
class CxxSpec:
    base: ModuleSpec
    structors: list[StructorSpec] = field(default_factory=list)
    tls: list[TlsSpec] = field(default_factory=list)
    eh: list[EhSpec] = field(default_factory=list)
    comdats: list[ComdatSpec] = field(default_factory=list)
    aliases: list[AliasSpec] = field(default_factory=list)
    # external i64s in section "fzdata", summed from __start_fzdata to __stop_fzdata
    section_data: list[int] = field(default_factory=list)
    sections: list[int] = field(default_factory=list)  # seeds: explicit sections on functions/globals of the base


def _i64(v: int) -> int:
    """`v` wrapped into the signed 64-bit range."""
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


def _cstr(data: bytes) -> str:
    return "".join(chr(c) if 32 <= c < 127 and c not in b'"\\' else f"\\{c:02X}" for c in data)


class _Text:
    """Accumulates IR text: top-level lines and function bodies with fresh SSA names."""

    def __init__(self) -> None:
        self.top: list[str] = []
        self.n = 0

    def tmp(self) -> str:
        self.n += 1
        return f"%t{self.n}"


def build_cxx_ir(spec: CxxSpec) -> str:
    """A whole program for `spec`: the base module's `f` functions plus C++-shaped
    structure, and a `main` that prints every observation, one `tag value` line each,
    and exits with a digest of them. Destructors write to stdout at exit."""
    mod = _build_module(spec.base)
    fns = [f"f{i}" for i in range(len(spec.base.functions))]
    gvs = spec.base.globals
    # Explicit sections on some of the base's definitions.
    for k, seed_ in enumerate(spec.sections):
        if seed_ % 2 == 0 or not gvs:
            fn = mod.get_global(fns[seed_ % len(fns)])
            fn.section = FN_SECTIONS[seed_ % len(FN_SECTIONS)]
        else:
            i = seed_ % len(gvs)
            gv = mod.get_global(f"g{i}")
            const = gvs[i].constant and gvs[i].kind != "gptr"
            gv.section = f".rodata.fz{k}" if const else f".data.fz{k}"
    out = _Text()
    top = out.top
    msgs: dict[bytes, str] = {}

    def message(data: bytes) -> tuple[str, int]:
        if data not in msgs:
            msgs[data] = f"@.fzmsg{len(msgs)}"
            top.append(f"{msgs[data]} = private unnamed_addr constant [{len(data)} x i8] c\"{_cstr(data)}\", align 1")
        return msgs[data], len(data)

    def write(body: list[str], data: bytes) -> None:
        name, n = message(data)
        body.append(f"  call i64 @write(i32 1, ptr {name}, i64 {n})")

    def fcall(body: list[str], k: int, arg: str, depth: int = 2) -> str:
        r = out.tmp()
        body.append(f"  {r} = call i64 @{fns[k % len(fns)]}(i64 {arg}, i64 {depth})")
        return r

    top.append("@fz.trace = internal global i64 0, align 8")
    top.append("@fz.digest = internal global i64 17, align 8")
    top.append("@__dso_handle = external hidden global i8")

    def trace(body: list[str], ident: int) -> None:
        a, b_, c = out.tmp(), out.tmp(), out.tmp()
        body += [f"  {a} = load i64, ptr @fz.trace, align 8", f"  {b_} = mul i64 {a}, 31",
                 f"  {c} = add i64 {b_}, {ident}", f"  store i64 {c}, ptr @fz.trace, align 8"]

    # Constructors and destructors.
    ctors, dtors = [], []
    cvals: list[str] = []  # variable each constructor sets, by structor index (None for dtors)
    observe: list[str] = []  # globals main prints
    for i, s in enumerate(spec.structors):
        ident = i + 1
        body: list[str] = []
        key = "null"
        if s.keyed:
            key = f"@kv{i}"
            top.append(f"$kv{i} = comdat any")
            top.append(f"@kv{i} = linkonce_odr global i64 0, comdat, align 8")
            top.append(f"@kg{i} = linkonce_odr global i64 0, comdat($kv{i}), align 8")
            head = f"define internal void @init{i}() comdat($kv{i}) {{"
            g, c = out.tmp(), out.tmp()
            body += [f"  {g} = load i64, ptr @kg{i}, align 8", f"  {c} = icmp ne i64 {g}, 0",
                     f"  br i1 {c}, label %done, label %run", "run:", f"  store i64 1, ptr @kg{i}, align 8"]
            fname = f"init{i}"
        else:
            link = "" if s.linkage == "external" else f"{s.linkage} "
            head = f"define {link}void @init{i}() {{"
            fname = f"init{i}"
        if s.kind == "dtor":
            write(body, f"D{ident}\n".encode())
            trace(body, ident)
            cvals.append("")
        else:
            var = f"@kv{i}" if s.keyed else f"@cv{i}"
            if not s.keyed:
                top.append(f"@cv{i} = internal global i64 0, align 8")
            trace(body, ident)
            val = str(ident * 1000 + s.dep % 97)
            earlier = [c for c in cvals if c]
            if earlier:
                v = out.tmp()
                body.append(f"  {v} = load i64, ptr {earlier[s.dep % len(earlier)]}, align 8")
                w = out.tmp()
                body.append(f"  {w} = mul i64 {v}, 7")
                nv = out.tmp()
                body.append(f"  {nv} = add i64 {w}, {val}")
                val = nv
            if s.call >= 0 and fns:
                r = fcall(body, s.call, val)
                nv = out.tmp()
                body.append(f"  {nv} = xor i64 {r}, {val}")
                val = nv
            body.append(f"  store i64 {val}, ptr {var}, align 8")
            cvals.append(var)
            observe.append(var)
            if s.kind == "atexit":
                amsg, alen = message(f"A{ident}\n".encode())
                top.append(f"define internal void @atx{i}(ptr %p) {{\n"
                           f"  %v = load i64, ptr %p, align 8\n  %c = icmp ne i64 %v, 0\n"
                           f"  br i1 %c, label %w, label %e\nw:\n"
                           f"  call i64 @write(i32 1, ptr {amsg}, i64 {alen})\n"
                           f"  br label %e\ne:\n  ret void\n}}")
                body.append(f"  call i32 @__cxa_atexit(ptr @atx{i}, ptr {var}, ptr @__dso_handle)")
        body += (["  br label %done", "done:"] if s.keyed else []) + ["  ret void"]
        top.append(head + "\nentry:\n" + "\n".join(body) + "\n}")
        entry = f"{{ i32, ptr, ptr }} {{ i32 {s.priority}, ptr @{fname}, ptr {key} }}"
        (dtors if s.kind == "dtor" else ctors).append(entry)
    for name, entries in (("llvm.global_ctors", ctors), ("llvm.global_dtors", dtors)):
        if entries:
            top.append(f"@{name} = appending global [{len(entries)} x {{ i32, ptr, ptr }}] [{', '.join(entries)}]")

    # main's observations: (tag, lines computing it, the SSA value).
    obs: list[tuple[str, list[str], str]] = []

    def observe_value(tag: str, lines: list[str], value: str) -> None:
        obs.append((tag, lines, value))

    def load_obs(tag: str, gv: str) -> None:
        v = out.tmp()
        observe_value(tag, [f"  {v} = load i64, ptr {gv}, align 8"], v)

    load_obs("trace", "@fz.trace")
    for gv in observe:
        load_obs(gv[1:], gv)

    # Comdats with several members.
    for i, c in enumerate(spec.comdats):
        top.append(f"$cdf{i} = comdat any")
        top.append(f"@cdv{i} = linkonce_odr global i64 {_i64(c.value)}, comdat($cdf{i}), align 8")
        extra = [f"cdw{i}_{j}" for j in range(max(0, c.members - 2))]
        for j, w in enumerate(extra):
            top.append(f"define linkonce_odr i64 @{w}(i64 %x) comdat($cdf{i}) {{\n"
                       f"  %a = mul i64 %x, {2 * j + 3}\n  %b = add i64 %a, {j + i}\n  ret i64 %b\n}}")
        chain = ["  %v = load i64, ptr @cdv" + str(i) + ", align 8", "  %n = add i64 %v, %x",
                 f"  store i64 %n, ptr @cdv{i}, align 8"]
        cur = "%n"
        for j, w in enumerate(extra):
            chain.append(f"  %w{j} = call i64 @{w}(i64 {cur})")
            cur = f"%w{j}"
        top.append(f"define linkonce_odr i64 @cdf{i}(i64 %x) comdat {{\n" + "\n".join(chain) + f"\n  ret i64 {cur}\n}}")
        for x in (1, c.value % 1000):
            v = out.tmp()
            observe_value(f"cdf{i}({x})", [f"  {v} = call i64 @cdf{i}(i64 {x})"], v)

    # Aliases (their targets are grouped with them; their users are likely elsewhere).
    int_gvs = [f"@g{k}" for k, g in enumerate(gvs) if g.kind == "int"]
    for i, a in enumerate(spec.aliases):
        link = "" if a.linkage == "external" else f"{a.linkage} "
        if a.target == "fn" or not int_gvs:
            top.append(f"@al{i} = {link}alias i64 (i64, i64), ptr @{fns[a.index % len(fns)]}")
            for x in (3, a.index):
                v = out.tmp()
                observe_value(f"al{i}({x})", [f"  {v} = call i64 @al{i}(i64 {x}, i64 2)"], v)
        elif a.target == "var":
            top.append(f"@al{i} = {link}alias i64, ptr {int_gvs[a.index % len(int_gvs)]}")
            load_obs(f"al{i}", f"@al{i}")
        else:
            n = a.index % 4 + 2
            elems = ", ".join(f"i64 {_i64(a.index * 7919 + j)}" for j in range(n))
            top.append(f"@arr{i} = internal global [{n} x i64] [{elems}], align 8")
            off = 8 * (a.index % n)
            top.append(f"@al{i} = {link}alias i64, getelementptr (i8, ptr @arr{i}, i64 {off})")
            v, w = out.tmp(), out.tmp()
            observe_value(f"al{i}", [f"  {v} = load i64, ptr @al{i}, align 8", f"  {w} = add i64 {v}, 5",
                                     f"  store i64 {w}, ptr @al{i}, align 8"], v)
            r = out.tmp()
            observe_value(f"arr{i}", [f"  {r} = load i64, ptr getelementptr (i8, ptr @arr{i}, i64 {off}), align 8"], r)

    # Thread-locals: bumped in main, then read (and bumped) again on a fresh thread,
    # which must see the initialisers.
    tls_names = []
    for i, t in enumerate(spec.tls):
        model = f"thread_local({t.model})" if t.model else "thread_local"
        if t.linkage == "linkonce_odr":
            top.append(f"$tl{i} = comdat any")
            top.append(f"@tl{i} = linkonce_odr {model} global i64 {_i64(t.value)}, comdat, align 8")
        else:
            link = "" if t.linkage == "external" else f"{t.linkage} "
            top.append(f"@tl{i} = {link}{model} global i64 {_i64(t.value)}, align 8")
        name = f"@tl{i}"
        if t.alias:
            top.append(f"@tla{i} = {model} alias i64, ptr @tl{i}")
            name = f"@tla{i}"
        tls_names.append(name)
        address = f"  %p = getelementptr i8, ptr {name}, i64 0\n" if t.direct else \
            f"  %p = call ptr @llvm.threadlocal.address.p0(ptr {name})\n"
        top.append(f"define i64 @tlbump{i}(i64 %x) {{\n{address}"
                   f"  %v = load i64, ptr %p, align 8\n  %m = mul i64 %v, 3\n  %n = add i64 %m, %x\n"
                   f"  store i64 %n, ptr %p, align 8\n  ret i64 %n\n}}")
    if spec.tls:
        top.append("declare ptr @llvm.threadlocal.address.p0(ptr)")
        top.append("@fz.tlsout = internal global i64 0, align 8")
        lines = ["  %h0 = add i64 0, 0"]
        for i in range(len(tls_names)):
            lines += [f"  %r{i} = call i64 @tlbump{i}(i64 {i + 11})", f"  %m{i} = mul i64 %h{i}, 1000003",
                      f"  %h{i + 1} = xor i64 %m{i}, %r{i}"]
        top.append("define internal ptr @tlsprobe(ptr %arg) {\n" + "\n".join(lines) +
                   f"\n  store i64 %h{len(tls_names)}, ptr @fz.tlsout, align 8\n  ret ptr null\n}}")
        top.append("declare i32 @pthread_create(ptr, ptr, ptr, ptr)")
        top.append("declare i32 @pthread_join(i64, ptr)")
        for i in range(len(tls_names)):
            v = out.tmp()
            observe_value(f"tl{i}.main", [f"  {v} = call i64 @tlbump{i}(i64 {i + 5})"], v)
        tid, tv, rv = out.tmp(), out.tmp(), out.tmp()
        observe_value("tls.thread", [f"  {tid} = alloca i64, align 8",
                                     f"  call i32 @pthread_create(ptr {tid}, ptr null, ptr @tlsprobe, ptr null)",
                                     f"  {tv} = load i64, ptr {tid}, align 8",
                                     f"  call i32 @pthread_join(i64 {tv}, ptr null)",
                                     f"  {rv} = load i64, ptr @fz.tlsout, align 8"], rv)
        for i in range(len(tls_names)):
            v = out.tmp()
            observe_value(f"tl{i}.after", [f"  {v} = call i64 @tlbump{i}(i64 0)"], v)

    # Exceptions: thrown in one function, unwound through another (cleanup), caught in a third.
    if spec.eh:
        top += ["@_ZTIl = external constant ptr", "declare ptr @__cxa_allocate_exception(i64)",
                "declare void @__cxa_throw(ptr, ptr, ptr)", "declare i32 @__gxx_personality_v0(...)",
                "declare ptr @__cxa_begin_catch(ptr)", "declare void @__cxa_end_catch()",
                "@fz.ehtrace = internal global i64 0, align 8"]
    for i, e in enumerate(spec.eh):
        link = "" if e.thrower_linkage == "external" else f"{e.thrower_linkage} "
        call_f = ""
        if fns:
            call_f = f"  %y = call i64 @{fns[e.value % len(fns)]}(i64 %x, i64 1)\n"
        else:
            call_f = "  %y = add i64 %x, 0\n"
        top.append(f"define {link}i64 @thrower{i}(i64 %x) {{\nentry:\n{call_f}"
                   f"  %m = and i64 %x, {e.throw_mask}\n  %c = icmp ne i64 %m, 0\n"
                   f"  br i1 %c, label %throw, label %ok\nok:\n  %r = mul i64 %y, 7\n  ret i64 %r\n"
                   f"throw:\n  %e = call ptr @__cxa_allocate_exception(i64 8)\n"
                   f"  %v = add i64 %y, {_i64(e.value)}\n  store i64 %v, ptr %e, align 8\n"
                   f"  call void @__cxa_throw(ptr %e, ptr @_ZTIl, ptr null)\n  unreachable\n}}")
        callee = f"thrower{i}"
        if e.cleanup:
            top.append(f"define internal i64 @middle{i}(i64 %x) personality ptr @__gxx_personality_v0 {{\nentry:\n"
                       f"  %r = invoke i64 @thrower{i}(i64 %x) to label %ok unwind label %lp\nok:\n"
                       f"  %s = add i64 %r, 1\n  ret i64 %s\nlp:\n  %l = landingpad {{ ptr, i32 }} cleanup\n"
                       f"  %t = load i64, ptr @fz.ehtrace, align 8\n  %t2 = mul i64 %t, 31\n"
                       f"  %t3 = add i64 %t2, {i + 1}\n  store i64 %t3, ptr @fz.ehtrace, align 8\n"
                       f"  resume {{ ptr, i32 }} %l\n}}")
            callee = f"middle{i}"
        clause = "catch ptr null" if e.catch_all else "catch ptr @_ZTIl"
        top.append(f"define i64 @catcher{i}(i64 %x) personality ptr @__gxx_personality_v0 {{\nentry:\n"
                   f"  %r = invoke i64 @{callee}(i64 %x) to label %ok unwind label %lp\nok:\n  ret i64 %r\n"
                   f"lp:\n  %l = landingpad {{ ptr, i32 }} {clause}\n  %p = extractvalue {{ ptr, i32 }} %l, 0\n"
                   f"  %o = call ptr @__cxa_begin_catch(ptr %p)\n  %v = load i64, ptr %o, align 8\n"
                   f"  call void @__cxa_end_catch()\n  %n = xor i64 %v, -1\n  ret i64 %n\n}}")
        for x in (0, 1, 6, e.value % 1000):
            v = out.tmp()
            observe_value(f"catcher{i}({x})", [f"  {v} = call i64 @catcher{i}(i64 {x})"], v)
    if spec.eh:
        load_obs("ehtrace", "@fz.ehtrace")

    # A named section holding several external variables, summed from __start_ to __stop_
    # (order-independently: the order of a section's pieces across objects is the link's).
    if spec.section_data:
        for i, val in enumerate(spec.section_data):
            top.append(f"@sd{i} = global i64 {_i64(val)}, section \"fzdata\", align 8")
        top += ["@__start_fzdata = external hidden global i8", "@__stop_fzdata = external hidden global i8"]
        top.append("define internal i64 @sdsum() {\nentry:\n  br label %head\nhead:\n"
                   "  %p = phi ptr [ @__start_fzdata, %entry ], [ %q, %body ]\n"
                   "  %s = phi i64 [ 0, %entry ], [ %t, %body ]\n  %c = icmp ult ptr %p, @__stop_fzdata\n"
                   "  br i1 %c, label %body, label %done\nbody:\n  %v = load i64, ptr %p, align 8\n"
                   "  %m = mul i64 %v, %v\n  %m2 = add i64 %m, %v\n  %t = add i64 %s, %m2\n"
                   "  %q = getelementptr i8, ptr %p, i64 8\n"
                   "  br label %head\ndone:\n  ret i64 %s\n}")
        v = out.tmp()
        observe_value("fzdata", [f"  {v} = call i64 @sdsum()"], v)

    # The base's functions, called from main (internal ones included).
    for k in range(len(fns)):
        for x in (1, 12345):
            v = out.tmp()
            observe_value(f"f{k}({x})", [f"  {v} = call i64 @f{k}(i64 {x}, i64 {DEPTH})"], v)
    load_obs("trace.end", "@fz.trace")

    fmt, _ = message(b"%s %lld\n\0")
    main = ["define i32 @main() {", "entry:"]
    for tag, lines, value in obs:
        tname, _ = message(tag.encode() + b"\0")
        main += lines
        main.append(f"  call void @fz.out(ptr {tname}, i64 {value})")
    d, e, c = out.tmp(), out.tmp(), out.tmp()
    main += ["  call i32 @fflush(ptr null)", f"  {d} = load i64, ptr @fz.digest, align 8",
             f"  {e} = and i64 {d}, 63", f"  {c} = trunc i64 {e} to i32", f"  ret i32 {c}", "}"]
    top.append("\n".join(main))
    top.append(f"define internal void @fz.out(ptr %tag, i64 %v) {{\n"
               f"  call i32 (ptr, ...) @printf(ptr {fmt}, ptr %tag, i64 %v)\n"
               f"  %d = load i64, ptr @fz.digest, align 8\n  %m = mul i64 %d, 1099511628211\n"
               f"  %n = xor i64 %m, %v\n  store i64 %n, ptr @fz.digest, align 8\n  ret void\n}}")
    top += ["declare i32 @printf(ptr, ...)", "declare i32 @fflush(ptr)", "declare i64 @write(i32, ptr, i64)",
            "declare i32 @__cxa_atexit(ptr, ptr, ptr)"]
    return str(mod) + "\n" + "\n\n".join(top) + "\n"


def cxx_specs(max_functions: int = 6):  # pragma: no cover - exercised through the tests
    """A hypothesis strategy for CxxSpec: a small `f` module plus constructors and
    destructors (keyed and unkeyed, several priorities, init-order dependencies,
    __cxa_atexit handlers), thread-locals, exceptions, multi-member comdats, aliases and
    explicit sections."""
    from hypothesis import strategies as st

    op = st.tuples(st.sampled_from(OPS), st.integers(0, 10_000))
    fn = st.builds(FnSpec, st.sampled_from(FN_LINKAGES), st.lists(op, max_size=6))
    gv = st.builds(GlobalSpec, st.sampled_from(("int", "fnptr", "gptr")), st.sampled_from(GV_LINKAGES),
                   st.integers(-(2**40), 2**40), st.booleans())
    base = st.builds(ModuleSpec, st.lists(fn, min_size=1, max_size=max_functions), st.lists(gv, max_size=5),
                     st.lists(st.binary(min_size=1, max_size=8), max_size=2))
    structor = st.builds(StructorSpec, st.sampled_from(("ctor", "ctor", "dtor", "atexit")), st.sampled_from(PRIORITIES),
                         st.booleans(), st.integers(0, 100), st.integers(-1, 20),
                         st.sampled_from(("internal", "external")))
    tls = st.builds(TlsSpec, st.sampled_from(("internal", "external", "linkonce_odr")), st.sampled_from(TLS_MODELS),
                    st.integers(-(2**40), 2**40), st.booleans(), st.booleans())
    eh = st.builds(EhSpec, st.integers(0, 10_000), st.booleans(), st.booleans(),
                   st.sampled_from(("internal", "external", "linkonce_odr")), st.integers(1, 7))
    comdat = st.builds(ComdatSpec, st.integers(2, 4), st.integers(-(2**20), 2**20))
    alias = st.builds(AliasSpec, st.sampled_from(("fn", "var", "elem")), st.integers(0, 100),
                      st.sampled_from(ALIAS_LINKAGES))
    return st.builds(CxxSpec, base, st.lists(structor, max_size=8), st.lists(tls, max_size=3), st.lists(eh, max_size=3),
                     st.lists(comdat, max_size=3), st.lists(alias, max_size=4),
                     st.lists(st.integers(-(2**40), 2**40), max_size=4), st.lists(st.integers(0, 1000), max_size=4))
