"""pcodegen removes only what it wrote: `-o DIR` of compile and bench replaces an empty
directory or a previous output of the same command, refuses anything else without
--force, never replaces the working directory, /, $HOME or a directory holding the
input, and an interrupted run leaves the previous output as it was."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest

from conftest import interruptible, run_cli
from pcodegen.errors import UsageError
from pcodegen.output import check_report_matches_input

GOOD = ("define i32 @f(i32 %x) {\n  %y = add i32 %x, 1\n  ret i32 %y\n}\n"
        "define i32 @g(i32 %x) {\n  %y = mul i32 %x, 3\n  ret i32 %y\n}\n")
DEMO = Path(str(resources.files("pcodegen") / "data" / "demo.ll"))


def one_line(proc: subprocess.CompletedProcess, code: int, *fragments: str) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for f in fragments:
        assert f in lines[0], (f, lines[0])
    return lines[0]


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".pcodegen-" in p.name or ".tmp-" in p.name)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    p = d / "good.ll"
    p.write_text(GOOD)
    return p


def tree(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_compile_refuses_a_directory_it_did_not_write(tmp_path: Path, src: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for i in range(6):
        (out / f"obj{i}.o").write_bytes(b"\x7fELF mine")
    (out / "mynotes.txt").write_text("notes")
    before = tree(out)
    one_line(run_cli("compile", src, "-o", out), 2, "not a pcodegen compile output", "--force")
    assert tree(out) == before and leftovers(tmp_path) == []
    # --force: replaced anyway
    proc = run_cli("compile", src, "-o", out, "--force", "--parts", "2")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["part-000.o", "part-001.o", "report.json"]


@pytest.mark.slow
def test_compile_replaces_its_own_output_and_an_empty_directory(tmp_path: Path, src: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()  # empty: fine
    assert run_cli("compile", src, "-o", out, "--parts", "2").returncode == 0
    proc = run_cli("compile", src, "-o", out, "--parts", "1")  # its own previous output: replaced
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["part-000.o", "report.json"]
    assert leftovers(tmp_path) == []
    # a previous output with a file of the user's added: refused, naming the file
    (out / "mynotes.txt").write_text("notes")
    one_line(run_cli("compile", src, "-o", out), 2, "mynotes.txt", "--force")
    assert (out / "mynotes.txt").read_text() == "notes"
    # a report.json that is not pcodegen's does not count
    other = tmp_path / "other"
    other.mkdir()
    (other / "report.json").write_text('{"schema": "somebody-else/1"}')
    one_line(run_cli("compile", src, "-o", other), 2, "not a pcodegen compile output")
    assert (other / "report.json").exists()


def test_new_directory_mode_follows_the_umask(tmp_path: Path, src: Path) -> None:
    out = tmp_path / "fresh"
    code = ("import os, sys; os.umask(0o022); from pcodegen.cli import main; "
            f"sys.argv = ['pcodegen', 'compile', {str(src)!r}, '-o', {str(out)!r}]; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o755


@pytest.mark.parametrize("where", ["cwd", "dot", "root", "home", "input-parent", "input-grandparent"])
@pytest.mark.slow
def test_never_replaced(tmp_path: Path, src: Path, where: str) -> None:
    cwd = tmp_path / "work"
    cwd.mkdir()
    (cwd / "precious.txt").write_text("keep")
    home = tmp_path / "home"
    home.mkdir()
    target = {"cwd": str(cwd), "dot": ".", "root": "/", "home": str(home), "input-parent": str(src.parent),
              "input-grandparent": str(tmp_path)}[where]
    mode = cwd.stat().st_mode
    for extra in ([], ["--force"]):
        proc = run_cli("compile", src, "-o", target, *extra, cwd=cwd, env={"HOME": str(home)})
        one_line(proc, 2, "never replaces")
    assert (cwd / "precious.txt").read_text() == "keep" and cwd.stat().st_mode == mode
    assert src.read_text() == GOOD and leftovers(tmp_path) == [] and leftovers(cwd) == []


@pytest.mark.slow
def test_objdir_is_guarded_too(tmp_path: Path, src: Path) -> None:
    one_line(run_cli("compile", src, "--link", "shared", "-o", tmp_path / "lib.so", "--objdir", ".",
                     cwd=tmp_path), 2, "never replaces")
    objs = tmp_path / "objs"
    objs.mkdir()
    (objs / "mine.txt").write_text("x")
    one_line(run_cli("compile", src, "--link", "shared", "-o", tmp_path / "lib.so", "--objdir", objs), 2,
             "--force")
    assert (objs / "mine.txt").exists() and not (tmp_path / "lib.so").exists()


def test_bench_refuses_a_directory_it_did_not_write(tmp_path: Path) -> None:
    rep = tmp_path / "rep"
    rep.mkdir()
    (rep / "keep.md").write_text("mine")
    proc = run_cli("bench", DEMO, "--workers", "1", "--repeat", "1", "--no-plots", "-o", rep)
    one_line(proc, 2, "not a pcodegen bench output", "--force")
    assert (rep / "keep.md").read_text() == "mine" and leftovers(tmp_path) == []
    one_line(run_cli("demo", "-o", rep, "--repeat", "1"), 2, "--force")
    one_line(run_cli("bench", DEMO, "-o", ".", cwd=rep), 2, "never replaces")


def _interrupt(args: list, cwd: Path, wait_for: Path, parent: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """Start pcodegen ARGS, SIGINT it (its process group, as a terminal's ^C does) as
    soon as its work is under way, and wait for it."""
    existed = wait_for.exists()  # a previous output: wait for the new one's temporary directory instead
    proc = subprocess.Popen([sys.executable, "-m", "pcodegen", *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=interruptible)
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout and proc.poll() is None:
        if any(p.name.startswith(f".{wait_for.name}.pcodegen-tmp-") for p in parent.iterdir()) \
                or (not existed and wait_for.exists() and any(wait_for.iterdir())):
            break
        time.sleep(0.02)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.slow
def test_interrupted_compile_keeps_the_previous_output(tmp_path: Path, src: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("compile", src, "-o", out, "--parts", "2").returncode == 0
    before = tree(out)
    # a hung worker keeps the compile busy until the interrupt
    args = ["compile", src, "-o", out, "--parts", "2", "--inject-fault", "0:hang"]
    proc = subprocess.Popen([sys.executable, "-m", "pcodegen", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=interruptible)
    time.sleep(3)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "Traceback" not in err, err
    assert tree(out) == before and leftovers(tmp_path) == []


@pytest.mark.slow
def test_interrupted_bench_keeps_the_previous_output(tmp_path: Path) -> None:
    rep = tmp_path / "rep"
    proc = run_cli("bench", DEMO, "--workers", "1", "--repeat", "1", "--no-plots", "--link", "none", "-o", rep)
    assert proc.returncode == 0, proc.stderr
    before = tree(rep)
    proc = _interrupt(["bench", DEMO, "--workers", "1,2", "--repeat", "5", "--no-plots", "--link", "none",
                       "-o", rep], tmp_path, rep, tmp_path)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert tree(rep) == before and leftovers(tmp_path) == []
    # and the previous output is still recognised as one: replaced by the next run
    proc = run_cli("bench", DEMO, "--workers", "1", "--repeat", "1", "--no-plots", "--link", "none", "-o", rep)
    assert proc.returncode == 0, proc.stderr


def test_report_matches_input(tmp_path: Path, src: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("compile", src, "-o", out).returncode == 0
    check_report_matches_input(out, str(src))  # the same module: no error
    other = tmp_path / "other.ll"
    other.write_text(GOOD.replace("mul", "sub"))
    with pytest.raises(UsageError) as exc:
        check_report_matches_input(out, str(other))
    msg = str(exc.value)
    assert "\n" not in msg and str(src) in msg and "is a different module" in msg
    src.write_text(GOOD.replace("add", "sub"))
    with pytest.raises(UsageError, match="has changed since"):
        check_report_matches_input(out, str(src))
    check_report_matches_input(tmp_path, str(src))  # no report.json: nothing to compare
    assert json.loads((out / "report.json").read_text())["settings"]["cores"] >= 1
