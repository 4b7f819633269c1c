"""Shared fixtures: the sample modules and SQLite bitcode (built once per session with
clang-19, cached under bitcode_samples/build/), and a runner for the real CLI."""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The tests' helpers (`helpers.fuzz`, `helpers.synthetic`) import as `helpers.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent))
SAMPLES = ROOT / "bitcode_samples"


def _load_build():
    spec = importlib.util.spec_from_file_location("pcg_sample_build", SAMPLES / "build.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


build = _load_build()
HAVE_CLANG = shutil.which("clang-19") is not None or (Path("/usr/lib/llvm-19/bin/clang")).exists()
needs_clang = pytest.mark.skipif(not HAVE_CLANG, reason="clang-19 is needed to build the sample bitcode")


def _real_sample(builder, what: str) -> Path:
    """Build a C++/Rust sample, or skip when a tool it needs cannot be had here."""
    try:
        return builder(build.DEFAULT_OUT)
    except build.ToolNotFoundError as e:
        pytest.skip(f"{what}: {e}")


@pytest.fixture(scope="session")
def cpp_sample() -> tuple[Path, list[str]]:
    """(bitcode, link flags) of the C++17 nlohmann/json program (bitcode_samples/cpp/jsonlab)."""
    bc = _real_sample(build.build_cpp, "the C++ sample")
    return bc, build.sample_link_flags(build.DEFAULT_OUT, build.CPP_SAMPLE)


@pytest.fixture(scope="session")
def rust_sample() -> tuple[Path, list[str]]:
    """(bitcode, link flags) of the Rust program with its standard library (bitcode_samples/rust/traitlab)."""
    bc = _real_sample(build.build_rust, "the Rust sample")
    return bc, build.sample_link_flags(build.DEFAULT_OUT, build.RUST_SAMPLE)


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `pcodegen ARGS...` as a real subprocess and capture its output."""
    return subprocess.run([sys.executable, "-m", "pcodegen", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def sample_modules() -> dict[str, Path]:
    """name -> bitcode of each C sample (programs and the library)."""
    if not HAVE_CLANG:
        pytest.skip("clang-19 is needed to build the sample bitcode")
    return build.build_samples(build.DEFAULT_OUT)


@pytest.fixture(scope="session")
def sqlite_bc() -> Path:
    """Whole-program bitcode of SQLite 3.50 and its shell."""
    if not HAVE_CLANG:
        pytest.skip("clang-19 is needed to build the SQLite bitcode")
    return build.build_sqlite(build.DEFAULT_OUT)


@pytest.fixture(scope="session")
def sqlite_link_args() -> list[str]:
    return [f"--link-arg={flag}" for flag in build.native_link_flags()]


@pytest.fixture(scope="session")
def sqlite_script() -> Path:
    return build.SQL_TEST


def run_shell(exe: Path, script: Path) -> str:
    """Run an sqlite3 shell on a script; its stdout (it must exit 0)."""
    with script.open() as fh:
        proc = subprocess.run([str(exe)], stdin=fh, capture_output=True, text=True, timeout=120,
                              cwd=script.parent)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def interruptible() -> None:
    """`preexec_fn` of a child a test interrupts: SIGINT back to its default, so ^C reaches
    it even when the test run itself ignores SIGINT (a run started with `nohup ... &`
    does, and its children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="session")
def sqlite_serial_build(sqlite_bc: Path, sqlite_link_args: list[str], tmp_path_factory: pytest.TempPathFactory):
    """opt level -> the serially built shell (its object in `<shell>.parts/serial.o`),
    built on first use."""
    base = tmp_path_factory.mktemp("serial")

    @functools.cache
    def shell(opt: int) -> Path:
        exe = base / f"sqlite3-O{opt}"
        proc = run_cli("compile", sqlite_bc, "--serial", "--opt", opt, "--link", "exe", "-o", exe, *sqlite_link_args)
        assert proc.returncode == 0, proc.stderr
        return exe

    return shell


@pytest.fixture(scope="session")
def sqlite_serial_output(sqlite_serial_build, sqlite_script: Path):
    """opt level -> output of the serially built shell on the test script (built on first use)."""

    @functools.cache
    def output(opt: int) -> str:
        return run_shell(sqlite_serial_build(opt), sqlite_script)

    return output
