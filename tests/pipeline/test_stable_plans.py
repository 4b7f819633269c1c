"""Stable partitions across edits: with the cache (whose last plan for the input is the
previous plan) or `--previous-plan`, a one-function edit recompiles one partition and an
added function at most two; the kept plan's balance is bounded and reported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import needs_clang, run_cli
from pcodegen.ir.load import load_module

PARTS = 4


def compile_(src: Path, out: Path, *extra: object) -> dict:
    proc = run_cli("compile", src, "--parts", PARTS, "--workers", 2, "-o", out, *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "report.json").read_text())


def edited(text: str, kind: str) -> str:
    """`text` with one edit: a constant in one function body, or a new function and a call to it."""
    body = re.search(r"^define internal i64 @bi_abs\(.*?^}", text, re.S | re.M)
    assert body is not None
    old = body.group(0)
    if kind == "constant":
        new = old.replace("i64 noundef 0,", "i64 noundef 1,", 1)
        assert new != old
        return text.replace(old, new)
    ret = re.search(r"  ret i64 (%\d+)\n}$", old)
    assert ret is not None
    new = old[:ret.start()] + f"  %pcgx = call i64 @pcg_extra(i64 {ret.group(1)})\n  ret i64 %pcgx\n}}"
    return text.replace(old, new) + "\ndefine internal i64 @pcg_extra(i64 %x) {\n  %y = add i64 %x, 1\n  ret i64 %y\n}\n"


@pytest.fixture()
def source(sample_modules: dict[str, Path], tmp_path: Path) -> tuple[Path, str]:
    text = load_module(sample_modules["exprcalc"]).text
    src = tmp_path / "calc.ll"
    src.write_text(text)
    return src, text


@needs_clang
@pytest.mark.parametrize("kind, most", [("constant", 1), ("function", 2)])
def test_an_edit_recompiles_what_it_touches(source: tuple[Path, str], tmp_path: Path, kind: str, most: int) -> None:
    src, text = source
    cache = tmp_path / "cache"
    cold = compile_(src, tmp_path / "cold", "--cache", cache)
    assert cold["cache"]["misses"] == cold["plan"]["parts"] and cold["stability"] is None
    src.write_text(edited(text, kind))  # the same input name: the cache's last plan is the previous plan
    warm = compile_(src, tmp_path / "warm", "--cache", cache)
    assert warm["stability"]["used"] == "previous" and warm["stability"]["previous"].endswith("calc.ll.json")
    assert warm["cache"]["misses"] <= most, warm["cache"]
    assert warm["plan"]["parts"] == cold["plan"]["parts"]
    assert run_cli("validate", tmp_path / "warm", "--input", src).returncode == 0


@needs_clang
def test_previous_plan_from_a_report(source: tuple[Path, str], tmp_path: Path) -> None:
    src, text = source
    first = compile_(src, tmp_path / "a")
    src.write_text(edited(text, "function"))
    second = compile_(src, tmp_path / "b", "--previous-plan", tmp_path / "a" / "report.json")
    s = second["stability"]
    assert s["used"] == "previous" and s["new_units"] == 1 and s["kept_units"] > 0
    assert s["largest_over_ideal"] <= 1.05 or s["largest_over_fresh"] <= 1.05
    old = {m: p for p, ms in enumerate(first["plan"]["members"]) for m in ms}
    new = {m: p for p, ms in enumerate(second["plan"]["members"]) for m in ms}
    assert all(new[m] == p for m, p in old.items() if m in new)  # every unit stayed where it was
    bad = run_cli("compile", src, "--previous-plan", tmp_path / "none.json", "-o", tmp_path / "c")
    assert bad.returncode == 2 and "no such previous plan" in bad.stderr
