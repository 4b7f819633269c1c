"""Validate stage, program level: do the partitions' objects make the same program as
the serial build's object?

Symbol resolution (`validate.check_symbols`) proves names resolve; it cannot see a
constructor entry that code generation dropped, a comdat emitted twice, a constant
that moved to writable data or a thread-local that stopped being one. This module
reads those facts from the ELF objects themselves and compares them with a serial
reference:

- constructor and destructor entries (`.ctors`/`.dtors`/`.init_array`/`.fini_array`,
  with priorities from the section names): each entry present once, with its priority,
  its key (the comdat group the entry's section belongs to), and within a priority in
  the order the linker runs them (objects in link order, sections in file order,
  `.ctors`/`.dtors` entries stored reversed);
- comdat groups: none emitted by two partitions, none lost while its symbols survive;
- every symbol the reference defines with global or weak binding (and every
  thread-local one): the same kind of section (text, rodata, relro, data, bss, TLS data,
  TLS bss, common, or the custom section's name), the same size for data, the same
  binding and visibility, and aliases still at their target's address.

Partition names map back to reference names through `renames` (a promoted local's new
name -> its original name is derived from plan.promoted).
"""

from __future__ import annotations

import re
import struct
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pcodegen.validate.symbols import (SHN_UNDEF, STT_FUNC, STT_GNU_IFUNC, STT_SECTION, STT_TLS, RawSymbol, Section,
                                       SymbolEntry, elf_layout, named_symbols, open_elf, reading, section_headers,
                                       symbol_entries)

SHN_ABS, SHN_COMMON = 0xFFF1, 0xFFF2
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHF_TLS = 0x1, 0x2, 0x4, 0x400
SHT_RELA, SHT_NOBITS, SHT_REL, SHT_GROUP = 4, 8, 9, 17
DEFAULT_PRIORITY = 65535
# Groups code generation makes in every object that needs them, not from an IR comdat:
# the personality pointer each object using exceptions carries (meant to be merged).
CODEGEN_GROUPS = ("DW.ref.",)
_SECTION = re.compile(r', section "([^"]+)"')
# Structor sections: (name prefix, list, entries stored in reverse of running order).
_STRUCTOR_SECTIONS = ((".init_array", "ctors", False), (".ctors", "ctors", True),
                      (".fini_array", "dtors", False), (".dtors", "dtors", True))
_STANDARD = (".text", ".rodata", ".data.rel.ro", ".data", ".bss", ".tdata", ".tbss", ".lbss", ".ldata",
             ".lrodata", ".sdata", ".sbss")

if TYPE_CHECKING:
    from pcodegen.ir.text import IRModule


@dataclass(frozen=True)
class Structor:
    """A constructor or destructor entry as the linker will see it."""

    list: str  # "ctors" | "dtors"
    priority: int
    function: str
    key: str | None  # signature of the comdat group holding the entry, if any


@dataclass(frozen=True)
class DefinedSymbol:
    """Where and how an object defines a symbol."""

    section_kind: str
    size: int
    binding: str
    visibility: str
    tls: bool
    function: bool
    at: tuple[int, int]  # (section index, value): equal for a symbol and its aliases


@dataclass
class ObjectFacts:
    """The program-level facts of one object file."""

    name: str
    symbols: dict[str, DefinedSymbol] = field(default_factory=dict)
    structors: list[Structor] = field(default_factory=list)  # in running order within the object
    groups: dict[str, list[str]] = field(default_factory=dict)  # comdat signature -> member section kinds
    references: dict[str, bool] = field(default_factory=dict)  # undefined symbol -> referenced as thread-local


def section_kind(name: str, flags: int, sh_type: int) -> str:
    """What kind of storage a section is: text, rodata, relro, data, bss, tdata, tbss,
    or `custom:<name>` for a section outside the standard families."""
    if not name.startswith(_STANDARD):
        return f"custom:{name}"
    if flags & SHF_TLS:
        return "tbss" if sh_type == SHT_NOBITS else "tdata"
    if flags & SHF_EXECINSTR:
        return "text"
    if sh_type == SHT_NOBITS:
        return "bss"
    if name.startswith(".data.rel.ro"):
        return "relro"
    return "data" if flags & SHF_WRITE else "rodata"


def _structor_section(name: str) -> tuple[str, int, bool] | None:
    """(list, priority, reversed) for a constructor/destructor section name."""
    for prefix, which, reverse in _STRUCTOR_SECTIONS:
        if name == prefix:
            return which, DEFAULT_PRIORITY, reverse
        if name.startswith(prefix + ".") and name[len(prefix) + 1:].isdigit():
            n = int(name[len(prefix) + 1:])
            return which, (DEFAULT_PRIORITY - n if prefix in (".ctors", ".dtors") else n), reverse
    return None


def object_facts(data: bytes, name: str = "object") -> ObjectFacts:
    """Read the program-level facts of one ELF relocatable object."""
    elf = open_elf(data, name)
    sections = section_headers(elf, data, name)
    entries = symbol_entries(elf, data, sections, name)
    with reading(name, "comdat groups or constructor lists"):
        return _object_facts(name, data, elf_layout(elf), sections, entries)


def _object_facts(name: str, data: bytes, layout: tuple[str, int], sections: list[Section],
                  entries: list[SymbolEntry]) -> ObjectFacts:
    facts = ObjectFacts(name)
    group_of: dict[int, str] = {}
    for sec in sections:
        if sec.type == SHT_GROUP and entries:
            words = struct.unpack_from(layout[0] + f"{sec.size // 4}I", data, sec.offset)
            signature = entries[sec.info][0]
            facts.groups[signature] = [sections[i].name for i in words[1:]]
            for i in words[1:]:
                group_of[i] = signature
    at_address: dict[tuple[int, int], list[RawSymbol]] = defaultdict(list)
    for sym in named_symbols(entries):
        if sym.shndx == SHN_UNDEF:
            facts.references[sym.name] = sym.kind == STT_TLS
            continue
        if sym.shndx == SHN_COMMON:
            kind = "common"
        elif sym.shndx == SHN_ABS or sym.shndx >= len(sections):
            kind = "absolute"
        else:
            sec = sections[sym.shndx]
            kind = section_kind(sec.name, sec.flags, sec.type)
            at_address[(sym.shndx, sym.value)].append(sym)
        facts.symbols[sym.name] = DefinedSymbol(kind, sym.size, sym.binding, sym.visibility, sym.kind == STT_TLS,
                                                sym.kind in (STT_FUNC, STT_GNU_IFUNC), (sym.shndx, sym.value))
    relocations = {sec.info: sec for sec in sections if sec.type in (SHT_RELA, SHT_REL)}
    for index, sec in enumerate(sections):
        info = _structor_section(sec.name)
        if info is None or sec.type == SHT_NOBITS:
            continue
        which, priority, reverse = info
        rel = relocations.get(index)
        functions = [_function_name(entries, r, at_address) for r in (_relocations(rel, data, layout) if rel else [])]
        if reverse:
            functions.reverse()
        facts.structors += [Structor(which, priority, fn, group_of.get(index)) for fn in functions]
    return facts


def _relocations(rel: Section, data: bytes, layout: tuple[str, int]) -> list[tuple[int, int, int]]:
    """(offset, symbol index, addend) of each entry of a relocation section, by offset
    (REL entries keep their addend in the section: taken as 0)."""
    order, elfclass = layout
    rela = rel.type == SHT_RELA
    fmt = order + (("QQq" if rela else "QQ") if elfclass == 64 else ("IIi" if rela else "II"))
    shift = 32 if elfclass == 64 else 8
    size = struct.calcsize(fmt)
    rows = struct.iter_unpack(fmt, data[rel.offset:rel.offset + rel.size - rel.size % size])
    return sorted((r[0], r[1] >> shift, r[2] if rela else 0) for r in rows)


def _function_name(entries: list[SymbolEntry], reloc: tuple[int, int, int],
                   at_address: dict[tuple[int, int], list[RawSymbol]]) -> str:
    """The function a structor relocation points at: its symbol, or for a relocation
    against a section symbol, the function defined at that section offset."""
    _, index, addend = reloc
    if index >= len(entries):
        return "?"
    name, _, _, info, _, shndx = entries[index]
    if info & 0xF != STT_SECTION:
        return name
    named = [s for s in at_address.get((shndx, addend), []) if s.kind in (STT_FUNC, 0)]
    return min((s.name for s in named), default=f"section {shndx}+{addend}")


@dataclass(frozen=True)
class Finding:
    """One way the partitioned program differs from the reference."""

    kind: str
    symbol: str
    partitions: tuple[str, ...]
    detail: str

    def line(self) -> str:
        where = f" (in {', '.join(self.partitions)})" if self.partitions else ""
        return f"{self.kind}: {self.symbol}{where}: {self.detail}"


@dataclass
class ProgramReport:
    """Findings of `check_program`; none means the objects make the reference's program."""

    findings: list[Finding] = field(default_factory=list)
    structors: int = 0
    groups: int = 0
    symbols: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def lines(self) -> list[str]:
        return [f.line() for f in self.findings]

    def to_dict(self) -> dict:
        return {"ok": self.ok, "checked": {"structor_entries": self.structors, "comdat_groups": self.groups,
                                           "symbols": self.symbols},
                "findings": [{"kind": f.kind, "symbol": f.symbol, "partitions": list(f.partitions),
                              "detail": f.detail} for f in self.findings]}


def _running_order(objects: list[ObjectFacts], renames: dict[str, str]) -> list[tuple[Structor, str]]:
    """Every structor entry with the object that holds it, in the order the linker runs
    them: by priority, then objects in link order, then as stored in each object."""
    entries = []
    for obj in objects:
        for s in obj.structors:
            fn = renames.get(s.function, s.function)
            key = renames.get(s.key, s.key) if s.key else None
            entries.append((Structor(s.list, s.priority, fn, key), obj.name))
    return sorted(entries, key=lambda e: (e[0].list, e[0].priority))  # stable: keeps link order


def check_program(reference: list[ObjectFacts], outputs: list[ObjectFacts],
                  renames: dict[str, str] | None = None, declared: list[Structor] | None = None,
                  folded: set[str] | None = None) -> ProgramReport:
    """Compare the partitions' objects (in link order) with the reference build's.

    `renames` maps a name in the partitions to the reference's name (a promoted local's
    new name -> its original name). `declared` is the input module's constructor and
    destructor lists (`structors_of_ir`); give it whenever the input is at hand, since
    without it an optimised reference may lack entries that it folded away. `folded`
    holds the `list:function` entries the partitions' optimiser folded into
    initialisers (`pcodegen.ir.compile.structor_functions`, recorded in report.json): a declared
    entry must be in the objects or folded; without `folded`, only entries the
    reference kept are required."""
    renames = renames or {}
    report = ProgramReport()
    folded_entries = None
    if folded is not None:
        pairs = (f.split(":", 1) for f in folded)
        folded_entries = {(which, renames.get(fn, fn)) for which, fn in pairs}
    _check_structors(report, reference, outputs, renames, declared, folded_entries)
    _check_groups(report, reference, outputs, renames)
    _check_symbols(report, reference, outputs, renames)
    return report


def structors_of_ir(ir: "IRModule") -> list[Structor]:
    """The input module's constructor and destructor entries, in list order, with each
    key given as the comdat group its entry will be emitted in (None without one)."""
    from pcodegen.ir.text import structors, symbol_name

    out = []
    for which in ("ctors", "dtors"):
        ent = ir.entities.get(f"llvm.global_{which}")
        for s in structors(ent.text) if ent is not None else []:
            key_ent = ir.entities.get(s.key) if s.key else None
            key = symbol_name(key_ent.comdat[1:]) if key_ent is not None and key_ent.comdat else None
            out.append(Structor(which, s.priority, symbol_name(s.function) if s.function else "?", key))
    for ent in ir.entities.values():  # explicit entries (Rust's std registers one this way)
        m = _SECTION.search(ent.text) if ent.kind == "variable" else None
        info = _structor_section(m.group(1)) if m else None
        if info is not None:
            comdat = symbol_name(ent.comdat[1:]) if ent.comdat else None
            out += [Structor(info[0], info[1], symbol_name(f), comdat) for f in sorted(ent.refs, key=ent.text.find)]
    return out


def _check_structors(report: ProgramReport, reference: list[ObjectFacts], outputs: list[ObjectFacts],
                     renames: dict[str, str], declared: list[Structor] | None,
                     folded: set[tuple[str, str]] | None) -> None:
    """Entries are compared with the input module's lists where given. Optimisation may
    fold a constructor into initialisers (GlobalOpt evaluates them): a listed entry must
    be in the partitions unless their optimiser folded it (or, where that is not known,
    unless the serial object lacks it too); nothing may run that the input does not list."""
    actual = _running_order(reference, {})  # the order the serial build really runs them in
    out = _running_order(outputs, renames)
    ref = actual
    kept = {(s.list, s.function) for s, _ in ref}
    if declared is not None and folded is not None:
        kept = {(s.list, s.function) for s in declared} - folded
    if declared is not None:
        listed = sorted(declared, key=lambda s: (s.list, s.priority))
        ref = [(s, "input") for s in listed]
    report.structors = len(ref)
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s, obj in out:
        where[(s.list, s.function)].append(obj)
    ref_by_fn = {(s.list, s.function): s for s, _ in ref}
    out_by_fn = {(s.list, s.function): s for s, _ in out}
    what = {"ctors": "constructor", "dtors": "destructor"}
    for key, s in ref_by_fn.items():
        got = out_by_fn.get(key)
        if got is None:
            if key in kept:
                report.findings.append(Finding(f"{what[s.list]} lost", s.function, (),
                                               f"priority {s.priority} entry{_keyed(s.key)} is in no partition"))
        elif got.priority != s.priority:
            report.findings.append(Finding(f"{what[s.list]} priority changed", s.function, tuple(where[key]),
                                           f"{s.priority} -> {got.priority}"))
        elif got.key != s.key:
            report.findings.append(Finding(f"{what[s.list]} key changed", s.function, tuple(where[key]),
                                           f"key {s.key or 'none'} -> {got.key or 'none'}"))
    for key, s in out_by_fn.items():
        if key not in ref_by_fn:
            report.findings.append(Finding(f"{what[s.list]} added", s.function, tuple(where[key]),
                                           f"priority {s.priority} entry is not in the reference"))
    ref_counts = Counter((s.list, s.function) for s, _ in ref)
    for key, objs in where.items():
        ref_count = ref_counts[key]
        if len(objs) > max(ref_count, 1):
            report.findings.append(Finding(f"{what[key[0]]} duplicated", key[1], tuple(objs),
                                           f"{len(objs)} entries, the reference has {ref_count}"))
    for which in ("ctors", "dtors"):
        ref_seq = [(s.priority, s.function) for s, _ in actual if s.list == which]
        out_seq = [(s.priority, s.function) for s, _ in out if s.list == which]
        common = set(ref_seq) & set(out_seq)
        ref_seq = [e for e in ref_seq if e in common]
        out_seq = [e for e in out_seq if e in common]
        for a, b in zip(ref_seq, out_seq):
            if a != b:
                objs = tuple(sorted(set(where[(which, a[1])] + where[(which, b[1])])))
                report.findings.append(Finding(f"{what[which]}s reordered", a[1], objs,
                                               f"priority {a[0]}: the reference runs {a[1]} where the partitions "
                                               f"run {b[1]}"))
                break


def _keyed(key: str | None) -> str:
    return f" keyed on {key}" if key else ""


def _check_groups(report: ProgramReport, reference: list[ObjectFacts], outputs: list[ObjectFacts],
                  renames: dict[str, str]) -> None:
    ref_groups: dict[str, list[str]] = {}
    for obj in reference:
        ref_groups.update(obj.groups)
    report.groups = len(ref_groups)
    holders: dict[str, list[str]] = defaultdict(list)
    for obj in outputs:
        for sig in obj.groups:
            holders[renames.get(sig, sig)].append(obj.name)
    defined: dict[str, str] = {}
    for obj in outputs:
        for name in obj.symbols:
            defined.setdefault(renames.get(name, name), obj.name)
    for sig, objs in sorted(holders.items()):
        if len(objs) > 1 and not sig.startswith(CODEGEN_GROUPS):
            report.findings.append(Finding("comdat duplicated", sig, tuple(objs),
                                           f"group emitted by {len(objs)} partitions; the linker keeps one copy "
                                           "of a group and drops the others' sections"))
    for sig, members in sorted(ref_groups.items()):
        if sig in holders:
            continue
        carries_structor = any(_structor_section(m) for m in members)
        if carries_structor or sig in defined:
            why = "it holds a constructor entry" if carries_structor else f"{sig} is defined outside any group"
            report.findings.append(Finding("comdat lost", sig, (defined[sig],) if sig in defined else (),
                                           f"no partition emits the group, but {why}"))


def _check_symbols(report: ProgramReport, reference: list[ObjectFacts], outputs: list[ObjectFacts],
                   renames: dict[str, str]) -> None:
    ref: dict[str, DefinedSymbol] = {}
    for obj in reference:
        ref.update(obj.symbols)
    out: dict[str, tuple[DefinedSymbol, str]] = {}
    for obj in outputs:
        for name, sym in obj.symbols.items():
            name = renames.get(name, name)
            if name not in out or sym.binding != "local":
                out[name] = (sym, obj.name)
    checked = 0
    for name, before in sorted(ref.items()):
        if name not in out or (before.binding == "local" and not before.tls):
            continue
        checked += 1
        after, where = out[name]
        if before.tls and not after.tls:
            report.findings.append(Finding("thread-local lost", name, (where,),
                                           f"{before.section_kind} -> {after.section_kind}, shared by all threads"))
            continue
        if before.binding == "local":
            continue
        if _storage(before.section_kind) != _storage(after.section_kind):
            report.findings.append(Finding("section kind changed", name, (where,),
                                           f"{before.section_kind} -> {after.section_kind}"))
        if not before.function and before.size != after.size:
            report.findings.append(Finding("size changed", name, (where,), f"{before.size} -> {after.size} bytes"))
        if before.binding != after.binding:
            report.findings.append(Finding("binding changed", name, (where,), f"{before.binding} -> {after.binding}"))
        if before.visibility != after.visibility:
            report.findings.append(Finding("visibility changed", name, (where,),
                                           f"{before.visibility} -> {after.visibility}"))
    report.symbols = checked
    _check_aliases(report, ref, out)
    for obj in outputs:  # a thread-local must be referenced as one, and nothing else must
        for name, tls in sorted(obj.references.items()):
            target = out.get(renames.get(name, name))
            if target is not None and target[0].tls != tls and target[0].section_kind != "absolute":
                report.findings.append(Finding("thread-local reference mismatch", name, (obj.name, target[1]),
                                               f"referenced as {'thread-local' if tls else 'ordinary'} data, "
                                               f"defined as {'thread-local' if target[0].tls else 'ordinary'}"))


def _storage(kind: str) -> str:
    """A section kind, with zero-filled and initialised storage of one kind taken as one:
    a constructor the optimiser folds into an initialiser moves its global from bss to
    data in one build and not in the other, and the program is the same."""
    return {"bss": "data", "tbss": "tdata"}.get(kind, kind)


def _check_aliases(report: ProgramReport, ref: dict[str, DefinedSymbol],
                   out: dict[str, tuple[DefinedSymbol, str]]) -> None:
    """Symbols at one address in the reference (an alias and its target) must share an
    address in the partitions too."""
    by_address: dict[tuple[int, int], list[str]] = defaultdict(list)
    for name, sym in ref.items():
        if sym.binding != "local" and sym.size > 0 and sym.section_kind not in ("common", "absolute"):
            by_address[sym.at].append(name)
    for names in by_address.values():
        present = sorted(n for n in names if n in out)
        if len(present) < 2:
            continue
        places = {(out[n][1], out[n][0].at) for n in present}
        if len(places) > 1:
            report.findings.append(Finding("alias separated", present[0], tuple(sorted({out[n][1] for n in present})),
                                           f"{', '.join(present)} share one address in the reference but not here"))


def renames_from_plan(promoted: dict[str, str]) -> dict[str, str]:
    """A plan's promotions (IR name -> new IR name) as partition symbol -> reference symbol."""
    from pcodegen.ir.text import symbol_name

    return {symbol_name(new): symbol_name(old) for old, new in promoted.items()}


def reference_facts(input_path: str | Path, opt: int, cpu: str = "") -> ObjectFacts:
    """Build the serial reference object of `input_path` (as `compile --serial` does)
    and read its facts."""
    from pcodegen.pipeline import CompileOptions, compile_serial

    run = compile_serial(input_path, CompileOptions(parts=1, workers=1, opt=opt, cpu=cpu))
    obj = run.results[0].object
    assert obj is not None
    return object_facts(obj, "serial.o")
