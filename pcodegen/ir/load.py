"""Load stage: read `.ll` or `.bc`, verify it, and cut its printed form into entities."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import llvmlite.binding as llvm

from pcodegen.errors import UsageError
from pcodegen.ir.parse import parse_module
from pcodegen.parallel.fork import Forked
from pcodegen.ir.text import STRUCTOR_LISTS, IRModule, cut_points, has_keyed_structors, lower_structors, parse_module_text

BITCODE_MAGIC = (b"BC\xc0\xde", b"\xde\xc0\x17\x0b")


@dataclass
class LoadedModule:
    """A verified module: its canonical text and its pieces."""

    path: str
    format: str  # "bitcode" | "text"
    size: int
    sha256: str
    triple: str
    text: str
    ir: IRModule
    steps: dict[str, float] = field(default_factory=dict)  # wall seconds: parse (with read), print, cut, verify_wait


def read_input(path: str | Path) -> bytes:
    """The bytes of `path`, or a one-line UsageError."""
    p = Path(path)
    if not p.exists():
        raise UsageError(f"{path}: no such file")
    if p.is_dir():
        raise UsageError(f"{path}: is a directory, expected a .ll or .bc file")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None


def _first_line(exc: Exception) -> str:
    """The informative line of an LLVM error: the `file:line:col: error:` one if any."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    if not lines:
        return type(exc).__name__
    for ln in lines:
        if "error:" in ln:
            return "line " + ln.split(":", 1)[1].replace(": error:", ":", 1) if ln.startswith("<string>:") else ln
    if lines[0].startswith("LLVM") and len(lines) > 1:
        return lines[1]
    return lines[0]


def parse_bytes(data: bytes, path: str, context: llvm.ContextRef | None = None,
                verify: bool = True) -> tuple[llvm.ModuleRef, str]:
    """Parse `.ll` or `.bc` bytes into an llvmlite module, verified unless `verify` is off
    (then call `verify_module`)."""
    if data.startswith(BITCODE_MAGIC):
        fmt = "bitcode"
        try:
            mod = parse_module(data, context, verify=False)
        except RuntimeError as exc:
            raise UsageError(f"{path}: malformed bitcode: {_first_line(exc)}") from None
    else:
        fmt = "text"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{path}: neither LLVM IR text nor bitcode") from None
        if "\x00" in text:
            raise UsageError(f"{path}: neither LLVM IR text nor bitcode")
        try:
            mod = parse_module(text, context, verify=False)
        except RuntimeError as exc:
            raise UsageError(f"{path}: malformed IR: {_first_line(exc)}") from None
    if verify:
        try:
            verify_module(mod, path)
        except UsageError:
            mod.close()  # now, while its context lives (see load_module)
            raise
    return mod, fmt


def verify_module(mod: llvm.ModuleRef, path: str | Path) -> None:
    """Run the LLVM verifier; a rejection becomes a one-line UsageError."""
    try:
        mod.verify()
    except RuntimeError as exc:
        fn = _function_of(mod, str(exc))
        where = f" in function @{fn}" if fn else ""
        raise UsageError(f"{path}: fails the LLVM verifier{where}: {_first_line(exc)}") from None


def _function_of(mod: llvm.ModuleRef, message: str) -> str | None:
    """The function a verifier message is about: the one whose body holds the
    instructions the message quotes (the verifier prints them, not the function)."""
    quoted = [ln.strip() for ln in message.splitlines()[1:] if len(ln.strip()) > 3]
    quoted = [q for q in quoted if not q.startswith(("LLVM", "Broken module"))]
    if not quoted:
        return None
    try:
        for f in mod.functions:
            if f.is_declaration:
                continue
            body = {ln.strip() for ln in str(f).splitlines()}
            if any(q in body for q in quoted):
                return f.name
    except Exception:  # noqa: BLE001 - naming the function is a courtesy; the message stands without it
        return None
    return None


PARALLEL_CUT_MIN = 4 << 20  # below this many characters a forked helper costs more than it saves
# The coordinator's share of the function bodies in a parallel cut. The helper pickles
# its half and the coordinator unpickles it (with the collector paused: see
# pipeline.collector_paused), costs that about cancel: 0.5 measured best on SQLite,
# SQLite -g and the system image alike.
PARENT_CUT_SHARE = 0.5

_RELEASING: list[threading.Thread] = []


def wait_releases() -> None:
    """Wait for the LLVM modules being freed on threads (`release_later`). Runs before
    every fork of this process (`os.register_at_fork`): a freeing thread holds
    llvmlite's global lock, and a child forked meanwhile would inherit it held and hang
    at its first LLVM call (an early worker did, in about one build in twelve)."""
    while _RELEASING:
        _RELEASING.pop().join()


os.register_at_fork(before=wait_releases)


def release_later(mod: llvm.ModuleRef) -> None:
    """Free `mod` on a thread while this process goes on: LLVM takes its time over a
    big module (0.06 s for SQLite, 0.4-0.5 s for a system image)."""
    thread = threading.Thread(target=mod.close, name="pcodegen-free")
    _RELEASING.append(thread)
    thread.start()


Annotate = Callable[[IRModule], None]  # fills in what a cut piece should carry back (e.g. predicted seconds)


def cut_text(text: str, annotate: Annotate | None = None) -> IRModule:
    """Cut printed IR into an IRModule in this process. `annotate` runs on the result:
    per-definition work (the cost model's features) that a parallel load splits too."""
    ir = parse_module_text(text)
    if annotate is not None:
        annotate(ir)
    return ir


def _cut_in_two(text: str, annotate: Annotate | None) -> IRModule | None:
    """The coordinator's parallel cut: a forked child cuts the second half of the
    function bodies while this process cuts the first half and the tail (metadata is
    only filed there, so the child's answer stays small). `annotate` runs on each piece
    where it was cut. The result equals a one-piece cut; None when the text has no point
    to cut at."""
    at, tail = cut_points(text, PARENT_CUT_SHARE)
    if at <= 0:
        return None
    helper = Forked(cut_text, text[at:tail], annotate)
    try:
        first = cut_text(text[:at], annotate)
        rest = cut_text(text[tail:], annotate)
        first.extend(helper.result())
        first.extend(rest)
    finally:
        helper.close()
    return first


def no_definitions(path: str | Path, has_declarations: bool) -> UsageError:
    """The error for a module with nothing to compile."""
    what = "only declarations" if has_declarations else "nothing"
    return UsageError(f"{path}: the module defines no functions or globals ({what})")


def check_definitions(mod: llvm.ModuleRef, path: str | Path) -> None:
    """Raise unless `mod` defines at least one function or global variable."""
    values = [*mod.functions, *mod.global_variables]
    if all(v.is_declaration for v in values):
        raise no_definitions(path, bool(values))


def load_module(path: str | Path, jobs: int = 1, annotate: Annotate | None = None) -> LoadedModule:
    """Read, parse, verify and cut up the module at `path`.

    With `jobs` > 1 (the coordinator of a parallel build) the otherwise idle core helps:
    a forked child verifies the module while this process prints it, for a large text
    another cuts the second half while this process cuts the rest (`_cut_in_two`), and
    the module is freed on a thread beside what the caller does next (`release_later`).
    Errors are the same either way. `annotate`: see `cut_text`.
    """
    if mp.current_process().daemon:  # a daemonic process may not fork helpers
        jobs = 1
    steps: dict[str, float] = {}
    t = time.perf_counter()
    data = read_input(path)
    mod, fmt = parse_bytes(data, str(path), verify=jobs <= 1)
    steps["parse"] = time.perf_counter() - t
    checker = Forked(verify_module, mod, path) if jobs > 1 else None
    handed_off = False
    try:
        t = time.perf_counter()
        text = str(mod)
        triple = mod.triple
        steps["print"] = time.perf_counter() - t
        t = time.perf_counter()
        try:
            ir = _cut_in_two(text, annotate) if jobs > 1 and len(text) >= PARALLEL_CUT_MIN else None
            if ir is None:
                ir = cut_text(text, annotate)
        except ValueError:
            if checker is not None:
                checker.result()  # an input the verifier rejects explains a failed cut best
            raise
        steps["cut"] = time.perf_counter() - t
        t = time.perf_counter()
        if checker is not None:
            checker.result()
        steps["verify_wait"] = time.perf_counter() - t
        if jobs > 1:
            release_later(mod)  # beside what the caller does next
            handed_off = True
    finally:
        if checker is not None:
            checker.close()
        # Dispose of the module here on every other path: left to the garbage collector
        # with its context (an exception's traceback holds both), llvmlite may free the
        # context first and the module's own finaliser then crashes the process.
        if not handed_off:
            mod.close()
    loaded = LoadedModule(str(path), fmt, len(data), hashlib.sha256(data).hexdigest(), triple, text, ir, steps)
    if not ir.entities:
        raise no_definitions(path, bool(ir.declarations))
    return loaded


def lower_keyed_structors(mod: llvm.ModuleRef, path: str | Path) -> llvm.ModuleRef:
    """`mod` with keyed constructor lists lowered as the partitions' are
    (`pcodegen.ir.text.lower_structors`), so every build runs constructors in clang's
    order; a module without keyed entries (C, most of what is built here) is returned
    as it is, without a print and parse."""
    lists = []
    for name in STRUCTOR_LISTS:
        try:
            lists.append(str(mod.get_global_variable(name)))
        except NameError:
            pass
    if not has_keyed_structors("\n".join(lists)):
        return mod
    text = lower_structors(str(mod))
    lowered, _ = parse_bytes(text.encode(), str(path))
    mod.close()
    return lowered


def load_whole(data: bytes, path: str | Path) -> llvm.ModuleRef:
    """The whole input as one module ready to compile: parsed, verified, checked to
    define something, constructor lists lowered. What the serial build compiles."""
    mod, _ = parse_bytes(data, str(path))
    try:
        check_definitions(mod, path)
        return lower_keyed_structors(mod, path)
    except UsageError:
        mod.close()  # while its context lives (see load_module)
        raise


@dataclass
class WholeModule:
    """The one partition of a one-partition plan: the input itself, read and parsed by
    the worker, so it starts at once, while the coordinator loads and plans beside it
    (the plan is known before the module is read), and compiles what the serial build
    compiles."""

    path: str

    def data(self) -> bytes:
        return read_input(self.path)

    def module(self) -> llvm.ModuleRef:
        return load_whole(self.data(), self.path)
