"""The memory budget: a budget too small for one worker is a one-line error (exit 2)
before any worker starts, a budget that fits caps the workers, and a worker held to a
memory limit that it outgrows fails as its partition's reported error (real llvmlite,
real forked processes)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import pytest

from conftest import run_cli
from pcodegen.errors import ParameterError
from pcodegen.parallel.budget import (KB_PER_COST, WORKER_BASE_KB, cap_workers, describe_failure, worker_estimate_kb,
                                      worker_limit_bytes)

DEMO = Path(str(resources.files("pcodegen") / "data" / "demo.ll"))
MiB = 2**20


def _one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("pcodegen: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr


def test_cap_workers_caps_and_refuses() -> None:
    costs = [400_000, 300_000]
    per = worker_estimate_kb(400_000)
    assert per == WORKER_BASE_KB + KB_PER_COST * 400_000
    assert cap_workers(8, None, costs, 100_000) == (8, "")
    assert cap_workers(8, 2**40, costs, 100_000) == (8, "")
    n, note = cap_workers(8, int((100_000 + 3 * per) * 1024), costs, 100_000)
    assert n == 3 and "capped from 8 to 3" in note
    assert cap_workers(8, int((100_000 + per) * 1024), costs, 100_000)[0] == 1  # exactly one fits
    # less than the coordinator plus one worker on the largest partition: refused
    with pytest.raises(ParameterError) as exc:
        cap_workers(8, int((100_000 + per - 1024) * 1024), costs, 100_000)
    msg = exc.value.as_option()
    assert msg.startswith("--memory-budget ") and "too small" in msg and "\n" not in msg
    assert "cost 400,000" in msg and f"~{per / 1024:.0f} MiB" in msg and "use more partitions" in msg
    need = -(-(100_000 + per) // 1024)  # MiB, rounded up
    assert f"at least {need:.0f}M" in msg
    # a budget below the coordinator alone says so; more partitions would not help
    with pytest.raises(ParameterError, match="coordinator alone uses 98 MiB") as exc:
        cap_workers(8, 1024, costs, 100_000)
    assert "partitions" not in str(exc.value)


def test_worker_share_is_at_least_the_estimate() -> None:
    # whatever cap_workers lets through, each worker's enforced share covers the estimate
    costs = [13_932] * 32
    per = worker_estimate_kb(max(costs))
    for budget_mib in range(300, 2000, 37):
        workers, _ = cap_workers(16, budget_mib * MiB, costs, 215_000)
        share = worker_limit_bytes(budget_mib * MiB, workers, 215_000)
        assert share is not None and share >= per * 1024
    assert worker_limit_bytes(None, 4, 215_000) is None


def test_describe_failure_names_the_limit() -> None:
    assert describe_failure("raised MemoryError", None) == "raised MemoryError"
    assert describe_failure("raised MemoryError", 64 * MiB) == (
        "raised MemoryError: ran out of its memory limit (64 MiB of new memory per worker under the memory budget); "
        "raise the budget or use more partitions")
    assert "probably out of its memory limit (64 MiB" in describe_failure("killed by signal SIGABRT", 64 * MiB)
    assert describe_failure("raised ValueError: x", 64 * MiB) == "raised ValueError: x"
    assert describe_failure("timed out after 5 s", 64 * MiB) == "timed out after 5 s"


def test_too_small_budget_is_one_line_exit_2(tmp_path: Path) -> None:
    # below what the coordinator alone holds
    err = _one_line_error(run_cli("compile", DEMO, "--memory-budget", "1M", "-o", tmp_path / "a"))
    assert "--memory-budget 1 MiB is too small: the coordinator alone uses" in err and "raise it to at least" in err
    assert not (tmp_path / "a").exists()
    # enough for the coordinator, not for one worker besides it
    ok = run_cli("compile", DEMO, "--parts", 2, "--workers", 2, "--opt", 0, "--memory-budget", "64G",
                 "-o", tmp_path / "b", "--json")
    assert ok.returncode == 0, ok.stderr
    coordinator_mib = json.loads(ok.stdout)["timings"]["coordinator_peak_rss_kb"] // 1024
    err = _one_line_error(run_cli("compile", DEMO, "--parts", 2, "--workers", 2, "--opt", 0, "--memory-budget",
                                  f"{coordinator_mib + 10}M", "-o", tmp_path / "c"))
    assert "one worker on the largest partition" in err and "by the estimate" in err and "MiB in all" in err
    assert not (tmp_path / "c").exists()
    # the serial build has no workers to budget
    err = _one_line_error(run_cli("compile", DEMO, "--serial", "--memory-budget", "4G", "-o", tmp_path / "d"))
    assert "--memory-budget does nothing with --serial" in err


@pytest.mark.slow
def test_budget_caps_the_workers(tmp_path: Path) -> None:
    probe = run_cli("compile", DEMO, "--parts", 4, "--workers", 4, "--opt", 0, "-o", tmp_path / "p", "--json")
    assert probe.returncode == 0, probe.stderr
    rep = json.loads(probe.stdout)
    coordinator_kb = rep["timings"]["coordinator_peak_rss_kb"]
    per_kb = worker_estimate_kb(max(rep["plan"]["metrics"]["partition_costs"]))
    budget_mib = int((coordinator_kb + 2.5 * per_kb) / 1024)  # two workers fit, not three
    proc = run_cli("compile", DEMO, "--parts", 4, "--workers", 4, "--opt", 0, "--memory-budget", f"{budget_mib}M",
                   "-o", tmp_path / "out", "--json")
    assert proc.returncode == 0, proc.stderr
    settings = json.loads(proc.stdout)["settings"]
    assert settings["workers"] == 4 and settings["workers_used"] == 2
    assert settings["memory_budget_bytes"] == budget_mib * MiB


# A fresh interpreter: the coordinator's free heap (which a forked worker fills before it
# needs a new mapping, and which no rlimit sees) is then small and the same every time.
_LIMITED = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from pcodegen.errors import WorkerError
    from pcodegen.ir.compile import CompileTask, compile_task
    from pcodegen.parallel.pool import run_pool

    text = Path(sys.argv[1]).read_text()
    before = resource.getrlimit(resource.RLIMIT_DATA)
    out = {}
    try:
        run_pool(compile_task, [CompileTask(0, "part-000", text, 2)], 1, labels=["part-000"], memory_limit=2**20)
        out["tiny"] = "compiled"
    except WorkerError as exc:
        out["tiny"] = str(exc)
    (res,) = run_pool(compile_task, [CompileTask(0, "part-000", text, 2)], 1, labels=["part-000"],
                      memory_limit=2**30)
    out["roomy"] = len(res.object)
    out["coordinator_unlimited"] = resource.getrlimit(resource.RLIMIT_DATA) == before
    print(json.dumps(out))
""")


def test_worker_over_its_memory_limit_is_a_reported_error() -> None:
    proc = subprocess.run([sys.executable, "-c", _LIMITED, str(DEMO)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    tiny = out["tiny"]
    # Python's MemoryError, or LLVM aborting on std::bad_alloc: either way the partition's
    # error, one line, naming the limit
    assert tiny.startswith("worker for part-000 failed: ") and "\n" not in tiny, tiny
    assert "MemoryError" in tiny or "SIGABRT" in tiny, tiny
    assert "memory limit (1 MiB of new memory per worker" in tiny and "raise the budget" in tiny
    assert out["roomy"] > 0 and out["coordinator_unlimited"]
