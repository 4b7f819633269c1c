"""Bad input: one line on stderr, exit status 2, no traceback, and no output left behind."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import needs_clang, run_cli

VERIFIER_FAIL = """define i32 @f(i1 %c) {
entry:
  br i1 %c, label %a, label %b
a:
  %x = add i32 1, 2
  br label %b
b:
  ret i32 %x
}
"""
GOOD = "define i32 @f(i32 %x) {\n  %y = add i32 %x, 1\n  ret i32 %y\n}\n"


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str, code: int = 2) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("pcodegen: error: ") or lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in proc.stderr
    for frag in fragments:
        assert frag in lines[0], (frag, lines[0])


def assert_no_output(tmp_path: Path, out: Path) -> None:
    assert not out.exists()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}")]
    assert not leftovers, leftovers


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("garbage.ll", b"this is not IR\n", "malformed IR: line 1:1"),
        ("binary.bin", bytes(range(256)) * 4, "neither LLVM IR text nor bitcode"),
        ("bad-type.ll", b"define i32 @f() {\n  ret i64 0\n}\n", "doesn't match function result type"),
        ("verifier.ll", VERIFIER_FAIL.encode(), "fails the LLVM verifier: Instruction does not dominate"),
        ("empty.ll", b"", "defines no functions or globals (nothing)"),
        ("decls.ll", b"declare i32 @puts(ptr)\n@x = external global i32\n", "only declarations"),
    ],
)
def test_bad_module(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    out = tmp_path / "out"
    for cmd in (["compile", src, "-o", out], ["compile", src, "--serial", "-o", out], ["graph", src]):
        assert_one_line_error(run_cli(*cmd), fragment)
    assert_no_output(tmp_path, out)


@needs_clang
def test_truncated_bitcode(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    data = sample_modules["kernels"].read_bytes()
    src = tmp_path / "truncated.bc"
    src.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    assert_one_line_error(run_cli("compile", src, "-o", out), "truncated.bc: malformed bitcode")
    assert_no_output(tmp_path, out)


def test_missing_and_unreadable(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert_one_line_error(run_cli("compile", tmp_path / "nope.bc", "-o", out), "nope.bc: no such file")
    assert_one_line_error(run_cli("compile", tmp_path, "-o", out), "is a directory")
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.ll"
        locked.write_text(GOOD)
        locked.chmod(0)
        assert_one_line_error(run_cli("compile", locked, "-o", out), "cannot read")
    assert_no_output(tmp_path, out)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--parts", "0"], "--parts must be at least 1, got 0"),
        (["--parts", "-3"], "--parts must be at least 1, got -3"),
        (["--workers", "0"], "--workers must be at least 1, got 0"),
        (["--workers", "-2"], "--workers must be at least 1, got -2"),
        (["--strategy", "no-such"], "unknown strategy 'no-such'"),
        (["--opt", "7"], "--opt must be 0 to 3"),
        (["--timeout", "0"], "--timeout must be positive"),
        (["--inject-fault", "x:boom"], "expected PART:KIND"),
        (["--parts", "many"], "'many' is neither a whole number nor 'auto'"),
        (["--opt", "x"], "'x' is not a valid integer"),
        (["--no-such-option"], "No such option '--no-such-option'"),
        (["--combine", "glue"], "'glue' is not one of"),
    ],
)
def test_bad_settings(tmp_path: Path, args: list[str], fragment: str) -> None:
    src = tmp_path / "good.ll"
    src.write_text(GOOD)
    out = tmp_path / "out"
    assert_one_line_error(run_cli("compile", src, "-o", out, *args), fragment)
    assert_no_output(tmp_path, out)


def test_more_partitions_than_definitions(tmp_path: Path) -> None:
    src = tmp_path / "good.ll"
    src.write_text(GOOD + "@g = global i32 1\n")
    out = tmp_path / "out"
    proc = run_cli("compile", src, "--parts", "16", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.glob("*.o")) == ["part-000.o", "part-001.o"]
    assert "14 of 16 partitions would be empty" in proc.stdout


def test_output_directory_is_a_file(tmp_path: Path) -> None:
    src = tmp_path / "good.ll"
    src.write_text(GOOD)
    out = tmp_path / "out"
    out.write_text("precious")
    assert_one_line_error(run_cli("compile", src, "-o", out), "exists and is not a directory")
    assert out.read_text() == "precious"


@pytest.fixture
def full_disk(tmp_path: Path):
    """A 64 KiB tmpfs filled to all but 2 KiB."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        (mnt / "filler").write_bytes(b"\0" * (62 * 1024))
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


@needs_clang
def test_full_disk(sample_modules: dict[str, Path], full_disk: Path) -> None:
    out = full_disk / "out"
    proc = run_cli("compile", sample_modules["exprcalc"], "--parts", "3", "-o", out)
    assert_one_line_error(proc, "No space left on device")
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]


@pytest.mark.parametrize(
    "doc, fragment",
    [
        ({"format": "pcodegen-workload", "version": 1, "objects": [],
          "code_instances": [{"id": 0, "name": "f", "size": 10, "callees": [3]}]}, "dangling callee 3"),
        ({"format": "something-else"}, "not a workload"),
        ([1, 2, 3], "a workload must be a JSON object"),
    ],
)
def test_bad_workload(tmp_path: Path, doc: object, fragment: str) -> None:
    import json

    src = tmp_path / "w.json"
    src.write_text(json.dumps(doc))
    out = tmp_path / "module.bc"
    assert_one_line_error(run_cli("emit", src, "-o", out), fragment)
    assert_no_output(tmp_path, out)
    assert_one_line_error(run_cli("partition", src, "--parts", "2"), fragment)


@pytest.mark.parametrize("args, fragment", [
    (["compile"], "Missing argument 'INPUT'"),
    (["experiment", "approach9"], "'approach9' is not one of"),
    (["no-such-command"], "No such command 'no-such-command'"),
])
def test_click_usage_errors_are_one_line(args: list[str], fragment: str) -> None:
    assert_one_line_error(run_cli(*args), fragment)
