"""Validate stage: symbol resolution across the partitions, checked before loading.

Symbol tables come from the objects themselves (ELF, read with pyelftools) or from IR.
`check_symbols` compares the outputs with a reference (the input module, or a serial
build) and lists undefined references, duplicate definitions, exported symbols that
were lost, and linkage or visibility changes.
"""

from __future__ import annotations

import io
import struct
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import llvmlite.binding as llvm
from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from pcodegen.errors import UsageError
from pcodegen.ir.text import IRModule, parse_module_text, symbol_name

_BINDING = {"external": "global", "common": "global", "weak": "weak", "weak_odr": "weak",
            "linkonce": "weak", "linkonce_odr": "weak", "internal": "local", "private": "local"}
DISCARDABLE = {"linkonce", "linkonce_odr", "available_externally", "internal", "private", "appending"}


@dataclass(frozen=True)
class SymbolInfo:
    """How a symbol is defined: binding (global/weak/local), visibility and whether
    the definition may be dropped when unused."""

    binding: str
    visibility: str = "default"
    discardable: bool = False


@dataclass
class SymbolTable:
    """Defined and undefined symbols of one object or module."""

    defined: dict[str, SymbolInfo] = field(default_factory=dict)
    undefined: set[str] = field(default_factory=set)


STB = {0: "local", 1: "global", 2: "weak", 10: "unique"}
STV = {0: "default", 1: "internal", 2: "hidden", 3: "protected"}
STT_FUNC, STT_SECTION, STT_FILE, STT_TLS, STT_GNU_IFUNC = 2, 3, 4, 6, 10
SHN_UNDEF = 0


@dataclass(frozen=True)
class RawSymbol:
    """One ELF symbol table entry."""

    name: str
    value: int
    size: int
    kind: int  # STT_*
    binding: str
    visibility: str
    shndx: int


def open_elf(data: bytes, name: str) -> ELFFile:
    """An ELFFile over `data`; anything else is a one-line usage error."""
    try:
        return ELFFile(io.BytesIO(data))
    except ELFError as exc:
        raise UsageError(f"{name}: not an ELF object: {exc}") from None


def iter_symbols(elf: ELFFile, data: bytes) -> Iterator[RawSymbol]:
    """Every named symbol of `.symtab` except section and file symbols.

    pyelftools locates `.symtab` and its string table; the fixed-size entries are then
    unpacked in one `struct.iter_unpack` sweep rather than as pyelftools' per-symbol
    objects (the coordinator reads each object while workers still compile).
    """
    try:
        symtab = elf.get_section_by_name(".symtab")
    except ELFError as exc:
        raise UsageError(f"not an ELF object: {exc}") from None
    if symtab is None:
        return
    s0 = elf.get_section(symtab["sh_link"])["sh_offset"]
    order = "<" if elf.little_endian else ">"
    # Elf64_Sym: name, info, other, shndx, value, size; Elf32_Sym: name, value, size, info, other, shndx.
    fmt, fields = ("IBBHQQ", (0, 1, 2, 3, 4, 5)) if elf.elfclass == 64 else ("IIIBBH", (0, 3, 4, 5, 1, 2))
    fmt = order + fmt
    start, size = symtab["sh_offset"], symtab["sh_size"]
    entsize = struct.calcsize(fmt)
    for entry in struct.iter_unpack(fmt, data[start:start + size - size % entsize]):
        st_name, info, other, shndx, value, st_size = (entry[f] for f in fields)
        if not st_name or (info & 0xF) in (STT_SECTION, STT_FILE):
            continue
        at = s0 + st_name
        name = data[at:data.index(b"\0", at)].decode("utf-8", "surrogateescape")
        yield RawSymbol(name, value, st_size, info & 0xF, STB.get(info >> 4, "global"),
                        STV.get(other & 0x3, "default"), shndx)


def symbols_of_object(data: bytes, name: str = "object") -> SymbolTable:
    """The ELF symbol table of an object file's bytes."""
    table = SymbolTable()
    for sym in iter_symbols(open_elf(data, name), data):
        if sym.shndx == SHN_UNDEF:
            table.undefined.add(sym.name)
        else:
            table.defined[sym.name] = SymbolInfo("global" if sym.binding == "unique" else sym.binding, sym.visibility)
    return table


def symbols_of_ir(source: IRModule | llvm.ModuleRef | str) -> SymbolTable:
    """Symbol table of a module (parsed pieces, an llvmlite module, or IR text)."""
    ir = source if isinstance(source, IRModule) else parse_module_text(str(source))
    table = SymbolTable()
    for ent in ir.entities.values():
        if ent.name.startswith("llvm.") or ent.linkage == "available_externally":
            continue
        table.defined[ent.symbol] = SymbolInfo(_BINDING.get(ent.linkage, "global"), ent.visibility,
                                               ent.linkage in DISCARDABLE)
    for decl in ir.declarations.values():
        if not decl.name.startswith("llvm."):
            table.undefined.add(symbol_name(decl.name))
    return table


@dataclass
class SymbolReport:
    """Problems found by `check_symbols`; empty lists mean the build resolves."""

    undefined: list[tuple[str, list[str]]] = field(default_factory=list)  # symbol, referencing outputs
    duplicates: list[tuple[str, list[str]]] = field(default_factory=list)  # symbol, defining outputs
    lost: list[str] = field(default_factory=list)
    linkage_changed: list[tuple[str, str, str]] = field(default_factory=list)  # symbol, before, after
    external: int = 0  # references left for the linker (libc and such), not a problem

    @property
    def ok(self) -> bool:
        return not (self.undefined or self.duplicates or self.lost or self.linkage_changed)

    def to_dict(self) -> dict:
        return {"ok": self.ok, **asdict(self)}

    def lines(self) -> list[str]:
        out = [f"undefined symbol {s} (referenced by {', '.join(by)})" for s, by in self.undefined]
        out += [f"duplicate definition of {s} (in {', '.join(by)})" for s, by in self.duplicates]
        out += [f"lost exported symbol {s}" for s in self.lost]
        out += [f"linkage of {s} changed from {a} to {b}" for s, a, b in self.linkage_changed]
        return out


def check_symbols(reference: SymbolTable, outputs: dict[str, SymbolTable],
                  expected: set[str] | None = None) -> SymbolReport:
    """Compare the outputs' combined symbols with `reference`.

    A reference left undefined by every output is a problem when the reference
    defines it or the split introduced it (`expected`, e.g. promoted locals); other
    undefined names (libc) are the linker's business and only counted.
    """
    expected = expected or set()
    defined_by: dict[str, list[str]] = {}
    for out_name, table in outputs.items():
        for sym, info in table.defined.items():
            if info.binding != "local":
                defined_by.setdefault(sym, []).append(out_name)
    report = SymbolReport()
    undefined: dict[str, list[str]] = {}
    external: set[str] = set()
    for out_name, table in outputs.items():
        for sym in table.undefined:
            if sym in defined_by:
                continue
            if sym in reference.defined or sym in expected:
                undefined.setdefault(sym, []).append(out_name)
            else:
                external.add(sym)
    report.undefined = sorted(undefined.items())
    report.external = len(external)
    for sym, by in defined_by.items():
        if len(by) > 1:
            strong = [o for o in by if outputs[o].defined[sym].binding == "global"]
            if len(strong) > 1:
                report.duplicates.append((sym, strong))
    for sym, info in reference.defined.items():
        if info.binding == "local":
            continue
        if sym not in defined_by:
            if not info.discardable:
                report.lost.append(sym)
            continue
        after = outputs[defined_by[sym][0]].defined[sym]
        if (after.binding != info.binding and not info.discardable) or after.visibility != info.visibility:
            report.linkage_changed.append((sym, f"{info.binding}/{info.visibility}",
                                           f"{after.binding}/{after.visibility}"))
    report.duplicates.sort()
    report.lost.sort()
    report.linkage_changed.sort()
    return report


def check_objects(reference: SymbolTable, objects: list[Path], expected: set[str] | None = None) -> SymbolReport:
    """`check_symbols` over object files on disk."""
    outputs = {p.name: symbols_of_object(p.read_bytes(), str(p)) for p in objects}
    return check_symbols(reference, outputs, expected)
