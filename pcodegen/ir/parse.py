"""The one way pcodegen turns IR into an llvmlite module: initialise LLVM once per
process, parse text or bitcode into a context, verify."""

from __future__ import annotations

import llvmlite.binding as llvm

_LLVM_READY = False


def init_llvm() -> None:
    """Initialise the native target, asm printer and asm parser once per process.

    The asm parser matters: without it a module with inline assembly aborts the
    process at object emission.
    """
    global _LLVM_READY
    if not _LLVM_READY:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        llvm.initialize_native_asmparser()
        _LLVM_READY = True


def parse_module(source: str | bytes, context: llvm.ContextRef | None = None, verify: bool = True) -> llvm.ModuleRef:
    """Parse IR text (str) or bitcode (bytes) into `context` (a fresh one by default),
    verified unless `verify` is off. LLVM's own errors (RuntimeError) pass through:
    `pcodegen.ir.load` words them for a user's input."""
    init_llvm()
    ctx = context if context is not None else llvm.create_context()
    if isinstance(source, bytes):
        mod = llvm.parse_bitcode(source, context=ctx)
    else:
        mod = llvm.parse_assembly(source, context=ctx)
    if verify:
        mod.verify()
    return mod
