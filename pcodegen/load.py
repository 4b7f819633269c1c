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
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


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


def load_module(path: str | Path) -> LoadedModule:
    """Read, parse, verify and cut up the module at `path`."""
    data = read_input(path)
    mod, fmt = parse_bytes(data, str(path))
    text = str(mod)
    triple = mod.triple
    mod.close()
    ir = parse_module_text(text)
    if not ir.entities:
        what = "only declarations" if ir.declarations else "nothing"
        raise UsageError(f"{path}: the module defines no functions or globals ({what})")
    return LoadedModule(str(path), fmt, len(data), hashlib.sha256(data).hexdigest(), triple, text, ir)
