"""Worker faults: a crash, a hang or an exception in one worker is reported by partition,
stops the others, leaves no output and no child process; --retries re-runs only it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import interruptible, needs_clang, run_cli


def processes_mentioning(marker: str) -> list[int]:
    """PIDs whose command line contains `marker` (forked workers inherit the CLI's)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@needs_clang
@pytest.mark.parametrize(
    "fault, how",
    [
        ("1:crash", "worker for part-001 failed: killed by signal SIGSEGV"),
        ("0:raise", "worker for part-000 failed: raised RuntimeError: injected fault"),
        ("2:hang", "worker for part-002 failed: timed out after 2 s"),
    ],
)
@pytest.mark.slow
def test_worker_fault_is_reported_and_cleaned_up(sample_modules: dict[str, Path], tmp_path: Path, fault: str,
                                                 how: str) -> None:
    out = tmp_path / "out-unique-marker"
    proc = run_cli("compile", sample_modules["exprcalc"], "--parts", 3, "--workers", 2, "--timeout", 2,
                   "--inject-fault", fault, "-o", out, timeout=60)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"pcodegen: error: {how}"]
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert processes_mentioning(str(out)) == []


@needs_clang
def test_hung_worker_does_not_outlive_the_coordinator(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    """The coordinator killed from outside while a worker hangs: the worker dies with it
    (workers are daemonic and killed in a finally), checked in the process table."""
    out = tmp_path / "out-killed-marker"
    proc = subprocess.Popen([sys.executable, "-m", "pcodegen", "compile", str(sample_modules["kernels"]),
                             "--parts", "2", "--inject-fault", "0:hang", "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=interruptible)
    import time

    deadline = time.monotonic() + 30
    while len(processes_mentioning(str(out))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(processes_mentioning(str(out))) >= 2, "workers never started"
    proc.send_signal(2)  # SIGINT, as ^C would
    proc.communicate(timeout=30)
    assert proc.returncode == 130
    deadline = time.monotonic() + 10
    while processes_mentioning(str(out)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_mentioning(str(out)) == []
    assert not out.exists()


@needs_clang
@pytest.mark.slow
def test_retry_reruns_only_the_failed_partition(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = run_cli("compile", sample_modules["exprcalc"], "--parts", 3, "--inject-fault", "1:crash-once",
                   "--retries", 1, "-o", out, "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["timings"]["retried"] == {"part-001": ["killed by signal SIGSEGV"]}
    assert report["symbols"]["ok"] and [w["partition"] for w in report["timings"]["workers"]] == [
        "part-000", "part-001", "part-002"]
    # Without a retry the same fault fails the build.
    proc = run_cli("compile", sample_modules["exprcalc"], "--parts", 3, "--inject-fault", "1:crash-once",
                   "-o", tmp_path / "out2")
    assert proc.returncode == 1 and "part-001" in proc.stderr
    assert os.path.exists(out / "part-001.o")
