"""Partitions known before the plan (a unit costlier than a partition's share) start
while the coordinator plans the rest: the objects are the ones a plan-first build
makes, and an early partition whose text the final plan changes is compiled again."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcodegen import pipeline
from pcodegen.partition import early_partitions, make_plan, provisional_plan
from pcodegen.pipeline import CompileOptions, compile_parallel, load_and_graph

PARTS = 6  # kernels.bc: at 6 partitions its largest function is bigger than a share


def _build(src: Path, **kw) -> pipeline.CompileRun:
    run = compile_parallel(src, CompileOptions(parts=PARTS, workers=2, opt=1, **kw))
    assert run.symbols is not None and run.symbols.ok, run.symbols
    return run


def _objects(run: pipeline.CompileRun) -> list[bytes]:
    return [r.object for r in run.results]


@pytest.fixture(scope="module")
def kernels(sample_modules: dict[str, Path]) -> Path:
    src = sample_modules["kernels"]
    _, graph = load_and_graph(src, CompileOptions(), {})
    known = early_partitions(graph, PARTS)
    assert known is not None and known[1] >= 1, "kernels.bc no longer has a unit bigger than a share"
    return src


@pytest.fixture(scope="module")
def planned_first(kernels: Path) -> pipeline.CompileRun:
    """The in-process executor plans everything before compiling anything."""
    return _build(kernels, executor="serial")


def test_early_partitions_start_before_the_plan_and_match_a_planned_build(kernels: Path,
                                                                           planned_first: pipeline.CompileRun) -> None:
    run = _build(kernels)
    assert "partition" in run.overlapped and "partition" not in run.phases  # planned beside the first worker
    assert "partition" in planned_first.phases
    assert run.plan.members == planned_first.plan.members
    assert _objects(run) == _objects(planned_first)
    assert not run.notes
    # the early partition was running before the plan existed: it started before the others
    starts = [s[0] for s in run.spans]
    assert starts[0] == min(starts)


def test_early_partition_changed_by_the_final_plan_is_compiled_again(kernels: Path,
                                                                      planned_first: pipeline.CompileRun,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(graph, parts, groups, name="pcodegen"):  # a provisional partition 0 the final plan does not have
        plan = provisional_plan(graph, parts, groups, name)
        first = plan.members[1][0]
        assignment = {m: 1 for m in graph.g}
        assignment[first] = 0
        return make_plan(graph, assignment, name, parts, 1)

    monkeypatch.setattr(pipeline, "provisional_plan", wrong)  # the early workers make it after their fork
    run = _build(kernels)
    assert any("compiled again" in n for n in run.notes)
    assert len(run.results) == len(planned_first.results)
    assert _objects(run) == _objects(planned_first)


def test_no_early_start_where_it_cannot_apply(kernels: Path) -> None:
    for kw in ({"strategy": "julia"}, {"memory_budget": 8 << 30}, {"parts": 2}):
        opts = {"parts": PARTS, **kw}
        run = compile_parallel(kernels, CompileOptions(workers=2, opt=1, **opts))
        assert "partition" in run.phases and "partition" not in run.overlapped, kw


def test_early_worker_never_inherits_a_held_llvm_lock(kernels: Path, planned_first: pipeline.CompileRun) -> None:
    """A worker forked while another thread of the coordinator held llvmlite's global
    lock (freeing the module, as it once did) would wait for that lock forever (it did,
    in about one build in twelve). The task timeout turns such a hang into a failure here."""
    for _ in range(8):
        run = compile_parallel(kernels, CompileOptions(parts=PARTS, workers=2, opt=0, timeout=60))
        assert "partition" in run.overlapped and run.symbols.ok


@pytest.mark.parametrize("parts", [PARTS, 16, 32])
def test_provisional_plan_reads_only_edges_that_can_cross(sample_modules: dict[str, Path], parts: int) -> None:
    """early_partitions looks only at the edges touching its early partitions; its plan
    is the one make_plan builds from every edge of the graph (same promotions, copies,
    declarations and cut), so the early partitions' texts do not depend on the shortcut."""
    compared = 0
    for src in sample_modules.values():
        _, graph = load_and_graph(src, CompileOptions(), {})
        known = early_partitions(graph, parts)
        if known is None:
            continue
        compared += 1
        plan, _ = known
        assignment = {m: p for p, ms in enumerate(plan.members) for m in ms}
        full = make_plan(graph, assignment, "pcodegen", parts, 1)
        assert (plan.members, plan.promoted, plan.weakened, plan.duplicated) == \
            (full.members, full.promoted, full.weakened, full.duplicated)
        assert plan.metrics == full.metrics
    assert compared, "no sample has partitions known before the plan"
