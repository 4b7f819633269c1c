"""Every partitioning strategy builds an sqlite3 shell that behaves exactly like the
serially built one, at 2, 4 and 8 partitions (O0 codegen to keep the matrix fast).

`julia` and `round-robin` are covered at these partition counts by test_sqlite.py;
this file covers the others, and checks the default's quality figures on SQLite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import needs_clang, run_cli, run_shell
from pcodegen.partition import DEFAULT_STRATEGY, partition
from pcodegen.partition.compare import strategy_names

pytestmark = pytest.mark.slow  # end to end on real modules: `pytest -m "not slow"` leaves it out

COVERED_ELSEWHERE = {"julia", "round-robin"}
STRATEGIES = [s for s in strategy_names() if s not in COVERED_ELSEWHERE]


@needs_clang
@pytest.mark.parametrize("parts", [2, 4, 8])
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_strategy_shell_matches_serial(sqlite_bc: Path, sqlite_link_args: list[str], sqlite_script: Path,
                                       sqlite_serial_output, tmp_path: Path, strategy: str, parts: int) -> None:
    exe = tmp_path / "sqlite3"
    proc = run_cli("compile", sqlite_bc, "--parts", parts, "--workers", 2, "--strategy", strategy, "--opt", 0,
                   "--link", "exe", "-o", exe, *sqlite_link_args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert run_shell(exe, sqlite_script) == sqlite_serial_output(0)


@needs_clang
def test_default_quality_on_sqlite(sqlite_bc: Path) -> None:
    """The issue's bar: the largest partition within 5% of the ideal (the mean, or the
    largest unit where that is bigger: the calibrated model's KeccakF1600Step is 1.5 s
    where 16 partitions' mean is 1.0 s), cut weight at most half of llvm-hash's, and no
    anchor strategy with a lower predicted makespan, at 2, 4, 8 and 16 partitions."""
    from pcodegen.graph import build_graph
    from pcodegen.ir.load import load_module

    graph = build_graph(load_module(sqlite_bc).ir, str(sqlite_bc))
    assert DEFAULT_STRATEGY == "pcodegen"
    largest_unit = max(u.cost for u in graph.units)
    for parts in (2, 4, 8, 16):
        ours = partition(graph, parts, "pcodegen", parts).metrics
        ideal = max(ours.total_cost / parts, largest_unit)
        assert max(ours.partition_costs) <= 1.05 * ideal, (parts, ours.partition_costs)
        hashed = partition(graph, parts, "llvm-hash", parts).metrics
        assert ours.cut_weight * 2 <= hashed.cut_weight, (parts, ours.cut_weight, hashed.cut_weight)
        for anchor in ("julia", "llvm-hash", "llvm-round-robin", "rustc", "gcc-balanced"):
            other = partition(graph, parts, anchor, parts).metrics
            assert ours.predicted_makespan <= other.predicted_makespan, (parts, anchor)


@needs_clang
def test_auto_partition_count(sqlite_bc: Path, tmp_path: Path) -> None:
    """`--parts auto` (the default) sizes partitions by cost alone: 32 for SQLite
    whatever --workers says, and never fewer than 2."""
    import json

    from conftest import run_cli
    from pcodegen.graph import build_graph
    from pcodegen.ir.load import load_module
    from pcodegen.partition import AUTO_PARTITION_COST, AUTO_PARTITION_SECONDS, auto_parts

    graph = build_graph(load_module(sqlite_bc).ir, str(sqlite_bc))  # the calibrated model: microseconds
    assert auto_parts(graph) == -(-graph.total_cost // int(AUTO_PARTITION_SECONDS * 1e6)) == 32
    sized = build_graph(load_module(sqlite_bc).ir, str(sqlite_bc), "size")
    assert auto_parts(sized) == -(-sized.total_cost // AUTO_PARTITION_COST) == 32
    plans = [json.loads(run_cli("partition", sqlite_bc, "--workers", w, "--json").stdout) for w in (1, 8)]
    assert plans[0]["parts"] == plans[1]["parts"] == 32 and plans[0]["members"] == plans[1]["members"]
    demo = run_cli("partition", Path(__file__).parents[2] / "pcodegen" / "data" / "demo.ll", "--json")
    assert json.loads(demo.stdout)["parts"] == 2
