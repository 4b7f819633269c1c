"""The working pipeline on the project's own C samples: every strategy and partition
count gives a program that behaves like the natively built one, and validates clean."""

from __future__ import annotations

import ctypes
import json
import subprocess
from pathlib import Path

import pytest

from conftest import build, needs_clang, run_cli

pytestmark = pytest.mark.slow  # end to end on real modules: `pytest -m "not slow"` leaves it out

PROGRAMS = [s for s in build.sample_names() if not build.is_library(s)]
LIBRARIES = [s for s in build.sample_names() if build.is_library(s)]


@needs_clang
@pytest.mark.parametrize("strategy", ["julia", "round-robin"])
@pytest.mark.parametrize("parts", [1, 2, 3, 4])
def test_programs_behave_like_native_build(sample_modules: dict[str, Path], tmp_path: Path, strategy: str,
                                           parts: int) -> None:
    for name in PROGRAMS:
        bc = sample_modules[name]
        exe = tmp_path / name
        proc = run_cli("compile", bc, "--parts", parts, "--workers", 2, "--strategy", strategy,
                       "--link", "exe", "-o", exe, "--link-arg=-lm")
        assert proc.returncode == 0, proc.stderr
        report = json.loads((tmp_path / f"{name}.parts" / "report.json").read_text())
        assert report["symbols"]["ok"]
        assert len(report["outputs"]) == report["plan"]["parts"] <= parts
        run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert run.stdout == (build.DEFAULT_OUT / f"{name}.expected.txt").read_text()
        check = run_cli("validate", f"{exe}.parts", "--input", bc)
        assert check.returncode == 0, check.stdout + check.stderr


@needs_clang
@pytest.mark.parametrize("parts", [2, 5])
def test_library_exports_agree_with_native(sample_modules: dict[str, Path], tmp_path: Path, parts: int) -> None:
    for name in LIBRARIES:
        lib = tmp_path / f"lib{name}.so"
        proc = run_cli("compile", sample_modules[name], "--parts", parts, "--link", "shared", "-o", lib)
        assert proc.returncode == 0, proc.stderr
        expected = json.loads((build.DEFAULT_OUT / f"{name}.expected.json").read_text())
        dll = ctypes.CDLL(str(lib), mode=ctypes.RTLD_LOCAL | 2)  # RTLD_NOW: every symbol resolved
        for fn_name, cases in expected["cases"].items():
            fn = getattr(dll, fn_name)
            fn.restype, fn.argtypes = ctypes.c_int64, [ctypes.c_int64]
            assert [[a, fn(a)] for a, _ in cases] == cases, fn_name


@needs_clang
def test_bitcode_route_links_partitions_in_one_context(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    name = PROGRAMS[0]
    out = tmp_path / "bc"
    proc = run_cli("compile", sample_modules[name], "--parts", 3, "--combine", "bitcode", "-o", out)
    assert proc.returncode == 0, proc.stderr
    combined = out / "combined.bc"
    assert combined.exists() and not list(out.glob("*.o"))
    exe = tmp_path / "from-combined"
    proc = run_cli("compile", combined, "--serial", "--link", "exe", "-o", exe, "--link-arg=-lm")
    assert proc.returncode == 0, proc.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert run.stdout == (build.DEFAULT_OUT / f"{name}.expected.txt").read_text()
