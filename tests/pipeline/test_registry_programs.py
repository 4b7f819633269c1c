"""Real C programs from the package registries through the whole pipeline: the Lua 5.4
interpreter (from the pinned lupa sdist) running bitcode_samples/lua_test.lua, and the
Brotli library (from the pinned brotli sdist) under bitcode_samples/brotli_driver.c.
pcodegen wrote neither: each is built by `bitcode_samples/build.py lua|brotli`, compiled in
four partitions at --opt 2, linked with the flags recorded next to its bitcode, and run on
its fixed workload, which must print exactly what the native build printed; `pcodegen
validate` must accept the partitioned objects. The cost model's two registry libraries
(`build.py crypto|zstd`) are partitioned and validated against their serial builds.

Slow: the first use downloads two sdists (about 3 s) and builds the bitcode (about 10 s);
the two partitioned O2 builds take most of the rest."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from conftest import _real_sample, build, needs_clang, run_cli

pytestmark = [pytest.mark.slow, needs_clang]

PROGRAMS = list(build.REGISTRY_PROGRAMS)


@functools.cache
def _program(name: str) -> tuple[Path, list[str]]:
    """(bitcode, link flags) of a registry program, built on first use."""
    bc = _real_sample(build.REGISTRY_PROGRAMS[name], f"the {name} program")
    return bc, build.sample_link_flags(build.DEFAULT_OUT, name)


def _expected(name: str) -> bytes:
    return (build.DEFAULT_OUT / f"{name}.expected.txt").read_bytes()


def test_registry_programs_record_their_sources_and_link_flags() -> None:
    lua_bc, lua_flags = _program(build.LUA_SAMPLE)
    brotli_bc, brotli_flags = _program(build.BROTLI_SAMPLE)
    assert lua_flags == ["-lm", "-ldl"] and brotli_flags == ["-lm"]
    for bc, sha in ((lua_bc, build.LUPA_SHA256), (brotli_bc, build.BROTLI_SHA256)):
        doc = json.loads(build.link_flags_path(bc.parent, bc.stem).read_text())
        assert sha in doc["source"], doc
    # The workloads ran to the end natively.
    assert _expected(build.LUA_SAMPLE).endswith(b"done\nfinalizer ran at close\n")
    assert _expected(build.BROTLI_SAMPLE).endswith(b"failures: 0\n")


@pytest.mark.parametrize("name", PROGRAMS)
def test_partitioned_o2_build_behaves_like_native(name: str, tmp_path: Path) -> None:
    bc, flags = _program(name)
    exe = tmp_path / name
    proc = run_cli("compile", bc, "--parts", 4, "--workers", 2, "--opt", 2, "--link", "exe", "-o", exe, "-q",
                   *[f"--link-arg={f}" for f in flags])
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((tmp_path / f"{name}.parts" / "report.json").read_text())
    assert 1 < len(report["outputs"]) == report["plan"]["parts"] <= 4
    run = build.run_registry_workload(name, exe, timeout=120)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-3000:]
    assert run.stdout == _expected(name)
    check = run_cli("validate", f"{exe}.parts", "--input", bc)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]


@pytest.mark.parametrize("name", list(build.REGISTRY_LIBRARIES))
def test_registry_library_partitions_validate(name: str, tmp_path: Path) -> None:
    """The cost model's two training libraries (pycryptodome's primitives, zstd), built by
    `build.py crypto|zstd`: partitioned, their objects resolve and match the serial
    build's symbols and program-level properties."""
    bc = _real_sample(build.REGISTRY_LIBRARIES[name], f"the {name} library")
    serial = tmp_path / "serial"
    assert run_cli("compile", bc, "--serial", "--opt", 1, "-o", serial, "-q").returncode == 0
    out = tmp_path / name
    proc = run_cli("compile", bc, "--parts", 4, "--workers", 2, "--opt", 1, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(json.loads((out / "report.json").read_text())["outputs"]) == 4
    check = run_cli("validate", out, "--input", bc, "--reference", serial / "serial.o")
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
