"""Load stage: the coordinator's two-process cut gives exactly the sequential result,
and a verifier running in a forked helper reports like the in-process one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import SAMPLES, build, needs_clang
from pcodegen.ir import load
from pcodegen.errors import UsageError
from pcodegen.ir.text import parse_module_text, split_point


@pytest.fixture()
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "PARALLEL_CUT_MIN", 0)


@needs_clang
def test_two_process_cut_matches_sequential(sample_modules: dict[str, Path], always_parallel: None) -> None:
    for name, path in sample_modules.items():
        one = load.load_module(path)
        two = load.load_module(path, jobs=2)
        assert split_point(one.text) > 0, name
        assert two.ir == one.ir == parse_module_text(one.text), name
        assert [e.order for e in two.ir.entities.values()] == list(range(len(two.ir.entities)))


@needs_clang
def test_two_process_cut_with_debug_info(tmp_path: Path, always_parallel: None) -> None:
    """With -g most of the text is metadata after the last function: the cut falls
    there, and metadata references still come out right."""
    bc = tmp_path / "registry-g.bc"
    src = SAMPLES / "c" / "registry" / "registry.c"
    subprocess.run([build.find_tool("clang-19"), "-g", "-O1", "-emit-llvm", "-c", str(src), "-o", str(bc)],
                   check=True)
    one = load.load_module(bc)
    at = split_point(one.text)
    assert at > one.text.rfind("\n}\n")  # inside the trailing metadata
    two = load.load_module(bc, jobs=2)
    assert two.ir == one.ir
    assert two.ir.metadata and two.ir.metadata_refs == one.ir.metadata_refs


def test_split_point_without_functions() -> None:
    text = "@a = global i32 1\n@b = global i32 2\n!0 = !{}\n"
    at = split_point(text)
    first, second = parse_module_text(text[:at]), parse_module_text(text[at:])
    first.extend(second)
    assert first == parse_module_text(text)


@pytest.mark.parametrize("jobs", [1, 2])
def test_verifier_error_same_with_forked_verifier(tmp_path: Path, jobs: int, always_parallel: None) -> None:
    bad = tmp_path / "bad.ll"
    bad.write_text("define i32 @f(i1 %c) {\nentry:\n  br i1 %c, label %a, label %b\na:\n  %x = add i32 1, 2\n"
                   "  br label %b\nb:\n  ret i32 %x\n}\n")
    with pytest.raises(UsageError, match="fails the LLVM verifier in function @f: Instruction does not dominate"):
        load.load_module(bad, jobs=jobs)
