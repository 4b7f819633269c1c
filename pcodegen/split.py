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
    mds = ir.metadata_closure(md_roots)
    for mid in mds:
        refs |= ir.metadata_refs[mid][1]
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
    md_lines = [ir.metadata[m] for m in sorted(mds)]
    if renames:
        md_lines = [rename_tokens(line, renames) for line in md_lines]
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
    the module for free; executors that pickle tasks call `text()` first."""

    ir: IRModule
    plan: Plan
    index: int

    def text(self) -> str:
        return split_partition(self.ir, self.plan, self.index)
