"""Partitioners that only look at the order of things: plain round-robin over the
graph's units, and two splits of an ordered list of ids (contiguous runs of balanced
size; blocks dealt out in turn) that the Julia model uses for CodeInstances."""

from __future__ import annotations

from typing import Sequence

from pcodegen.graph import ModuleGraph
from pcodegen.partition import strategy


@strategy("round-robin")
def round_robin(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """Units in module order, dealt to partitions in turn."""
    return {m: i % parts for i, unit in enumerate(graph.units) for m in unit.members}


def contiguous_runs(ids: Sequence[int], sizes: Sequence[int], parts: int) -> list[list[int]]:
    """Split `ids` (in order, with their `sizes`) into at most `parts` runs of balanced
    total size, each non-empty and sorted; keeps neighbours together.

    Raises ValueError if `parts` is below 1."""
    if parts < 1:
        raise ValueError(f"parts must be at least 1, got {parts}")
    parts = min(parts, len(ids))
    total = sum(sizes)
    out: list[list[int]] = [[] for _ in range(parts)]
    acc = 0
    for i, size in zip(ids, sizes):
        k = min(parts - 1, int(acc * parts / total))
        out[k].append(i)
        acc += size
    for k in range(parts):  # every run gets at least one id
        if not out[k]:
            donor = max(range(parts), key=lambda j: len(out[j]))
            out[k].append(out[donor].pop())
            out = [sorted(p) for p in out]
    return out


def dealt_blocks(ids: Sequence[int], parts: int, block: int = 4) -> list[list[int]]:
    """Blocks of `block` consecutive ids dealt out to `parts` partitions in turn."""
    out: list[list[int]] = [[] for _ in range(parts)]
    for k, i in enumerate(ids):
        out[(k // block) % parts].append(i)
    return out
