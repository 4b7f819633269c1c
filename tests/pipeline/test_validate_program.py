"""The program-level validator: partitioned builds that differ from the serial build in
behaviour are caught, correct ones pass.

- The C++17 inline-variable case from issue 10 (a keyed `llvm.global_ctors` entry): the
  partitioned program prints the serial output for every strategy and partition count,
  and with the fix undone (test hook) it does not, and `pcodegen validate` says so.
- `tests/data/program_meaning.ll`, broken on purpose in the workers (PCODEGEN_SABOTAGE):
  each break is reported by name; the unbroken build validates clean.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from pcodegen.combine import link_objects
from pcodegen.ir.load import load_module
from pcodegen.partition.compare import strategy_names
from pcodegen.pipeline import CompileOptions, compile_parallel, compile_serial, object_paths, write_outputs
from pcodegen.validate.program import (check_program, object_facts, renames_from_plan, structors_of_ir)

pytestmark = pytest.mark.slow  # end to end on real modules: `pytest -m "not slow"` leaves it out

DATA = Path(__file__).parents[1] / "data"
PROGRAM = DATA / "program_meaning.ll"
INLINE_VARIABLE_CASE = """\
#include <cstdio>
#include <map>
#include <string>
inline std::map<std::string, int> table = {{"one", 1}, {"two", 2}};
int lookup(const std::string &k) { return table.count(k) ? table[k] : -1; }
int main() { std::printf("size %zu one %d three %d\\n", table.size(), lookup("one"), lookup("three")); }
"""
CXX = shutil.which("clang++-19") or "/usr/lib/llvm-19/bin/clang++"
needs_clangxx = pytest.mark.skipif(not Path(CXX).exists(), reason="clang++-19 builds the C++ case")


@pytest.fixture(scope="module")
def inline_variable_bc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("inline-var")
    (work / "x.cpp").write_text(INLINE_VARIABLE_CASE)
    subprocess.run([CXX, "-std=c++17", "-O0", "-Xclang", "-disable-O0-optnone", "-fPIC", "-emit-llvm", "-c",
                    "x.cpp", "-o", "x.bc"], cwd=work, check=True)
    return work / "x.bc"


def _run(exe: Path) -> str:
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _build(src: Path, out: Path, link_args: list[str], **options) -> tuple[str, list[Path], object]:
    """Compile `src` (serially when parts is 0), link an executable, run it."""
    if options.get("parts") == 0:
        run = compile_serial(src, CompileOptions())
    else:
        run = compile_parallel(src, CompileOptions(workers=2, **options))
        assert run.symbols is not None and run.symbols.ok, run.symbols.lines()
    write_outputs(run, out)
    objs = object_paths(out)
    exe = link_objects(objs, out.with_suffix(".exe"), "exe", link_args)
    return _run(exe), objs, run


@needs_clangxx
def test_inline_variable_case_every_strategy_and_partition_count(inline_variable_bc: Path, tmp_path: Path) -> None:
    serial, ref_objs, _ = _build(inline_variable_bc, tmp_path / "serial", ["-lstdc++"], parts=0)
    assert serial == "size 2 one 1 three -1\n"
    reference = [object_facts(p.read_bytes(), p.name) for p in ref_objs]
    declared = structors_of_ir(load_module(inline_variable_bc).ir)
    for strategy in strategy_names():
        for parts in [*range(1, 9), None]:
            out = tmp_path / f"{strategy}-{parts or 'auto'}"
            got, objs, run = _build(inline_variable_bc, out, ["-lstdc++"], parts=parts, strategy=strategy)
            assert got == serial, (strategy, parts)
            report = check_program(reference, [object_facts(p.read_bytes(), p.name) for p in objs],
                                   renames_from_plan(run.plan.promoted), declared,
                                   {f for r in run.results for f in r.folded_structors})
            assert report.ok, (strategy, parts, report.lines())
            shutil.rmtree(out)


@needs_clangxx
def test_validator_reports_the_original_bug_when_the_fix_is_undone(inline_variable_bc: Path, tmp_path: Path) -> None:
    exe = tmp_path / "broken"
    env = {"PCODEGEN_SABOTAGE": "structor-keys"}
    proc = run_cli("compile", inline_variable_bc, "--parts", 3, "--strategy", "round-robin", "--link", "exe",
                   "-o", exe, "--link-arg=-lstdc++", env=env)
    assert proc.returncode == 0, proc.stderr
    assert _run(exe) == "size 0 one -1 three -1\n"  # the bug as first reported
    symbols_only = run_cli("validate", f"{exe}.parts", "--input", inline_variable_bc, "--symbols-only")
    assert symbols_only.returncode == 0  # names alone cannot see it
    check = run_cli("validate", f"{exe}.parts", "--input", inline_variable_bc)
    assert check.returncode == 1
    assert "constructor lost: __cxx_global_var_init" in check.stdout
    assert "keyed on _Z5tableB5cxx11" in check.stdout


@pytest.fixture(scope="module")
def program_serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("pm") / "serial"
    proc = run_cli("compile", PROGRAM, "--serial", "--link", "exe", "-o", out)
    assert proc.returncode == 0, proc.stderr
    return _run(out), out.with_name("serial.parts") / "serial.o"


def test_program_case_validates_clean_and_behaves(program_serial: tuple[str, Path], tmp_path: Path) -> None:
    expected, reference = program_serial
    assert expected.startswith("ctor 9\nctor 1\nctor 2\nctor 3\nctor 4\n")
    for strategy in ("round-robin", "pcodegen", "julia"):
        exe = tmp_path / strategy
        proc = run_cli("compile", PROGRAM, "--parts", 4, "--strategy", strategy, "--link", "exe", "-o", exe)
        assert proc.returncode == 0, proc.stderr
        assert _run(exe) == expected
        for ref in ([], ["--reference", reference]):
            check = run_cli("validate", f"{exe}.parts", "--input", PROGRAM, *ref)
            assert check.returncode == 0, check.stdout + check.stderr
            assert "6 constructor/destructor entries, 1 comdat groups" in check.stdout


BREAKS = {
    "drop-ctor": "constructor lost: early",
    "reorder-ctors": "constructors reordered: first",
    "duplicate-comdat": "comdat duplicated: inline_var",
    "writable-constant": "section kind changed: table",
    "non-tls": "thread-local lost: counter",
    "structor-keys": "constructor lost: init_inline",
}


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_each_break_is_reported(kind: str, program_serial: tuple[str, Path], tmp_path: Path) -> None:
    _, reference = program_serial
    out = tmp_path / "out"
    proc = run_cli("compile", PROGRAM, "--parts", 4, "--strategy", "round-robin", "-o", out,
                   env={"PCODEGEN_SABOTAGE": kind})
    assert proc.returncode == 0, proc.stderr
    check = run_cli("validate", out, "--input", PROGRAM, "--reference", reference)
    assert check.returncode == 1, check.stdout
    assert BREAKS[kind] in check.stdout, check.stdout
    assert "(in part-" in check.stdout or "in no partition" in check.stdout  # names where


def test_validate_against_another_input_is_one_line(program_serial: tuple[str, Path], tmp_path: Path) -> None:
    _, reference = program_serial
    other = tmp_path / "other.ll"
    other.write_text(PROGRAM.read_text().replace("i64 11]", "i64 13]"))
    check = run_cli("validate", reference.parent, "--input", other)
    assert check.returncode == 2
    assert len(check.stderr.strip().splitlines()) == 1 and "different module" in check.stderr
    assert check.stdout == ""
