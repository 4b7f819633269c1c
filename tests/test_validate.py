"""`pcodegen validate` passes real outputs and catches outputs broken on purpose."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import build, needs_clang, run_cli
from pcodegen.validate import symbols_of_object


def _compile(bc: Path, out: Path, parts: int = 3) -> Path:
    proc = run_cli("compile", bc, "--parts", parts, "--strategy", "round-robin", "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out


@needs_clang
def test_clean_output_validates(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    bc = sample_modules["registry"]
    out = _compile(bc, tmp_path / "ok")
    proc = run_cli("validate", out, "--input", bc, "--json")
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["ok"] is True


@needs_clang
def test_deleted_partition_is_reported(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    bc = sample_modules["registry"]
    out = _compile(bc, tmp_path / "broken")
    victim = out / "part-001.o"
    lost = {s for s, i in symbols_of_object(victim.read_bytes()).defined.items() if i.binding != "local"}
    victim.unlink()
    proc = run_cli("validate", out, "--input", bc, "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert not report["ok"]
    missing = {s for s, _ in report["undefined"]} | set(report["lost"])
    assert missing and missing <= lost | {s for s in missing if ".pcg." in s}
    assert "problem" in run_cli("validate", out, "--input", bc).stderr


@needs_clang
def test_duplicated_partition_is_reported(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    bc = sample_modules["registry"]
    out = _compile(bc, tmp_path / "dup")
    shutil.copy(out / "part-000.o", out / "part-000-copy.o")
    proc = run_cli("validate", out, "--input", bc, "--json")
    assert proc.returncode == 1
    dups = dict((s, by) for s, by in json.loads(proc.stdout)["duplicates"])
    strong = {s for s, i in symbols_of_object((out / "part-000.o").read_bytes()).defined.items() if i.binding == "global"}
    assert set(dups) == strong
    assert all(by == ["part-000-copy.o", "part-000.o"] for by in dups.values())
