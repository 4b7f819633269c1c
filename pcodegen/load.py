"""Load stage: read `.ll` or `.bc`, verify it, and cut its printed form into entities."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import llvmlite.binding as llvm

from .errors import UsageError
from .execute import init_llvm
from .irtext import IRModule, parse_module_text

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


def parse_bytes(data: bytes, path: str, context: llvm.ContextRef | None = None) -> tuple[llvm.ModuleRef, str]:
    """Parse `.ll` or `.bc` bytes into a verified llvmlite module."""
    init_llvm()
    ctx = context or llvm.create_context()
    if data.startswith(BITCODE_MAGIC):
        fmt = "bitcode"
        try:
            mod = llvm.parse_bitcode(data, context=ctx)
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
            mod = llvm.parse_assembly(text, context=ctx)
        except RuntimeError as exc:
            raise UsageError(f"{path}: malformed IR: {_first_line(exc)}") from None
    try:
        mod.verify()
    except RuntimeError as exc:
        raise UsageError(f"{path}: fails the LLVM verifier: {_first_line(exc)}") from None
    return mod, fmt


def no_definitions(path: str | Path, has_declarations: bool) -> UsageError:
    """The error for a module with nothing to compile."""
    what = "only declarations" if has_declarations else "nothing"
    return UsageError(f"{path}: the module defines no functions or globals ({what})")


def check_definitions(mod: llvm.ModuleRef, path: str | Path) -> None:
    """Raise unless `mod` defines at least one function or global variable."""
    values = [*mod.functions, *mod.global_variables]
    if all(v.is_declaration for v in values):
        raise no_definitions(path, bool(values))


def load_module(path: str | Path) -> LoadedModule:
    """Read, parse, verify and cut up the module at `path`."""
    data = read_input(path)
    mod, fmt = parse_bytes(data, str(path))
    text = str(mod)
    triple = mod.triple
    mod.close()
    ir = parse_module_text(text)
    if not ir.entities:
        raise no_definitions(path, bool(ir.declarations))
    return LoadedModule(str(path), fmt, len(data), hashlib.sha256(data).hexdigest(), triple, text, ir)
