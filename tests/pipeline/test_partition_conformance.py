"""Conformance: every strategy on every case in tests/conformance/*.ll, at 2 and 3
partitions, must give partitions that verify on their own, own each definition once,
link back to the original definitions, and compile to objects whose symbols resolve.

The cases cover what LLVM's llvm-split tests cover: aliases with their aliasee, comdat
members together, blockaddress users together, personality functions, globals that
reference each other, internals externalised as hidden, locals kept with their users,
mutual recursion and call chains of internals, llvm.global_ctors and module asm in
exactly one partition, unnamed and quoted globals, ifuncs with their resolver.
"""

from __future__ import annotations

import re
from pathlib import Path

import llvmlite.binding as llvm
import pytest

from pcodegen.ir.compile import CompileTask, compile_task
from pcodegen.ir.parse import init_llvm
from pcodegen.graph import PER_PARTITION, build_graph
from pcodegen.ir.text import LOWERED_PREFIX, STRUCTOR_LISTS, parse_module_text, symbol_name
from pcodegen.ir.load import load_module
from pcodegen.partition import partition
from pcodegen.partition.compare import strategy_names
from pcodegen.split import split_module
from pcodegen.validate.symbols import check_symbols, symbols_of_ir, symbols_of_object

CASES = sorted((Path(__file__).parents[1] / "conformance").glob("*.ll"))
STRATEGIES = strategy_names()
_LOADED: dict[Path, object] = {}


def _load(path: Path):
    if path not in _LOADED:
        loaded = load_module(path)
        _LOADED[path] = (loaded, build_graph(loaded.ir, str(path)))
    return _LOADED[path]


def _definitions(text: str) -> dict[str, object]:
    return {n: e for n, e in parse_module_text(text).entities.items() if n not in PER_PARTITION}


def test_cases_exist():
    names = {p.stem for p in CASES}
    assert {"alias", "comdat", "blockaddress", "personality", "globals", "internals", "recursion",
            "ctors"} <= names


@pytest.mark.parametrize("parts", [2, 3])
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_conformance(case: Path, strategy: str, parts: int):
    init_llvm()
    loaded, graph = _load(case)
    ir = loaded.ir
    plan = partition(graph, parts, strategy, parts)
    assert 1 <= plan.parts <= parts

    # must-stay-together groups are never split
    owner = plan.assignment
    for unit in graph.units:
        assert len({owner[m] for m in unit.members}) == 1, unit.members

    texts = split_module(ir, plan)
    assert len(texts) == plan.parts

    # each partition verifies on its own, in its own context
    for text in texts:
        mod = llvm.parse_assembly(text, context=llvm.create_context())
        mod.verify()

    # each definition is owned by exactly one partition (duplicated local constants are
    # private copies in their users' partitions)
    renames = plan.promoted
    seen: dict[str, int] = {}
    lowered_in: set[int] = set()  # partitions whose structor lists became explicit .init_array entries
    for p, text in enumerate(texts):
        defs = set(_definitions(text))
        own = {renames.get(n, n) for n in plan.members[p]}
        if any(d.strip('"').startswith(LOWERED_PREFIX) for d in defs):
            lowered_in.add(p)
            defs = {d for d in defs if not d.strip('"').startswith(LOWERED_PREFIX)}
            own -= set(STRUCTOR_LISTS)
        copies = {n for n, users in plan.duplicated.items() if p in users}
        assert defs == own | copies, (p, defs ^ (own | copies))
        for n in own:
            assert n not in seen, f"{n} defined in partitions {seen[n]} and {p}"
            seen[n] = p
    original = {n: e for n, e in _definitions(loaded.text).items() if not (lowered_in and n in STRUCTOR_LISTS)}
    assert set(seen) == {renames.get(n, n) for n in original}

    # llvm.global_ctors / dtors and module asm live in exactly one partition
    for special in ("llvm.global_ctors", "llvm.global_dtors"):
        if special in ir.entities:
            assert sum(f"@{special} = " in t or p in lowered_in for p, t in enumerate(texts)) == 1
    if ir.module_asm:
        assert sum(bool(re.search(r"^module asm ", t, re.M)) for t in texts) == 1

    # linking all partitions together gives back the original definitions
    ctx = llvm.create_context()
    mods = [llvm.parse_assembly(t, context=ctx) for t in texts]
    linked = mods[0]
    for m in mods[1:]:
        linked.link_in(m)
    linked.verify()
    after = _definitions(str(linked))
    # Unnamed globals (@0) get renumbered by every module; count them instead.
    unnamed = [n for n in original if n.isdigit() and n not in renames]
    assert len([n for n in after if n.isdigit()]) >= len(unnamed)
    # IR linking copies a discardable definition (local, linkonce, available_externally)
    # only where something references it, as code generation emits it only then.
    referenced = {r for e in parse_module_text(loaded.text).entities.values() for r in e.all_refs()}
    discardable = {"internal", "private", "linkonce", "linkonce_odr", "available_externally"}
    for name, ent in original.items():
        if name in unnamed or (ent.linkage in discardable and name not in referenced and name not in after):
            continue
        if ent.linkage == "available_externally" and name not in after:
            continue  # its users' partitions declare it; its own may drop the unused body
        new = renames.get(name, name)
        assert new in after, f"{name} lost in the linked module"
        got = after[new]
        assert got.kind == ent.kind
        if ent.kind == "function":
            assert (got.instructions, got.blocks) == (ent.instructions, ent.blocks), name
        if name in renames:
            assert (got.linkage, got.visibility) == ("external", "hidden")
        elif name in plan.weakened:  # kept alive for the partitions that use it
            assert got.linkage in (ent.linkage, plan.weakened[name]), name
        else:
            assert got.linkage == ent.linkage, name
    extra = {n for n in after if not n.isdigit() and not n.strip('"').startswith(LOWERED_PREFIX)}
    extra -= {renames.get(n, n) for n in original}
    # the linker renames private copies of duplicated constants apart (`.str.1`)
    assert len(extra) <= sum(len(users) for users in plan.duplicated.values()), extra
    for ctor in ("llvm.global_ctors", "llvm.global_dtors"):
        if ctor in ir.entities and not lowered_in:
            assert f"@{ctor} = " in str(linked)

    # each partition compiles; the objects together resolve every symbol
    outputs = {}
    for p, text in enumerate(texts):
        res = compile_task(CompileTask(p, f"part-{p:03d}", text, opt=0))
        outputs[f"part-{p:03d}.o"] = symbols_of_object(res.object, f"part-{p:03d}")
    report = check_symbols(symbols_of_ir(ir), outputs, {symbol_name(v) for v in renames.values()})
    assert report.ok, report.lines()
