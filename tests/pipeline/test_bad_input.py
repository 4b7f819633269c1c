"""Bad input: one line on stderr, exit status 2, no traceback, and no output left behind."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import needs_clang, run_cli

VERIFIER_FAIL = """define i32 @f(i1 %c) {
entry:
  br i1 %c, label %a, label %b
a:
  %x = add i32 1, 2
  br label %b
b:
  ret i32 %x
}
"""
GOOD = "define i32 @f(i32 %x) {\n  %y = add i32 %x, 1\n  ret i32 %y\n}\n"


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str, code: int = 2) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("pcodegen: error: ") or lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in proc.stderr
    for frag in fragments:
        assert frag in lines[0], (frag, lines[0])


def assert_no_output(tmp_path: Path, out: Path) -> None:
    assert not out.exists()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}")]
    assert not leftovers, leftovers


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("garbage.ll", b"this is not IR\n", "malformed IR: line 1:1"),
        ("binary.bin", bytes(range(256)) * 4, "neither LLVM IR text nor bitcode"),
        ("bad-type.ll", b"define i32 @f() {\n  ret i64 0\n}\n", "doesn't match function result type"),
        ("verifier.ll", VERIFIER_FAIL.encode(), "fails the LLVM verifier in function @f: Instruction does not dominate"),
        ("empty.ll", b"", "defines no functions or globals (nothing)"),
        ("decls.ll", b"declare i32 @puts(ptr)\n@x = external global i32\n", "only declarations"),
    ],
)
@pytest.mark.slow
def test_bad_module(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    out = tmp_path / "out"
    for cmd in (["compile", src, "-o", out], ["compile", src, "--serial", "-o", out], ["graph", src]):
        assert_one_line_error(run_cli(*cmd), fragment)
    assert_no_output(tmp_path, out)


@needs_clang
def test_truncated_bitcode(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    data = sample_modules["kernels"].read_bytes()
    src = tmp_path / "truncated.bc"
    src.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    assert_one_line_error(run_cli("compile", src, "-o", out), "truncated.bc: malformed bitcode")
    assert_no_output(tmp_path, out)


@pytest.mark.slow
def test_missing_and_unreadable(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert_one_line_error(run_cli("compile", tmp_path / "nope.bc", "-o", out), "nope.bc: no such file")
    assert_one_line_error(run_cli("compile", tmp_path, "-o", out), "is a directory")
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.ll"
        locked.write_text(GOOD)
        locked.chmod(0)
        assert_one_line_error(run_cli("compile", locked, "-o", out), "cannot read")
    assert_no_output(tmp_path, out)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--parts", "0"], "--parts must be at least 1, got 0"),
        (["--parts", "-3"], "--parts must be at least 1, got -3"),
        (["--workers", "0"], "--workers must be at least 1, got 0"),
        (["--workers", "-2"], "--workers must be at least 1, got -2"),
        (["--strategy", "no-such"], "unknown strategy 'no-such'"),
        (["--opt", "7"], "--opt must be 0 to 3"),
        (["--timeout", "0"], "--timeout must be positive"),
        (["--inject-fault", "x:boom"], "expected PART:KIND"),
        (["--parts", "many"], "'many' is neither a whole number nor 'auto'"),
        (["--opt", "x"], "'x' is not a valid integer"),
        (["--no-such-option"], "No such option '--no-such-option'"),
        (["--combine", "glue"], "'glue' is not one of"),
    ],
)
def test_bad_settings(tmp_path: Path, args: list[str], fragment: str) -> None:
    src = tmp_path / "good.ll"
    src.write_text(GOOD)
    out = tmp_path / "out"
    assert_one_line_error(run_cli("compile", src, "-o", out, *args), fragment)
    assert_no_output(tmp_path, out)


@pytest.mark.slow
def test_more_partitions_than_definitions(tmp_path: Path) -> None:
    src = tmp_path / "good.ll"
    src.write_text(GOOD + "@g = global i32 1\n")
    out = tmp_path / "out"
    proc = run_cli("compile", src, "--parts", "16", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.glob("*.o")) == ["part-000.o", "part-001.o"]
    assert "made 2 partitions, not the 16 asked" in proc.stdout and "the other 14 of 16 partitions would be empty" in proc.stdout


@pytest.mark.slow
def test_output_directory_is_a_file(tmp_path: Path) -> None:
    src = tmp_path / "good.ll"
    src.write_text(GOOD)
    out = tmp_path / "out"
    out.write_text("precious")
    assert_one_line_error(run_cli("compile", src, "-o", out), "exists and is not a directory")
    assert out.read_text() == "precious"


@pytest.fixture
def full_disk(tmp_path: Path):
    """A 64 KiB tmpfs filled to all but 2 KiB."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        (mnt / "filler").write_bytes(b"\0" * (62 * 1024))
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


@needs_clang
@pytest.mark.slow
def test_full_disk(sample_modules: dict[str, Path], full_disk: Path) -> None:
    out = full_disk / "out"
    proc = run_cli("compile", sample_modules["exprcalc"], "--parts", "3", "-o", out)
    assert_one_line_error(proc, "No space left on device")
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]


@pytest.mark.parametrize(
    "doc, fragment",
    [
        ({"format": "pcodegen-workload", "version": 1, "objects": [],
          "code_instances": [{"id": 0, "name": "f", "size": 10, "callees": [3]}]}, "dangling callee 3"),
        ({"format": "something-else"}, "not a workload"),
        ([1, 2, 3], "a workload must be a JSON object"),
    ],
)
@pytest.mark.slow
def test_bad_workload(tmp_path: Path, doc: object, fragment: str) -> None:
    import json

    src = tmp_path / "w.json"
    src.write_text(json.dumps(doc))
    out = tmp_path / "module.bc"
    assert_one_line_error(run_cli("emit", src, "-o", out), fragment)
    assert_no_output(tmp_path, out)
    assert_one_line_error(run_cli("partition", src, "--parts", "2"), fragment)


@pytest.mark.parametrize("args, fragment", [
    (["compile"], "Missing argument 'INPUT'"),
    (["experiment", "approach9"], "'approach9' is not one of"),
    (["no-such-command"], "No such command 'no-such-command'"),
])
def test_click_usage_errors_are_one_line(args: list[str], fragment: str) -> None:
    assert_one_line_error(run_cli(*args), fragment)


# -- bad paths, everywhere ---------------------------------------------------------------------

@pytest.fixture
def read_only_dir(tmp_path: Path):
    """A directory nobody may write into: a read-only tmpfs as root, mode 0555 otherwise."""
    d = tmp_path / "ro"
    d.mkdir()
    if os.geteuid() == 0:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(d)],
                          capture_output=True).returncode:
            pytest.skip("cannot mount a read-only tmpfs here")
        try:
            yield d
        finally:
            subprocess.run(["umount", "-l", str(d)], check=False)
    else:
        d.chmod(0o555)
        yield d
        d.chmod(0o755)


@pytest.mark.slow
def test_bad_paths_never_give_a_traceback(tmp_path: Path, read_only_dir: Path) -> None:
    """Every command that takes a path, given each bad path: exit 0, 1 or 2, one line on
    stderr when it fails, never a traceback, and nothing left in the working directory."""
    from concurrent.futures import ThreadPoolExecutor

    work = tmp_path / "work"
    work.mkdir()
    src = work / "good.ll"
    src.write_text(GOOD)
    (work / "afile").write_text("x")
    wl = work / "w.json"
    assert run_cli("synth", "--preset", "jll", "-o", wl).returncode == 0
    bad = {".": ".", "..": "..", "/": "/", "read-only": str(read_only_dir / "x"), "through-a-file": "afile/x",
           "spaces+non-ASCII": "my dir/ünï cödé"}
    assert run_cli("compile", src, "-o", work / "vout").returncode == 0
    before = sorted(p.name for p in work.iterdir())
    cmds = {
        "graph INPUT": lambda p: ["graph", p],
        "partition INPUT": lambda p: ["partition", p, "--parts", "2"],
        "compile INPUT": lambda p: ["compile", p, "-o", "out"],
        "compile -o DIR": lambda p: ["compile", src, "-o", p],
        "compile --link -o FILE": lambda p: ["compile", src, "--link", "shared", "-o", p, "--objdir", "objs"],
        "compile --objdir DIR": lambda p: ["compile", src, "--link", "shared", "-o", "lib.so", "--objdir", p],
        "validate OUTDIR": lambda p: ["validate", p, "--input", src, "--symbols-only"],
        "validate --input": lambda p: ["validate", "vout", "--input", p, "--symbols-only"],
        "bench -o DIR": lambda p: ["bench", src, "--workers", "1", "--repeat", "1", "--no-plots", "--link", "none",
                                   "-o", p],
        "demo -o DIR": lambda p: ["demo", "--repeat", "1", "-o", p],
        "synth -o FILE": lambda p: ["synth", "--preset", "jll", "-o", p],
        "emit -o FILE": lambda p: ["emit", wl, "-o", p],
        "experiment -o FILE": lambda p: ["experiment", "approach1", "--preset", "jll", "-o", p],
    }
    # each command its own spaces-and-non-ASCII name, so that one's output is not another's input
    jobs = [(c, b, f(f"{p} {k}" if b == "spaces+non-ASCII" else p)) for k, (c, f) in enumerate(cmds.items())
            for b, p in bad.items() if not (b == "spaces+non-ASCII" and c.startswith(("demo", "experiment")))]

    def run(job):
        return job, run_cli(*job[2], cwd=work, timeout=300)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, jobs))
    table = []
    for (cmd, name, _), proc in results:
        table.append(f"{cmd:24} {name:18} exit {proc.returncode}: {proc.stderr.strip()[:110]}")
        assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, (cmd, name, proc.stderr)
        assert proc.returncode in (0, 1, 2), (cmd, name, proc.returncode, proc.stderr)
        if proc.returncode:
            assert len(proc.stderr.strip().splitlines()) == 1, (cmd, name, proc.stderr)
        if name in (".", "/") and proc.returncode == 0:
            assert cmd.startswith(("graph", "partition", "validate")), (cmd, name)
    print("\n".join(table))
    # the spaces-and-non-ASCII name is a fine output name
    ok = {cmd for (cmd, name, _), proc in results if name == "spaces+non-ASCII" and proc.returncode == 0}
    assert {"compile -o DIR", "synth -o FILE", "emit -o FILE", "bench -o DIR"} <= ok
    left = sorted(p.name for p in work.iterdir())
    assert not [n for n in left if n.startswith(".")], left
    assert set(before) <= set(left)


# -- usage mistakes and errors that say what to do ------------------------------------------

@pytest.mark.slow
def test_output_paths_checked_before_work(tmp_path: Path) -> None:
    src = tmp_path / "good.ll"
    src.write_text(GOOD)
    proc = run_cli("compile", src, "-o", ".", cwd=tmp_path)
    assert_one_line_error(proc, "never replaces")
    assert proc.stdout == ""  # nothing compiled first
    assert_one_line_error(run_cli("compile", src, "--link", "exe", "-o", "prog", "--objdir", ".", cwd=tmp_path),
                          "never replaces")
    assert_one_line_error(run_cli("compile", src, "--link", "exe", "-o", tmp_path, "--objdir", "o", cwd=tmp_path),
                          "is a directory; -o names the linked file")
    (tmp_path / "afile").write_text("x")
    assert_one_line_error(run_cli("compile", src, "--link", "exe", "-o", "afile/prog", cwd=tmp_path),
                          "afile is not a directory")


@pytest.mark.slow
def test_link_arg_and_objdir_need_link(tmp_path: Path) -> None:
    src = tmp_path / "good.ll"
    src.write_text(GOOD)
    assert_one_line_error(run_cli("compile", src, "-o", tmp_path / "out", "--link-arg=-lm"),
                          "--link-arg -lm does nothing without --link")
    assert_one_line_error(run_cli("compile", src, "-o", tmp_path / "out", "--objdir", tmp_path / "o"),
                          "--objdir goes with --link")
    assert_one_line_error(run_cli("bench", src, "--link", "none", "--link-arg=-lm", "-o", tmp_path / "rep"),
                          "--link-arg -lm does nothing with --link none")
    assert not (tmp_path / "out").exists() and not (tmp_path / "rep").exists()


@pytest.mark.slow
def test_more_workers_than_cores_is_noted(tmp_path: Path) -> None:
    import json

    src = tmp_path / "good.ll"
    src.write_text(GOOD)
    cores = len(os.sched_getaffinity(0))
    proc = run_cli("compile", src, "-o", tmp_path / "out", "--workers", cores + 3)
    assert proc.returncode == 0, proc.stderr
    assert f"{cores + 3} workers on {cores} core" in proc.stdout and "counts their waiting" in proc.stdout
    settings = json.loads((tmp_path / "out" / "report.json").read_text())["settings"]
    assert settings["workers"] == cores + 3 and settings["cores"] == cores


MATH_C = """#include <math.h>
#include <stdio.h>
int counter = 3;
double f(double x) { counter++; return ceil(x) + sqrt(x) + counter; }
int main(int argc, char **argv) { printf("%g\\n", f(argc + 0.5)); return 0; }
"""


def _clang_bc(tmp_path: Path, name: str, *flags: str) -> Path:
    from conftest import build

    c = tmp_path / f"{name}.c"
    c.write_text(MATH_C)
    out = tmp_path / f"{name}.bc"
    subprocess.run([build.find_tool("clang-19"), "-O1", "-emit-llvm", "-c", *flags, str(c), "-o", str(out)], check=True)
    return out


@needs_clang
@pytest.mark.slow
def test_link_errors_name_the_cause_and_the_fix(tmp_path: Path) -> None:
    pic = _clang_bc(tmp_path, "pic", "-fPIC")
    proc = run_cli("compile", pic, "--parts", "2", "--link", "exe", "-o", tmp_path / "prog")
    line = proc.stderr.strip()
    assert_one_line_error(proc, "undefined reference to `", "add --link-arg=-lm", code=1)
    assert "collect2" not in line and "llvm-link:" not in line and "(.text" not in line
    assert not (tmp_path / "prog").exists()
    proc = run_cli("compile", pic, "--parts", "2", "--link", "exe", "-o", tmp_path / "prog", "--link-arg=-lm")
    assert proc.returncode == 0, proc.stderr
    nopic = _clang_bc(tmp_path, "nopic", "-fno-pic")
    proc = run_cli("compile", nopic, "--link", "shared", "-o", tmp_path / "lib.so", "--link-arg=-lm")
    assert_one_line_error(proc, "the input was compiled without -fPIC; link with --link exe or rebuild it with -fPIC")
    assert proc.stdout == "" and not (tmp_path / "lib.so.parts").exists()


def test_explain_link_error() -> None:
    from pcodegen.combine import explain_link_error

    pic = ("/usr/bin/ld: out.parts/part-001.o: relocation R_X86_64_PC32 against symbol `counter' can not be used "
           "when making a shared object; recompile with -fPIC\n/usr/bin/ld: final link failed: bad value\n"
           "collect2: error: ld returned 1 exit status\n")
    msg = explain_link_error(pic)
    assert msg.startswith("out.parts/part-001.o: relocation R_X86_64_PC32") and "link with --link exe" in msg
    lm = ("/usr/bin/ld: p.parts/part-000.o: in function `main':\nllvm-link:(.text+0x13): undefined reference to "
          "`ceil'\n/usr/bin/ld: llvm-link:(.text+0x3a): undefined reference to `sqrt'\n"
          "collect2: error: ld returned 1 exit status\n")
    msg = explain_link_error(lm)
    assert msg == ("part-000.o, in main: undefined reference to `ceil'; it is in the maths library: "
                   "add --link-arg=-lm (and 1 more undefined symbol)")
    assert "maths" not in explain_link_error(lm, ["-lm"])


def test_too_many_partitions_adds_up(tmp_path: Path) -> None:
    src = tmp_path / "good.ll"
    src.write_text(GOOD + "@g1 = global i32 1\n")
    proc = run_cli("partition", src, "--parts", "100000")
    assert proc.returncode == 0, proc.stderr
    assert "made 2 partitions, not the 100,000 asked" in proc.stdout
    assert "2 indivisible units" in proc.stdout and "the other 99,998 of 100,000" in proc.stdout


@pytest.mark.slow
def test_readable_graph_partition_and_compile_output(tmp_path: Path) -> None:
    body = "".join(f"define i32 @fn{i}(i32 %x) {{\n  %y = add i32 %x, {i}\n  ret i32 %y\n}}\n" for i in range(300))
    src = tmp_path / "many.ll"
    src.write_text(body + "define i32 @big(i32 %x) {\n" + "".join(f"  %v{i} = mul i32 %x, {i}\n" for i in range(50))
                   + "  ret i32 %v49\n}\n")
    proc = run_cli("graph", src)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "{" not in out and "groups" in out and "duplicable_constants" in out and "init_edges" in out
    assert "µs of predicted compile time" in out and "calibrated cost model" in out
    out = run_cli("graph", src, "--cost", "size").stdout
    assert "cost = 1 + instructions + basic blocks" in out and out.count("cost = 1 +") == 1
    assert "largest units" in out and " big" in out
    proc = run_cli("partition", src, "--parts", "4", "--compare")
    assert proc.returncode == 0, proc.stderr
    assert max(len(ln) for ln in proc.stdout.splitlines()) <= 100
    for head in ("strategy", "parts", "imbal-", "cut", "promoted", "decls", "makespan", "predicted", "time"):
        assert head in proc.stdout
    proc = run_cli("partition", src, "--parts", "4")
    assert "µs of predicted compile time" in proc.stdout and "predicted makespan on 2 workers" in proc.stdout
    assert "cost units" in run_cli("partition", src, "--parts", "4", "--cost", "size").stdout
    proc = run_cli("compile", src, "--parts", "200", "-o", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert max(len(ln) for ln in proc.stdout.splitlines()) <= 120, proc.stdout
    assert "serial-equivalent" not in proc.stdout and "CPU" in proc.stdout


@needs_clang
@pytest.mark.slow
def test_link_phase_is_in_the_phases_line(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    proc = run_cli("compile", sample_modules["mathlib"], "--parts", "2", "--link", "shared", "-o", tmp_path / "l.so")
    assert proc.returncode == 0, proc.stderr
    phases = next(ln for ln in proc.stdout.splitlines() if ln.startswith("phases:"))
    assert " link " in phases


@pytest.mark.slow
def test_experiment_prints_the_verdict_first(tmp_path: Path) -> None:
    import json

    out = tmp_path / "v.json"
    proc = run_cli("experiment", "approach1", "--preset", "jll", "-o", out)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith("approach1 (failing mode, preset jll): showed what it should")
    assert len(proc.stdout) < 3000 and str(out) in proc.stdout
    doc = json.loads(out.read_text())
    assert list(doc)[:4] == ["experiment", "mode", "ok", "outcome"]
