"""Load stage: the coordinator's two-process cut gives exactly the sequential result,
and a verifier running in a forked helper reports like the in-process one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import SAMPLES, build, needs_clang
from pcodegen.ir import load
from pcodegen.errors import UsageError
from pcodegen.ir.text import cut_points, parse_module_text


@pytest.fixture()
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "PARALLEL_CUT_MIN", 0)


@needs_clang
def test_two_process_cut_matches_sequential(sample_modules: dict[str, Path], always_parallel: None) -> None:
    for name, path in sample_modules.items():
        one = load.load_module(path)
        two = load.load_module(path, jobs=2)
        assert cut_points(one.text)[0] > 0, name
        assert two.ir == one.ir == parse_module_text(one.text), name
        assert [e.order for e in two.ir.entities.values()] == list(range(len(two.ir.entities)))


@needs_clang
def test_two_process_cut_with_debug_info(tmp_path: Path, always_parallel: None) -> None:
    """With -g most of the text is metadata after the last function: the parent files
    it (the child cuts function bodies only), and metadata references still come out right."""
    bc = tmp_path / "registry-g.bc"
    src = SAMPLES / "c" / "registry" / "registry.c"
    subprocess.run([build.find_tool("clang-19"), "-g", "-O1", "-emit-llvm", "-c", str(src), "-o", str(bc)],
                   check=True)
    one = load.load_module(bc)
    at, tail = cut_points(one.text)
    assert 0 < at < tail == one.text.rfind("\n}\n") + 2
    two = load.load_module(bc, jobs=2)
    assert two.ir == one.ir
    assert two.ir.metadata and two.ir.metadata_refs == one.ir.metadata_refs


def test_cut_points_without_functions() -> None:
    text = "@a = global i32 1\n@b = global i32 2\n!0 = !{}\n"
    assert cut_points(text) == (-1, len(text))


def test_three_piece_cut_matches_one_piece() -> None:
    text = ("@a = global i32 1\ndefine i32 @f() {\n  ret i32 0\n}\ndefine i32 @g() {\n  %1 = call i32 @f()\n"
            "  ret i32 %1\n}\ndeclare void @h()\n!llvm.ident = !{!0}\n!0 = !{!\"x\"}\n!1 = !{!0, ptr @a}\n")
    at, tail = cut_points(text)
    assert 0 < at < tail
    first = parse_module_text(text[:at])
    first.extend(parse_module_text(text[at:tail]))
    first.extend(parse_module_text(text[tail:]))
    whole = parse_module_text(text)
    assert first == whole and first.metadata_refs[1] == (frozenset({0}), frozenset({"a"}))


@pytest.mark.parametrize("jobs", [1, 2])
def test_verifier_error_same_with_forked_verifier(tmp_path: Path, jobs: int, always_parallel: None) -> None:
    bad = tmp_path / "bad.ll"
    bad.write_text("define i32 @f(i1 %c) {\nentry:\n  br i1 %c, label %a, label %b\na:\n  %x = add i32 1, 2\n"
                   "  br label %b\nb:\n  ret i32 %x\n}\n")
    with pytest.raises(UsageError, match="fails the LLVM verifier in function @f: Instruction does not dominate"):
        load.load_module(bad, jobs=jobs)


@needs_clang
def test_costs_predicted_while_cutting_equal_the_graphs_own(sample_modules: dict[str, Path],
                                                           always_parallel: None) -> None:
    """Under the model each piece of a parallel cut carries its definitions' predicted
    seconds (the helper's half computed in the helper); the graph uses them and its
    costs are exactly those it computes itself from the texts."""
    from pcodegen.cost import cut_annotation, load_model
    from pcodegen.graph import build_graph

    model = load_model()
    for name, path in sample_modules.items():
        two = load.load_module(path, jobs=2, annotate=cut_annotation("model"))
        one = load.load_module(path)
        assert not one.ir.predicted_s
        assert two.ir.predicted_s == {n: model.text_seconds(e.text) for n, e in two.ir.entities.items()}, name
        g1, g2 = build_graph(one.ir, name, "model"), build_graph(two.ir, name, "model")
        assert [u.cost for u in g1.units] == [u.cost for u in g2.units], name
    assert cut_annotation("size") is None


def test_no_fork_while_a_module_is_being_freed(tmp_path: Path) -> None:
    """A module freed on a thread holds llvmlite's global lock; every fork of the
    process first waits for that thread, so a child never inherits the lock held."""
    from pcodegen.parallel.fork import Forked

    src = tmp_path / "m.ll"
    src.write_text("".join(f"define i32 @f{i}(i32 %x) {{\n  %y = add i32 %x, {i}\n  ret i32 %y\n}}\n"
                           for i in range(2000)))
    mod, _ = load.parse_bytes(src.read_bytes(), str(src))
    load.release_later(mod)
    freeing = list(load._RELEASING)
    assert freeing
    def functions_in_child() -> int:  # LLVM calls in the child
        parsed, _ = load.parse_bytes(src.read_bytes(), str(src))
        try:
            return len(list(parsed.functions))
        finally:
            parsed.close()

    child = Forked(functions_in_child)
    assert not any(t.is_alive() for t in freeing)  # joined before the fork
    outcome = child.outcome(timeout=60)
    child.close()
    assert (outcome.status, outcome.value) == ("ok", 2000)


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_paused_for_the_load_and_restored(sample_modules: dict[str, Path], enabled: bool) -> None:
    """load_and_graph(freeze=True) runs the load and the graph step without garbage
    collection (what they allocate lives for the build) and leaves the collector as it
    found it, also when the load fails."""
    import gc

    from pcodegen import pipeline

    seen: list[bool] = []
    real = pipeline.build_graph

    def spy(*args, **kw):
        seen.append(gc.isenabled())
        return real(*args, **kw)

    (gc.enable if enabled else gc.disable)()
    try:
        pipeline.build_graph, before = spy, gc.isenabled()
        pipeline.load_and_graph(sample_modules["kernels"], pipeline.CompileOptions(), {}, freeze=True)
        assert seen == [False] and gc.isenabled() == before
        with pytest.raises(UsageError):
            pipeline.load_and_graph(Path("/nonexistent/input.bc"), pipeline.CompileOptions(), {}, freeze=True)
        assert gc.isenabled() == before
    finally:
        pipeline.build_graph = real
        gc.unfreeze()
        gc.enable()


def test_metadata_reach_matches_node_by_node_closure() -> None:
    """The split's breadth-first reach (lines joined a level at a time, strings stripped)
    finds what following each node's own references finds: ids inside string literals
    are not references, a quoted global's name is found, and `replaced` nodes take the
    references given for them."""
    from pcodegen.ir.text import metadata_ids, metadata_line_refs

    text = ('@"odd name" = global i32 1\n'
            'define void @f() !dbg !2 {\n  ret void, !dbg !7\n}\n'
            '!llvm.dbg.cu = !{!0}\n'
            '!0 = distinct !{!1, !"see !9"}\n'
            '!1 = !{!"file!8.c"}\n'
            '!2 = distinct !{!0, !3, !4}\n'
            '!3 = !{!5, ptr @"odd name"}\n'
            '!4 = !{!6}\n'
            '!5 = !{}\n'
            '!6 = !{!5}\n'
            '!7 = !{!2}\n'
            '!8 = !{}\n'
            '!9 = !{}\n'
            '!10 = !{!8}\n')
    ir = parse_module_text(text)
    assert ir.entities["f"].metadata == metadata_ids(ir.entities["f"].text) == {2, 7}
    assert metadata_ids('x !"a !1 b" !2, !"!3" !4') == {2, 4}

    def closure(roots: set[int], replaced: dict[int, frozenset[int]]) -> tuple[set[int], set[str]]:
        seen, names, todo = set(), set(), list(roots)
        while todo:
            node = todo.pop()
            if node in seen or (node not in ir.metadata and node not in replaced):
                continue
            seen.add(node)
            ids, globals_ = (replaced[node], frozenset()) if node in replaced else metadata_line_refs(ir.metadata[node])
            names |= globals_
            todo += ids
        return seen, names

    for roots, replaced in (({0}, {}), ({2, 7}, {}), ({2}, {4: frozenset({8})}), ({10, 42}, {})):
        assert ir.metadata_reach(roots, replaced) == closure(roots, replaced), (roots, replaced)
    assert ir.metadata_reach({2}, {}) == ({0, 1, 2, 3, 4, 5, 6}, {'"odd name"'})
