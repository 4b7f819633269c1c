"""Validate stage: symbol resolution across the partitions, checked before loading.

Symbol tables come from the objects themselves (ELF: pyelftools checks the header, the
section and symbol tables are unpacked here) or from IR.
`check_symbols` compares the outputs with a reference (the input module, or a serial
build) and lists undefined references, duplicate definitions, exported symbols that
were lost, and linkage or visibility changes.
"""

from __future__ import annotations

import io
import struct
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Tuple

import llvmlite.binding as llvm

from pcodegen.errors import UsageError
from pcodegen.ir.text import IRModule, parse_module_text, symbol_name

if TYPE_CHECKING:
    from elftools.elf.elffile import ELFFile

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
    """An ELFFile over `data`; anything else is a one-line usage error. (pyelftools is
    imported here, at the first object: 0.1 s a command that reads none need not pay.)"""
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        return ELFFile(io.BytesIO(data))
    except ELFError as exc:
        raise UsageError(f"{name}: not an ELF object: {exc}") from None


SHT_SYMTAB, SHT_SYMTAB_SHNDX = 2, 18
SHN_XINDEX = 0xFFFF


@dataclass(frozen=True)
class Section:
    """One ELF section header."""

    name: str
    type: int  # SHT_*
    flags: int
    offset: int
    size: int
    link: int
    info: int


SymbolEntry = Tuple[str, int, int, int, int, int]  # name, value, size, info, other, section index


def elf_layout(elf: ELFFile) -> tuple[str, int]:
    """(struct byte order, ELF class) of an object pyelftools opened."""
    return ("<" if elf.little_endian else ">"), elf.elfclass


@contextmanager
def reading(name: str, what: str) -> Iterator[None]:
    """Raw reads of an object's tables: an offset or index past the data (a truncated or
    corrupt object) becomes one line naming the object and `what` could not be read."""
    try:
        yield
    except (struct.error, ValueError, IndexError):
        raise UsageError(f"{name}: a truncated or corrupt ELF object (its {what} cannot be read); "
                         "compile it again") from None


def section_headers(elf: ELFFile, data: bytes, name: str = "object") -> list[Section]:
    """Every section header of the object, in index order, unpacked in one sweep.

    pyelftools builds an object per section and a name map of all of them for one
    lookup by name: seconds for a C++ object's thousands of comdat sections. The header
    table is read here directly, extended numbering included (past 0xff00 sections the
    count and the name table's index are kept in section 0)."""
    with reading(name, "section headers"):
        return _section_headers(elf, data)


def _section_headers(elf: ELFFile, data: bytes) -> list[Section]:
    order, elfclass = elf_layout(elf)
    if elfclass == 64:
        shoff, = struct.unpack_from(order + "Q", data, 0x28)
        _, shnum, shstrndx = struct.unpack_from(order + "HHH", data, 0x3A)
        fmt = order + "IIQQQQIIQQ"
    else:
        shoff, = struct.unpack_from(order + "I", data, 0x20)
        _, shnum, shstrndx = struct.unpack_from(order + "HHH", data, 0x2E)
        fmt = order + "IIIIIIIIII"
    if not shoff:
        return []
    size = struct.calcsize(fmt)
    first = struct.unpack_from(fmt, data, shoff)
    shnum = shnum or first[5]
    shstrndx = first[6] if shstrndx == SHN_XINDEX else shstrndx
    if shoff + shnum * size > len(data) or shstrndx >= shnum:
        raise ValueError("the table lies outside the file")
    # Each header: name, type, flags, addr, offset, size, link, info, addralign, entsize.
    rows = list(struct.iter_unpack(fmt, data[shoff:shoff + shnum * size]))
    names = rows[shstrndx][4]
    return [Section(data[names + r[0]:data.index(b"\0", names + r[0])].decode("utf-8", "surrogateescape"),
                    r[1], r[2], r[4], r[5], r[6], r[7]) for r in rows]


def symbol_entries(elf: ELFFile, data: bytes, sections: list[Section], name: str = "object") -> list[SymbolEntry]:
    """Every entry of `.symtab` by index: (name, value, size, info, other, section
    index), the index taken from `.symtab_shndx` where the entry defers to it. The
    fixed-size entries are unpacked in one `struct.iter_unpack` sweep rather than as
    pyelftools' per-symbol objects (the coordinator reads each object while workers
    still compile)."""
    with reading(name, "symbol table"):
        return _symbol_entries(elf, data, sections)


def _symbol_entries(elf: ELFFile, data: bytes, sections: list[Section]) -> list[SymbolEntry]:
    found = [i for i, sec in enumerate(sections) if sec.type == SHT_SYMTAB]
    if not found:
        return []
    symtab = sections[found[0]]
    s0 = sections[symtab.link].offset
    order, elfclass = elf_layout(elf)
    # Elf64_Sym: name, info, other, shndx, value, size; Elf32_Sym: name, value, size, info, other, shndx.
    fmt, fields = ("IBBHQQ", (0, 4, 5, 1, 2, 3)) if elfclass == 64 else ("IIIBBH", (0, 1, 2, 3, 4, 5))
    fmt = order + fmt
    entsize = struct.calcsize(fmt)
    raw = data[symtab.offset:symtab.offset + symtab.size - symtab.size % entsize]
    extended = [sec for sec in sections if sec.type == SHT_SYMTAB_SHNDX and sec.link == found[0]]
    wide = (struct.unpack_from(order + f"{symtab.size // entsize}I", data, extended[0].offset) if extended else ())
    entries = []
    for i, entry in enumerate(struct.iter_unpack(fmt, raw)):
        st_name, value, st_size, info, other, shndx = (entry[f] for f in fields)
        if shndx == SHN_XINDEX and wide:
            shndx = wide[i]
        name = data[s0 + st_name:data.index(b"\0", s0 + st_name)].decode("utf-8", "surrogateescape") if st_name else ""
        entries.append((name, value, st_size, info, other, shndx))
    return entries


def named_symbols(entries: list[SymbolEntry]) -> Iterator[RawSymbol]:
    """The named entries of `symbol_entries` except section and file symbols."""
    for name, value, size, info, other, shndx in entries:
        if not name or (info & 0xF) in (STT_SECTION, STT_FILE):
            continue
        yield RawSymbol(name, value, size, info & 0xF, STB.get(info >> 4, "global"), STV.get(other & 0x3, "default"),
                        shndx)


def iter_symbols(elf: ELFFile, data: bytes, name: str = "object") -> Iterator[RawSymbol]:
    """Every named symbol of `.symtab` except section and file symbols."""
    return named_symbols(symbol_entries(elf, data, section_headers(elf, data, name), name))


def symbols_of_object(data: bytes, name: str = "object") -> SymbolTable:
    """The ELF symbol table of an object file's bytes."""
    table = SymbolTable()
    for sym in iter_symbols(open_elf(data, name), data, name):
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
