"""Real C++ and Rust programs through the whole pipeline: a C++17 program on nlohmann/json
(comdats, inline variables, vtables with virtual bases, exceptions across files, ordered
dynamic initialisation, thread_local) and a Rust program with its whole standard library
(fat LTO).  Every partitioning strategy, at several partition counts, must give a program
that prints exactly what the serial build and the native build print, and whose objects
`pcodegen validate` accepts.

The matrix compiles at --opt 0: the point is symbol resolution and behaviour across the
cut, and O0 keeps 60 partitioned builds affordable on two cores (about 4 minutes in all;
the 20 at 2 partitions, about 1.5 minutes, are not marked slow)."""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

import pytest

from conftest import build, run_cli
from pcodegen.partition.compare import strategy_names

pytestmark = pytest.mark.slow  # end to end on real modules: `pytest -m "not slow"` leaves it out

OPT = 0
STRATEGIES = strategy_names()
# Every strategy at 2, 8 and auto partitions (about 4 minutes on two cores).
PARTS = ["2", "8", "auto"]
SAMPLES = {"cpp": build.CPP_SAMPLE, "rust": build.RUST_SAMPLE}

# pcodegen bugs these samples may still expose: kind -> reason (expected failures). The
# three they found (keyed constructors run late under .ctors, function-typed aliases
# declared as variables, std's explicit .init_array entry taken for an added constructor)
# are fixed; keep this empty unless a new one is being worked on.
KNOWN_BUGS: dict[str, str] = {}


def _known(kind: str):
    reason = KNOWN_BUGS.get(kind)
    return [pytest.mark.xfail(reason=reason, raises=AssertionError, strict=False)] if reason else []


def _sample(kind: str, request: pytest.FixtureRequest) -> tuple[Path, list[str]]:
    return request.getfixturevalue(f"{kind}_sample")


def _run(exe: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=120, cwd=exe.parent)


def _compile(bc: Path, exe: Path, flags: list[str], *args) -> subprocess.CompletedProcess:
    return run_cli("compile", bc, *args, "--opt", OPT, "--link", "exe", "-o", exe, "-q",
                   *[f"--link-arg={f}" for f in flags])


@pytest.fixture(scope="session")
def serial_output(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    """kind -> (compile result, run result, object) of the serial reference build, built on
    first use."""
    base = tmp_path_factory.mktemp("serial-real")

    @functools.cache
    def output(kind: str) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess | None, Path]:
        bc, flags = _sample(kind, request)
        exe = base / f"{SAMPLES[kind]}-serial"
        proc = _compile(bc, exe, flags, "--serial")
        return proc, (_run(exe) if proc.returncode == 0 else None), Path(f"{exe}.parts") / "serial.o"

    return output


def _expected(kind: str) -> str:
    return (build.DEFAULT_OUT / f"{SAMPLES[kind]}.expected.txt").read_text()


@pytest.mark.parametrize("kind", [pytest.param(k, marks=_known(k) if k == "cpp" else []) for k in SAMPLES])
def test_serial_build_matches_native(kind: str, serial_output) -> None:
    proc, run, _ = serial_output(kind)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert run is not None and run.returncode == 0, run.stderr[-3000:] if run else ""
    assert run.stdout == _expected(kind)


def test_rustc_bitcode_is_read_as_rustc_wrote_it(rust_sample: tuple[Path, list[str]], tmp_path: Path) -> None:
    """llvmlite reads rustc 1.63's own LLVM 14 bitcode (typed pointers, debug info it drops),
    not only the stripped copy the matrix uses, and builds the same program from it."""
    bc, flags = rust_sample
    raw = bc.with_name(f"{build.RUST_SAMPLE}.rustc.bc")
    graph = run_cli("graph", raw, "--json")
    assert graph.returncode == 0, graph.stderr[-3000:]
    exe = tmp_path / "from-rustc-bc"
    proc = _compile(raw, exe, flags, "--serial")
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = _run(exe)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout == _expected("rust")


def test_link_flags_are_recorded_with_the_samples(cpp_sample, rust_sample) -> None:
    for kind, (bc, flags) in (("cpp", cpp_sample), ("rust", rust_sample)):
        doc = json.loads(build.link_flags_path(bc.parent, SAMPLES[kind]).read_text())
        assert doc["link_args"] == flags and flags, kind
    assert cpp_sample[1] == ["-lstdc++", "-lm"]
    assert Path(rust_sample[1][0]).name.startswith("libcompiler_builtins-") and "-lgcc_s" in rust_sample[1]


@pytest.mark.parametrize("parts", PARTS)
@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("kind", [pytest.param(k, marks=_known(k)) for k in SAMPLES])
def test_partitioned_build_behaves_like_serial_and_native(kind: str, strategy: str, parts: str, serial_output,
                                                          request: pytest.FixtureRequest, tmp_path: Path) -> None:
    bc, flags = _sample(kind, request)
    exe = tmp_path / SAMPLES[kind]
    proc = _compile(bc, exe, flags, "--parts", parts, "--workers", 2, "--strategy", strategy)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((tmp_path / f"{SAMPLES[kind]}.parts" / "report.json").read_text())
    if parts != "auto":
        assert len(report["outputs"]) == report["plan"]["parts"] <= int(parts)
    run = _run(exe)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout == _expected(kind)
    _, serial, serial_object = serial_output(kind)
    assert serial is not None and run.stdout == serial.stdout
    # Against the serial build's object: what validate would build again without
    # --reference (the same input at the same --opt; tests/pipeline/test_validate*.py
    # cover that route).
    check = run_cli("validate", f"{exe}.parts", "--input", bc, "--reference", serial_object)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
