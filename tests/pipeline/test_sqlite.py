"""The Done-when of the backbone: a parallel-built sqlite3 shell behaves exactly like the
serially built one, for every partition count and strategy."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import needs_clang, run_cli, run_shell

pytestmark = pytest.mark.slow  # end to end on real modules: `pytest -m "not slow"` leaves it out


@needs_clang
@pytest.mark.parametrize("strategy", ["julia", "round-robin"])
@pytest.mark.parametrize("parts", [1, 2, 3, 4, 8])
def test_parallel_shell_matches_serial_O0(sqlite_bc: Path, sqlite_link_args: list[str], sqlite_script: Path,
                                          sqlite_serial_output, sqlite_serial_build, tmp_path: Path, strategy: str,
                                          parts: int) -> None:
    exe = tmp_path / "sqlite3"
    proc = run_cli("compile", sqlite_bc, "--parts", parts, "--workers", 2, "--strategy", strategy, "--opt", 0,
                   "--link", "exe", "-o", exe, *sqlite_link_args)
    assert proc.returncode == 0, proc.stderr
    assert run_shell(exe, sqlite_script) == sqlite_serial_output(0)
    # Against the serial build's object, which validate would otherwise build again.
    reference = Path(f"{sqlite_serial_build(0)}.parts") / "serial.o"
    check = run_cli("validate", f"{exe}.parts", "--input", sqlite_bc, "--reference", reference)
    assert check.returncode == 0, check.stdout


@needs_clang
def test_parallel_shell_matches_serial_O2(sqlite_bc: Path, sqlite_link_args: list[str], sqlite_script: Path,
                                          sqlite_serial_output, tmp_path: Path) -> None:
    exe = tmp_path / "sqlite3"
    proc = run_cli("compile", sqlite_bc, "--parts", 3, "--workers", 2, "--opt", 2, "--link", "exe", "-o", exe,
                   *sqlite_link_args)
    assert proc.returncode == 0, proc.stderr
    out = run_shell(exe, sqlite_script)
    assert out == sqlite_serial_output(2)
    assert len(out.splitlines()) > 100
