"""GCC 15's cache partitioning (`gcc-cache`): without source files every unit is its own
group, so partitions are runs in module order, halved by size; more than 64 partitions
first cut the groups into 4 by count."""

from __future__ import annotations

from pcodegen.graph import build_graph
from pcodegen.ir.text import parse_module_text
from pcodegen.partition import partition


def module(n: int, grow: int | None = None) -> str:
    out = []
    for i in range(n):
        body = "\n".join(f"  %v{k} = add i32 %a, {k}" for k in range(1 + (i % 5) + (30 if i == grow else 0)))
        out.append(f"define i32 @f{i}(i32 %a) {{\n{body}\n  ret i32 %a\n}}")
    return "\n".join(out) + "\n"


def runs(plan) -> list[list[int]]:
    return [sorted(int(m[1:]) for m in ms) for ms in plan.members]


def test_runs_in_module_order() -> None:
    graph = build_graph(parse_module_text(module(40)), "t")
    plan = partition(graph, 4, "gcc-cache", 2)
    assert plan.parts == 4
    for r in runs(plan):
        assert r == list(range(r[0], r[-1] + 1))  # contiguous
    assert plan.metrics.imbalance < 1.3
    assert runs(partition(graph, 4, "gcc-cache", 1)) == runs(plan)  # not a function of the worker count


def test_a_grown_function_shifts_the_halving_points() -> None:
    """Without source files to hold boundaries, a function that grows moves the size
    midpoints after it: the partitions before the edit keep their start, later ones
    move (what the edit experiment measures against the stable plans)."""
    before = runs(partition(build_graph(parse_module_text(module(64)), "t"), 8, "gcc-cache", 2))
    after = runs(partition(build_graph(parse_module_text(module(64, grow=5)), "t"), 8, "gcc-cache", 2))
    assert before[0][0] == after[0][0] == 0 and 5 in after[0]
    assert len(after[0]) < len(before[0])  # the grown function's partition holds fewer units
    assert sorted(u for r in after for u in r) == list(range(64))


def test_many_partitions_split_by_count_first() -> None:
    graph = build_graph(parse_module_text(module(400)), "t")
    plan = partition(graph, 80, "gcc-cache", 2)
    assert 60 <= plan.parts <= 80
    firsts = sorted(r[0] for r in runs(plan))
    assert 100 in firsts and 200 in firsts and 300 in firsts  # the four fixed sets start partitions
