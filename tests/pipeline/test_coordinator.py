"""The coordinator off the critical path: a one-partition build starts its worker at
once and is the serial build, the coordinator never reads metadata, and a debug build's
compile-unit lists are shared out so each partition carries only its own variables."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import HAVE_CLANG, SAMPLES, build, needs_clang, run_cli
from pcodegen.graph import build_graph
from pcodegen.ir.load import load_module
from pcodegen.partition import partition
from pcodegen.split import split_partition


@pytest.fixture(scope="module")
def registry_g(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry sample with full debug info (clang -g)."""
    if not HAVE_CLANG:
        pytest.skip("clang-19 is needed to build the sample bitcode")
    out = tmp_path_factory.mktemp("regg")
    src = SAMPLES / "c" / "registry"
    objs = []
    for c in sorted(src.glob("*.c")):
        bc = out / (c.stem + ".bc")
        subprocess.run([build.find_tool("clang-19"), *build.BITCODE_FLAGS, *build.DEBUG_FLAGS, c.name, "-o", str(bc)],
                       check=True, cwd=src)
        objs.append(str(bc))
    linked = out / "registry-g.bc"
    subprocess.run([build.find_tool("llvm-link-19"), *objs, "-o", str(linked)], check=True)
    return linked


@needs_clang
def test_one_partition_is_the_serial_build(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    """The plan is known before the module is read: the worker starts on the whole input
    while the coordinator loads and plans beside it, and its object is the serial one."""
    bc = sample_modules["exprcalc"]
    one = run_cli("compile", bc, "--parts", 1, "--workers", 2, "-o", tmp_path / "one")
    assert one.returncode == 0, one.stderr
    ser = run_cli("compile", bc, "--serial", "-o", tmp_path / "ser")
    assert ser.returncode == 0, ser.stderr
    assert (tmp_path / "one" / "part-000.o").read_bytes() == (tmp_path / "ser" / "serial.o").read_bytes()
    t = json.loads((tmp_path / "one" / "report.json").read_text())["timings"]
    assert set(t["overlapped_phases"]) == {"load", "graph", "partition"}
    assert "load" not in t["phases"]
    assert 0 < t["critical_path_s"] < t["wall_s"]
    assert "beside the first worker (inside compile): load" in one.stdout


@pytest.mark.parametrize("text, message", [("define i32 @f( {\n", "malformed IR"),
                                           ("", "defines no functions or globals")])
def test_one_partition_bad_input_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.ll"
    bad.write_text(text)
    proc = run_cli("compile", bad, "--parts", 1, "-o", tmp_path / "out")
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


@needs_clang
def test_critical_path_is_time_without_workers(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    proc = run_cli("compile", sample_modules["registry"], "--parts", 3, "--workers", 2, "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    t = json.loads((tmp_path / "out" / "report.json").read_text())["timings"]
    head = min(w["start_s"] for w in t["workers"])
    tail = t["phases"]["compile"] - max(w["end_s"] for w in t["workers"])
    assert t["critical_path_s"] == pytest.approx(t["wall_s"] - t["phases"]["compile"] + head + max(tail, 0.0))
    assert set(t["load_steps"]) == {"parse", "print", "cut", "verify_wait"}
    assert all(set(w["cpu"]) >= {"split", "parse", "optimize", "emit"} for w in t["workers"])


@needs_clang
def test_coordinator_never_reads_metadata(registry_g: Path) -> None:
    """Loading files the metadata lines unread; only a partition's split reads what
    it reaches."""
    loaded = load_module(registry_g)
    md = loaded.ir.metadata
    assert len(md) > 100
    assert not md.refs._cache and all(e._metadata is None for e in loaded.ir.entities.values())
    graph = build_graph(loaded.ir, str(registry_g))
    plan = partition(graph, 3)
    text = split_partition(loaded.ir, plan, 0)
    assert "!DICompileUnit(" in text and "!dbg !" in text
    assert any(e._metadata is not None for e in loaded.ir.entities.values())


def _unit_lists(text: str) -> dict[str, list[int]]:
    """kind -> items of the compile units' lists in a partition's text."""
    lines = {int(m.group(1)): m.group(2) for m in re.finditer(r"^!(\d+) = (.*)$", text, re.M)}
    out: dict[str, list[int]] = {}
    for line in lines.values():
        if "DICompileUnit(" not in line:
            continue
        for kind, lid in re.findall(r"\b(enums|retainedTypes|globals): !(\d+)", line):
            out.setdefault(kind, []).extend(int(i) for i in re.findall(r"!(\d+)", lines[int(lid)]))
    return out


@needs_clang
def test_debug_unit_lists_shared_out(registry_g: Path, tmp_path: Path) -> None:
    """Each partition lists the global variables it defines or holds a private copy of
    (DWARF describes a variable from its unit's list only), partition 0 the enums,
    retained types and the variables no definition carries; together they list what
    the module lists, each variable with one definition once, and the program runs."""
    loaded = load_module(registry_g)
    ir = loaded.ir
    plan = partition(build_graph(ir, str(registry_g)), 3)
    whole = _unit_lists(loaded.text)
    assert whole.get("globals"), "the sample should have described global variables"

    def gves(names: set[str]) -> set[int]:
        return {int(i) for n in names if ir.entities[n].kind == "variable"
                for i in re.findall(r"!dbg !(\d+)", ir.entities[n].text)}

    unattached = set(whole["globals"]) - gves(set(ir.entities))
    copied = gves(set(plan.duplicated))
    seen: list[int] = []
    for p in range(plan.parts):
        text = split_partition(ir, plan, p)
        lists = _unit_lists(text)
        here = {n for n in plan.duplicated if re.search(rf"^@{re.escape(n)} = ", text, re.M)}
        own = gves(set(plan.members[p]) | here) | (unattached if p == 0 else set())
        assert set(lists.get("globals", [])) == own & set(whole["globals"])
        seen += [g for g in lists.get("globals", []) if g not in copied]
        for kind in ("enums", "retainedTypes"):
            assert lists.get(kind, []) == (whole.get(kind, []) if p == 0 else [])
    assert sorted(seen) == sorted(g for g in whole["globals"] if g not in copied)
    exe = tmp_path / "reg"
    proc = run_cli("compile", registry_g, "--parts", 3, "--workers", 2, "--link", "exe", "-o", exe)
    assert proc.returncode == 0, proc.stderr
    expected = (build.DEFAULT_OUT / "registry.expected.txt")
    if expected.exists():
        assert subprocess.run([str(exe)], capture_output=True, text=True).stdout == expected.read_text()
    dwarfdump = shutil.which("llvm-dwarfdump-19")
    if dwarfdump:
        for obj in sorted((tmp_path / "reg.parts").glob("part-*.o")):
            check = subprocess.run([dwarfdump, "--verify", str(obj)], capture_output=True, text=True)
            assert check.returncode == 0, check.stdout[-2000:]
