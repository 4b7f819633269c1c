"""The partition object cache (`--cache DIR`): warm builds reuse every object and are
byte-identical to cold ones; truncated, corrupted and foreign entries are warned about
and recompiled; an unwritable cache leaves an uncached build; concurrent builds share
one cache; `--cache-max` evicts least recently used entries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import needs_clang, run_cli

PARTS = 4


def build(bc: Path, cache: Path, out: Path, *extra: object) -> tuple[subprocess.CompletedProcess, dict]:
    proc = run_cli("compile", bc, "--parts", PARTS, "--workers", 2, "--cache", cache, "-o", out, *extra)
    assert proc.returncode == 0, proc.stderr
    return proc, json.loads((out / "report.json").read_text())


def objects(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("part-*.o"))}


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("??/*.pcgobj"))


@pytest.fixture()
def cold(sample_modules: dict[str, Path], tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    bc, cache = sample_modules["exprcalc"], tmp_path / "cache"
    proc, report = build(bc, cache, tmp_path / "cold")
    assert report["cache"]["hits"] == 0 and report["cache"]["stored"] == report["plan"]["parts"]
    assert len(entries(cache)) == report["plan"]["parts"]
    return bc, cache, objects(tmp_path / "cold")


@needs_clang
def test_warm_build_reuses_every_object(cold: tuple[Path, Path, dict[str, bytes]], tmp_path: Path) -> None:
    bc, cache, cold_objects = cold
    proc, report = build(bc, cache, tmp_path / "warm")
    c = report["cache"]
    assert c["hits"] == len(cold_objects) and c["misses"] == 0 and c["bytes_reused"] > 0 and c["seconds_saved"] > 0
    assert objects(tmp_path / "warm") == cold_objects
    assert all(w["optimize"] == 0.0 for w in report["timings"]["workers"])
    assert f"cache: {len(cold_objects)} of {len(cold_objects)} partitions reused" in proc.stdout
    # validation against the serial build still holds for reused objects
    assert run_cli("validate", tmp_path / "warm", "--input", bc).returncode == 0


@needs_clang
@pytest.mark.parametrize("damage", ["truncate", "corrupt", "foreign"])
def test_bad_entries_are_recompiled(cold: tuple[Path, Path, dict[str, bytes]], tmp_path: Path, damage: str) -> None:
    bc, cache, cold_objects = cold
    victim = entries(cache)[0]
    data = victim.read_bytes()
    if damage == "truncate":
        victim.write_bytes(data[:-7])
    elif damage == "corrupt":
        victim.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
    else:
        victim.write_text("not ours\n")
    proc, report = build(bc, cache, tmp_path / "again")
    words = {"truncate": "truncated", "corrupt": "corrupted", "foreign": "not a pcodegen cache entry"}[damage]
    assert report["cache"]["hits"] == len(cold_objects) - 1 and report["cache"]["misses"] == 1
    assert proc.stderr.count("warning: cache entry") == 1 and words in proc.stderr
    assert objects(tmp_path / "again") == cold_objects
    assert victim.read_bytes().partition(b"\n")[2] == data.partition(b"\n")[2]  # replaced by a good entry
    _, report = build(bc, cache, tmp_path / "third")
    assert report["cache"]["hits"] == len(cold_objects)


@needs_clang
def test_unwritable_cache_builds_uncached(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    """Every entry's directory is taken by a file (what a read-only or full cache looks
    like to the worker, as root included): one warning, the build goes on, nothing stored."""
    bc, cache = sample_modules["exprcalc"], tmp_path / "cache"
    cache.mkdir()
    for i in range(256):
        (cache / f"{i:02x}").write_text("")
    proc, report = build(bc, cache, tmp_path / "out")
    assert report["cache"]["stored"] == 0 and report["cache"]["hits"] == 0
    assert "cannot store an entry" in proc.stderr and proc.stderr.count("cannot store") == 1
    plain = run_cli("compile", bc, "--parts", PARTS, "--workers", 2, "-o", tmp_path / "plain")
    assert plain.returncode == 0 and objects(tmp_path / "out") == objects(tmp_path / "plain")


@needs_clang
def test_concurrent_builds_share_a_cache(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    bc, cache = sample_modules["exprcalc"], tmp_path / "cache"
    cmds = [[sys.executable, "-m", "pcodegen", "compile", str(bc), "--parts", str(PARTS), "--workers", "2",
             "--cache", str(cache), "-o", str(tmp_path / f"out{i}")] for i in range(2)]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in cmds]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    parts = json.loads((tmp_path / "out0" / "report.json").read_text())["plan"]["parts"]
    assert objects(tmp_path / "out0") == objects(tmp_path / "out1")
    assert len(entries(cache)) == parts  # each entry once
    assert not list(cache.glob("??/.*.tmp"))  # no half-written leftovers


@needs_clang
def test_cache_max_evicts_least_recently_used(cold: tuple[Path, Path, dict[str, bytes]], tmp_path: Path) -> None:
    bc, cache, cold_objects = cold
    sizes = sorted(p.stat().st_size for p in entries(cache))
    limit = sum(sizes) - sizes[0]  # one entry too many
    _, report = build(bc, cache, tmp_path / "again", "--cache-max", str(limit))
    assert report["cache"]["evicted"] >= 1
    assert sum(p.stat().st_size for p in entries(cache)) <= limit


def test_cache_usage_errors(tmp_path: Path) -> None:
    from importlib import resources

    demo = Path(str(resources.files("pcodegen") / "data" / "demo.ll"))
    afile = tmp_path / "f"
    afile.write_text("x")
    for args, words in ((["--cache", afile], "names a directory"), (["--cache-max", "1G"], "goes with --cache"),
                        (["--serial", "--cache", tmp_path / "c"], "does nothing with --serial"),
                        (["--cache", tmp_path / "c", "--cache-max", "lots"], "--cache-max")):
        proc = run_cli("compile", demo, *args, "-o", tmp_path / "out")
        assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
