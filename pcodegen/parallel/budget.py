"""Memory budget: cap the worker count so the workers' memory fits, the way Julia caps
its image-codegen threads (`compute_image_thread_count` in aotcompile.cpp limits the
thread count to available memory / (module weight x a fudge factor)).

pcodegen's estimate of one worker's own memory (what it adds on top of the pages it
shares with the coordinator after fork) is linear in the cost of the largest partition:

    worker_kb = WORKER_BASE_KB + KB_PER_COST * cost

The constants come from `pcodegen bench` on x86-64 (llvmlite 0.50, LLVM 22) at O2, as
peak RSS minus the copy-on-write baseline at fork: the whole SQLite module (cost
445,797) grew its worker by 100 MiB, half of it by 55 MiB, the 1,028-cost demo sample
by 52 MiB (RSS also counts LLVM's code pages as the worker first touches them, shared
with every other process). 32 MiB + 0.2 KiB per cost unit is on the safe side for large
partitions, where a budget matters. The bench reports the measured figures per build.

With a budget B for the whole compile, workers <= (B - coordinator RSS now) / worker_kb.
"""

from __future__ import annotations

import re

from pcodegen.errors import ParameterError

WORKER_BASE_KB = 32 * 1024
KB_PER_COST = 0.2

_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text: str | int | None) -> int | None:
    """Bytes from '4G', '512M', '1.5GiB', '800000K' or a plain number of bytes."""
    if text is None or isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*", text)
    if not m:
        raise ParameterError("memory_budget", f"{text!r}: expected a size such as 4G, 512M or 1.5GiB")
    value = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if value <= 0:
        raise ParameterError("memory_budget", f"must be positive, got {text!r}")
    return value


def worker_estimate_kb(partition_cost: float, base_kb: float = WORKER_BASE_KB, kb_per_cost: float = KB_PER_COST) -> float:
    """Estimated private memory of one worker compiling a partition of this cost."""
    return base_kb + kb_per_cost * partition_cost


def cap_workers(requested: int, budget_bytes: int | None, partition_costs: list[int], coordinator_kb: int,
                base_kb: float = WORKER_BASE_KB, kb_per_cost: float = KB_PER_COST) -> tuple[int, str]:
    """(workers, note): at most `requested`, at least 1, and as many as the budget left
    after the coordinator allows when every worker compiles the largest partition."""
    if budget_bytes is None:
        return requested, ""
    per = worker_estimate_kb(max(partition_costs, default=0), base_kb, kb_per_cost)
    left_kb = budget_bytes / 1024 - coordinator_kb
    allowed = max(1, int(left_kb // per)) if left_kb > 0 else 1
    if allowed >= requested:
        return requested, ""
    return allowed, (f"memory budget {budget_bytes / 2**20:.0f} MiB: coordinator {coordinator_kb / 1024:.0f} MiB, "
                     f"~{per / 1024:.0f} MiB per worker; workers capped from {requested} to {allowed}")
