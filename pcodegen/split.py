"""Split stage: one self-contained IR module per partition.

Each partition's module holds the definitions it owns, a declaration for every other
global value its definitions (or their metadata) reference, all type definitions and
attribute groups, and only the metadata its definitions reach. Locals used across
partitions become hidden globals under the plan's new names; discardable definitions
used elsewhere (linkonce) become weak so the owner keeps them. Work here is one pass
over the text, so each worker then parses only its own partition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from pcodegen import sabotage
from pcodegen.graph import PER_PARTITION, module_asm_anchors
from pcodegen.ir.text import (STRUCTOR_LISTS, IRModule, declaration_for, lower_structors, relink, rename_asm, rename_tokens,
                     symbol_name)
from pcodegen.partition import Plan


def _per_partition_global(ir: IRModule, name: str, members: set[str],
                          renames: dict[str, str] | None = None) -> str | None:
    """`llvm.used`-style arrays, cut down to the symbols this partition defines."""
    ent = ir.entities[name]
    kept = [r for r in ent.refs if r in members]
    if not kept:
        return None
    section = ', section "llvm.metadata"' if 'section "llvm.metadata"' in ent.text else ""
    renames = renames or {}
    elems = ", ".join(f"ptr @{renames.get(r, r)}" for r in sorted(kept, key=lambda r: ir.entities[r].order))
    return f"@{name} = appending global [{len(kept)} x ptr] [{elems}]{section}"


def _module_asm(ir: IRModule, plan: Plan, p: int, members: set[str]) -> list[str]:
    """The module asm if partition `p` holds it: the one owning the definitions it must
    stay with (see graph.module_asm_anchors), else partition 0; promoted locals it names
    are renamed in it as everywhere else."""
    if not ir.module_asm:
        return []
    anchors = module_asm_anchors(ir)
    if not (anchors & members if anchors else p == 0):
        return []
    renames = {symbol_name(n): symbol_name(plan.promoted[n]) for n in anchors if n in plan.promoted}
    return rename_asm(ir.module_asm, renames)


_UNIT_LISTS = re.compile(r"\b(enums|retainedTypes|globals|imports): !(\d+)")
_LIST_ITEMS = re.compile(r"!(\d+)")


def _trimmed_unit_lists(ir: IRModule, p: int, names: list[str] | set[str]) -> dict[int, list[int]]:
    """The compile units' lists each partition keeps, as {list node id: kept items}.

    A `DICompileUnit` lists the module's global variables (`globals:`), enum and
    retained types and imported entities; every object that carries the unit emits all
    of them. Split unchanged, each partition would carry the whole list and every type
    it reaches (on SQLite with -g 1.5 MB of metadata, half of a partition's text). So a
    partition keeps the global variables it defines (DWARF emits a variable only from
    its unit's list, so each is still described, once, by its owner), and partition 0
    keeps the other lists whole, and the listed variables no definition carries (folded
    constants). `names` includes the private copies of constants the partition gets.
    Together the objects describe what the serial object describes."""
    out: dict[int, list[int]] = {}
    own_md: set[int] | None = None
    for line in ir.named_metadata:
        if not line.startswith("!llvm.dbg.cu = "):
            continue
        for cu in _LIST_ITEMS.findall(line.split(" = ", 1)[1]):
            unit = ir.metadata.get(int(cu), "")
            for kind, lid in _UNIT_LISTS.findall(unit):
                list_line = ir.metadata.get(int(lid), "")
                items = [int(i) for i in _LIST_ITEMS.findall(list_line.split(" = ", 1)[1])] if list_line else []
                if kind != "globals":
                    out[int(lid)] = items if p == 0 else []
                    continue
                if own_md is None:
                    own_md = set()
                    for n in names:
                        ent = ir.entities[n]
                        if ent.kind == "variable" and "!dbg" in ent.text:
                            own_md |= ent.metadata
                if p == 0:
                    attached = ir.variable_metadata()
                    out[int(lid)] = [i for i in items if i in own_md or i not in attached]
                else:
                    out[int(lid)] = [i for i in items if i in own_md]
    return out


def split_partition(ir: IRModule, plan: Plan, p: int) -> str:
    """The text of partition `p`'s module."""
    renames = plan.promoted
    names = plan.members[p]
    broken = sabotage.kinds()  # test hooks, normally none
    if "duplicate-comdat" in broken:
        names = [*names, *(n for n in sabotage.duplicated_comdat_members(ir) if n not in names)]
    member_set = set(names)
    body: list[str] = []
    refs: set[str] = set()
    md_roots = {int(x) for line in ir.named_metadata for x in re.findall(r"!(\d+)", line)}
    comdats: set[str] = set()
    for name in names:
        ent = ir.entities[name]
        text = ent.text
        if name in renames:
            text = relink(text, "external", "hidden")
        elif name in plan.weakened:
            text = relink(text, plan.weakened[name], ent.visibility)
        ent_refs = ent.all_refs()
        if name in renames or any(r in renames for r in ent_refs):
            text = rename_tokens(text, renames)
        if broken:
            text = sabotage.mutate(broken, ir, name, text)
        body.append(text)
        refs |= ent_refs
        md_roots |= ent.metadata
        if ent.comdat:
            comdats.add(ent.comdat)
    for special in sorted(PER_PARTITION & set(ir.entities)):
        line = _per_partition_global(ir, special, member_set, renames)
        if line:
            body.append(line)
    trimmed = _trimmed_unit_lists(ir, p, member_set | {r for r in refs - member_set if r in plan.duplicated})
    replaced = {mid: frozenset(items) for mid, items in trimmed.items()}
    mds: set[int] = set()
    while True:  # private copies of constants bring their own metadata (and it may name more)
        copies = {r for r in refs - member_set if r in plan.duplicated}
        for r in copies:
            md_roots |= ir.entities[r].metadata
        new, named = ir.metadata_reach(md_roots - mds, replaced)
        new -= mds
        mds |= new
        refs |= named
        if not new or {r for r in refs - member_set if r in plan.duplicated} <= copies:
            break
    decls = []
    for r in sorted(refs - member_set - PER_PARTITION,
                    key=lambda r: (ir.entities[r].order if r in ir.entities else -1, r)):
        ent = ir.entities.get(r)
        if r in plan.duplicated:
            body.append(ent.text)  # a private copy of a local constant
        elif ent is not None:  # defined, owned by another partition
            vis = "hidden" if r in renames else ent.visibility
            decls.append(declaration_for(ent, renames.get(r, r), vis))
        elif r in ir.declarations:
            decls.append(ir.declarations[r].text)
    md_ids = sorted(mds)
    md_lines = ir.metadata.lines([m for m in md_ids if m not in trimmed])
    if renames:
        md_lines = [rename_tokens(line, renames) if "@" in line else line for line in md_lines]
    if trimmed:  # the rewritten unit lists go back in id order
        rest = iter(md_lines)
        md_lines = [f"!{m} = !{{{', '.join(f'!{i}' for i in trimmed[m])}}}" if m in trimmed else next(rest)
                    for m in md_ids]
    parts = [
        *ir.header,
        *_module_asm(ir, plan, p, member_set),
        *ir.types,
        *(ir.comdats[c] for c in sorted(comdats) if c in ir.comdats),
        *body,
        *decls,
        *ir.attributes,
        *ir.named_metadata,
        *md_lines,
    ]
    text = "\n".join(parts) + "\n"
    if member_set.intersection(STRUCTOR_LISTS):
        text = lower_structors(text)
    return text


def split_module(ir: IRModule, plan: Plan) -> list[str]:
    """The text of each partition's module, in plan order."""
    return [split_partition(ir, plan, p) for p in range(plan.parts)]


@dataclass
class PartitionSource:
    """A partition not yet cut out: the worker calls `text()`, so the split runs in
    parallel and each worker touches only its own definitions. Forked workers inherit
    the module for free; executors that pickle tasks call `text()` first. `plan` may be
    a function that makes the plan: then the worker makes it (the pipeline's provisional
    plan for the partitions started before the plan)."""

    ir: IRModule
    plan: Plan | Callable[[], Plan]
    index: int

    def text(self) -> str:
        return split_partition(self.ir, self.plan() if callable(self.plan) else self.plan, self.index)
