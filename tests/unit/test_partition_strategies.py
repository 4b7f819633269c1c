"""Each strategy follows its anchor's rule, and the default beats the anchors.

- LLVM's rules agree with the real `llvm-split-19` (where it is installed) and with the
  expectations of LLVM's own llvm-split tests.
- Julia, rustc and GCC rules are checked on small hand-made graphs whose answer can be
  worked out from the anchor's source.
- Every strategy is deterministic, keeps must-stay-together groups whole, and copes with
  degenerate graphs (random small graphs, more partitions than units).
- The default (`pcodegen`) keeps imbalance <= 1.05, at most half of llvm-hash's cut
  weight, and a predicted makespan no anchor beats, on synthetic graphs and the glmakie
  workload.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli
from pcodegen.graph import ModuleGraph, Unit, build_graph
from pcodegen.julia.graph import build_workload_graph
from pcodegen.ir.text import parse_module_text
from pcodegen.ir.load import load_module
from pcodegen.partition import DEFAULT_STRATEGY, STRATEGIES, partition
from pcodegen.partition.plan import list_schedule
from pcodegen.partition.units import md5_bucket, unit_graph
from pcodegen.partition.compare import compare, strategy_names
from pcodegen.partition.llvm import StdPriorityQueue, _clusters, _unnamed_names
from pcodegen.partition.rustc import natural_units
from helpers.synthetic import synthetic_graph

CONFORMANCE = Path(__file__).parents[1] / "conformance"
ANCHORS = ["julia", "llvm-hash", "llvm-round-robin", "rustc", "gcc-balanced"]


def _graph_of(tmp_path: Path, text: str) -> ModuleGraph:
    path = tmp_path / "m.ll"
    path.write_text(text)
    return build_graph(load_module(path).ir, str(path))


def _groups(assignment: dict[str, int], parts: int) -> list[list[str]]:
    return [sorted(n for n, p in assignment.items() if p == i) for i in range(parts)]


def _toy(costs: dict[str, int], edges: list[tuple[str, str, int]], init: list[tuple[str, str]] = (),
         units: list[tuple[str, ...]] = (), kinds: dict[str, str] | None = None,
         attrs: dict[str, dict] | None = None) -> ModuleGraph:
    g = nx.DiGraph()
    for order, (n, c) in enumerate(costs.items()):
        g.add_node(n, kind=(kinds or {}).get(n, "function"), cost=c, linkage="external", local=False, order=order,
                   comdat=None, duplicable=False, **(attrs or {}).get(n, {}))
    for a, b, w in edges:
        g.add_edge(a, b, calls=w, refs=0, weight=w)
    grouped = {m for u in units for m in u}
    us = [Unit(tuple(u), sum(costs[m] for m in u), g.nodes[u[0]]["order"]) for u in units]
    us += [Unit((n,), c, g.nodes[n]["order"]) for n, c in costs.items() if n not in grouped]
    us.sort(key=lambda u: u.order)
    return ModuleGraph(g, us, list(init))


# --- the registry and the CLI -------------------------------------------------------

def test_registry_has_every_strategy():
    assert DEFAULT_STRATEGY == "pcodegen"
    for name in ["pcodegen", *ANCHORS, "kl-bisection", "louvain", "round-robin"]:
        assert name in STRATEGIES
    assert strategy_names()[0] == "pcodegen"


@pytest.mark.slow
def test_cli_list_and_compare(tmp_path: Path):
    proc = run_cli("partition", "--list")
    assert proc.returncode == 0
    assert "* pcodegen" in proc.stdout and "llvm-hash" in proc.stdout
    proc = run_cli("partition", "--list", "--json")
    listed = json.loads(proc.stdout)
    assert {d["name"] for d in listed} == set(STRATEGIES)

    case = CONFORMANCE / "recursion.ll"
    proc = run_cli("partition", case, "--parts", 2, "--compare")
    assert proc.returncode == 0, proc.stderr
    for name in STRATEGIES:
        assert name in proc.stdout
    proc = run_cli("partition", case, "--parts", 3, "--workers", 3, "--compare", "--json")
    data = json.loads(proc.stdout)
    assert data["default"] == "pcodegen" and data["parts"] == 3
    rows = {r["strategy"]: r for r in data["strategies"]}
    assert set(rows) == set(STRATEGIES)
    assert all(r["error"] is None and r["imbalance"] >= 1.0 for r in rows.values())

    assert run_cli("partition", "--compare").returncode == 2  # no INPUT
    bad = run_cli("partition", case, "--compare", "--strategy", "julia")
    assert bad.returncode == 2 and "--compare" in bad.stderr


@pytest.mark.slow
def test_cli_partition_accepts_a_workload(tmp_path: Path):
    wl = tmp_path / "w.json"
    assert run_cli("synth", "--preset", "plots", "-o", wl).returncode == 0
    proc = run_cli("partition", wl, "--parts", 4, "--json")
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)
    assert plan["strategy"] == "pcodegen" and plan["parts"] == 4
    assert all(m.startswith("julia_") for ms in plan["members"] for m in ms)
    proc = run_cli("partition", wl, "--parts", 2, "--compare")
    assert proc.returncode == 0 and "gcc-balanced" in proc.stdout


def test_workload_graph():
    from pcodegen.julia.presets import synthesize

    wl = synthesize("plots")
    graph = build_workload_graph(wl)
    compiled = wl.compiled()
    assert graph.g.number_of_nodes() == len(compiled)
    assert graph.g.number_of_edges() == sum(len(ci.callees) for ci in compiled)
    assert len(graph.units) == len(compiled)
    for ci in compiled[:20]:
        d = graph.g.nodes[f"julia_{ci.name}_{ci.id}"]
        assert d["cost"] > ci.size and d["ci"] == ci.id


# --- LLVM -------------------------------------------------------------------------

LLVM_TEST_MODULE = "".join(f"define void @{n}() {{\n  ret void\n}}\n\n" for n in "ABCD")


def test_llvm_hash_matches_llvm_test_expectations(tmp_path: Path):
    # llvm/test/tools/llvm-split/name-hash-based-distribution.ll: -j 2 puts D in the
    # first module and A, B, C in the second.
    graph = _graph_of(tmp_path, LLVM_TEST_MODULE)
    assert _groups(STRATEGIES["llvm-hash"](graph, 2, 2), 2) == [["D"], ["A", "B", "C"]]
    assert [md5_bucket(n, 2) for n in "ABCD"] == [1, 1, 1, 0]


def test_llvm_round_robin_matches_llvm_test_expectations(tmp_path: Path):
    # llvm/test/tools/llvm-split/round-robin.ll: A and C in the first, B and D in the second.
    graph = _graph_of(tmp_path, "declare extern_weak void @e(...)\n\n" + LLVM_TEST_MODULE)
    assert _groups(STRATEGIES["llvm-round-robin"](graph, 2, 2), 2) == [["A", "C"], ["B", "D"]]


def test_std_priority_queue_orders_like_a_heap():
    rng = random.Random(1)
    items = [(rng.randrange(100), i) for i in range(200)]
    q = StdPriorityQueue(lambda a, b: a > b)  # std::greater: a min-heap
    for it in items:
        q.push(it)
    out = [q.pop() for _ in items]
    assert out == sorted(items)


def test_llvm_clusters_follow_insertion_order(tmp_path: Path):
    loaded = load_module(CONFORMANCE / "alias.ll")
    graph = build_graph(loaded.ir)
    # recordGVSet meets the aliases last: `second` joins `table` first, then the impl
    # aliases (the leader is impl_alias2, which joined impl's class last), then exported;
    # each cluster lists its members in insertion order.
    assert _clusters(graph) == [
        ["second", "table"], ["impl_alias", "impl", "impl_alias2"], ["exported", "hidden_impl"]]
    # and SplitModule deals them out in that order, each onto the emptiest partition
    a = STRATEGIES["llvm-hash"](graph, 3, 1)
    assert [{a[m] for m in c} for c in _clusters(graph)] == [{0}, {1}, {2}]


def _llvm_split(path: Path, parts: int, round_robin: bool, tmp: Path) -> list[list[str]]:
    cmd = ["llvm-split-19", "-j", str(parts), "-o", str(tmp / "out"), str(path)]
    subprocess.run(cmd + (["-round-robin"] if round_robin else []), check=True, capture_output=True)
    out = []
    for i in range(parts):
        text = subprocess.run(["llvm-dis-19", "-o", "-", str(tmp / f"out{i}")], check=True, capture_output=True,
                              text=True).stdout
        out.append(sorted(n for n in parse_module_text(text).entities if not n.startswith("llvm.")))
    return out


@pytest.mark.skipif(not (shutil.which("llvm-split-19") and shutil.which("llvm-dis-19")),
                    reason="llvm-split-19 is not installed")
@pytest.mark.parametrize("case", ["blockaddress", "ctors", "globals", "internals", "personality", "recursion",
                                  "unnamed"])
def test_llvm_strategies_agree_with_llvm_split(case: str, tmp_path: Path):
    """Cases with at most one cluster: LLVM 19 walks clusters in pointer order (its
    EquivalenceClasses was a std::set), current LLVM in insertion order, which is what
    pcodegen follows; with one cluster the two agree. (ifunc.ll is left out: llvm-split-19
    emits a broken module for it, an ifunc whose resolver is only declared.)"""
    path = CONFORMANCE / f"{case}.ll"
    graph = build_graph(load_module(path).ir)
    assert len(_clusters(graph)) <= 1
    rename = {n: s.strip('"') for n, s in _unnamed_names(graph).items()}
    for parts in (2, 3, 4):
        for name, rr in (("llvm-hash", False), ("llvm-round-robin", True)):
            got = STRATEGIES[name](graph, parts, parts)
            ours = [sorted(rename.get(n, n) for n in grp if not n.startswith("llvm."))
                    for grp in _groups(got, parts)]
            assert ours == _llvm_split(path, parts, rr, tmp_path), (name, parts)


# --- Julia --------------------------------------------------------------------------

def test_julia_unions_only_initializer_and_alias_edges():
    # f calls g heavily, but calls never join sets; the table's initializer joins h and k.
    graph = _toy({"f": 50, "g": 40, "h": 30, "k": 5, "table": 1},
                 [("f", "g", 9), ("table", "h", 1), ("table", "k", 1)],
                 init=[("table", "h"), ("table", "k")], kinds={"table": "variable"})
    a = STRATEGIES["julia"](graph, 2, 2)
    assert a["table"] == a["h"] == a["k"]
    # sets by weight, heaviest first onto the lightest: f (50) -> 0, g (40) -> 1,
    # {table, h, k} (36) -> 1
    assert (a["f"], a["g"], a["h"]) == (0, 1, 1)


def test_julia_is_lpt_on_sets():
    rng = random.Random(3)
    costs = {f"n{i}": rng.randrange(1, 100) for i in range(60)}
    graph = _toy(costs, [])
    a = STRATEGIES["julia"](graph, 4, 4)
    # every symbol is its own set: heaviest first (module order on ties), each onto the
    # partition that is lightest at that moment (the lowest numbered on ties)
    loads = [0] * 4
    for n in sorted(costs, key=lambda n: (-costs[n], int(n[1:]))):
        assert a[n] == loads.index(min(loads)), n
        loads[a[n]] += costs[n]


# --- rustc --------------------------------------------------------------------------

def test_rustc_merges_into_the_smallest_of_the_biggest():
    # natural units (from the `unit` attribute): A 100, B 60, C 30 (tied to B), D 20 (tied to A)
    costs = {"a": 100, "b": 60, "c": 30, "d": 20}
    attrs = {n: {"unit": n.upper()} for n in costs}
    graph = _toy(costs, [("c", "b", 5), ("d", "a", 3)], attrs=attrs)
    units, how = natural_units(graph)
    assert how == "unit attribute" and len(set(units)) == 4
    # N=2: sorted A,B,C,D; dst = B (2nd largest); C overlaps B most -> B+C=90.
    # then sorted A(100),BC(90),D(20): dst=BC; D overlaps only A -> no overlap with BC,
    # so the biggest remaining (D) goes into BC.
    a = STRATEGIES["rustc"](graph, 2, 2)
    assert a["b"] == a["c"] == a["d"] != a["a"]


def test_rustc_stand_in_units_are_runs_of_module_order():
    graph = synthetic_graph(600, seed=1)
    for n in graph.g:
        graph.g.nodes[n].pop("unit", None)
    units, how = natural_units(graph)
    assert how.startswith("runs of")
    ug = unit_graph(graph)
    fn_units = [units[i] for i in sorted(range(ug.n), key=ug.order.__getitem__)
                if graph.g.nodes[ug.members[i][0]]["kind"] == "function"]
    assert fn_units == sorted(fn_units)  # contiguous, in order


# --- GCC ----------------------------------------------------------------------------

def test_gcc_fills_in_order_and_rolls_back_to_the_best_boundary():
    # a chain of ten equal functions; 0-4 are tightly knit, 5-9 too, one weak link 4->5.
    costs = {f"f{i}": 10 for i in range(10)}
    edges = [(f"f{i}", f"f{i + 1}", 1 if i == 4 else 10) for i in range(9)]
    graph = _toy(costs, edges)
    a = STRATEGIES["gcc-balanced"](graph, 2, 2)
    assert _groups(a, 2) == [[f"f{i}" for i in range(5)], [f"f{i}" for i in range(5, 10)]]
    # weak link 3->4: past 7/8 of the target (f4, size 50) no step beats the ratio
    # remembered at f3, so crossing 9/8 (f5, size 60) rolls back to f0..f3
    edges = [(f"f{i}", f"f{i + 1}", 1 if i == 3 else 10) for i in range(9)]
    a = STRATEGIES["gcc-balanced"](_toy(costs, edges), 2, 2)
    assert _groups(a, 2) == [[f"f{i}" for i in range(4)], [f"f{i}" for i in range(4, 10)]]


def test_gcc_pulls_variables_in_with_their_users():
    costs = {"f0": 10, "v": 1, "f1": 10, "f2": 10, "f3": 10}
    graph = _toy(costs, [("f0", "v", 1), ("f3", "v", 1), ("f0", "f1", 1)], kinds={"v": "variable"})
    a = STRATEGIES["gcc-balanced"](graph, 2, 2)
    assert a["v"] == a["f0"]


# --- every strategy -----------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_deterministic_and_groups_whole(name: str):
    graph = synthetic_graph(1500, seed=7)
    first = partition(graph, 5, name, 5)
    graph2 = synthetic_graph(1500, seed=7)
    second = partition(graph2, 5, name, 5)
    assert first.members == second.members
    owner = first.assignment
    for unit in graph.units:
        assert len({owner[m] for m in unit.members}) == 1


@settings(max_examples=60, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 30), parts=st.integers(1, 9), density=st.floats(0, 3), seed=st.integers(0, 10**6))
def test_strategies_on_small_random_graphs(n: int, parts: int, density: float, seed: int):
    rng = random.Random(seed)
    costs = {f"n{i}": rng.choice([1, 1, 2, 5, 40, 300]) for i in range(n)}
    names = list(costs)
    edges = [(rng.choice(names), rng.choice(names), rng.randrange(1, 4)) for _ in range(int(density * n))]
    edges = [(a, b, w) for a, b, w in edges if a != b]
    units = [tuple(names[i:i + 2]) for i in range(0, n - 1, 7)]
    kinds = {m: "variable" for m in names[::5]}
    graph = _toy(costs, edges, units=units, kinds=kinds)
    total = sum(costs.values())
    for name in STRATEGIES:
        plan = partition(graph, parts, name, parts)
        assert 1 <= plan.parts <= min(parts, len(graph.units))
        assert sum(plan.metrics.partition_costs) == total
    ours = partition(graph, parts, "pcodegen", parts)
    assert ours.metrics.predicted_makespan <= list_schedule([u.cost for u in graph.units], parts)


# --- the default against the anchors --------------------------------------------------

def _check_default(graph: ModuleGraph, parts: int):
    rows = {r.strategy: r for r in compare(graph, parts, parts, ["pcodegen", *ANCHORS])}
    ours = rows["pcodegen"]
    assert ours.error is None
    assert ours.imbalance <= 1.05
    assert ours.cut_weight * 2 <= rows["llvm-hash"].cut_weight
    for anchor in ANCHORS:
        assert ours.predicted_makespan <= rows[anchor].predicted_makespan, anchor


@pytest.mark.parametrize("parts", [2, 4, 8, 16])
def test_default_beats_anchors_on_synthetic(parts: int):
    _check_default(synthetic_graph(4000, seed=parts), parts)


@pytest.fixture(scope="module")
def glmakie_graph() -> ModuleGraph:
    from pcodegen.julia.presets import synthesize

    return build_workload_graph(synthesize("glmakie"))


@pytest.mark.parametrize("parts", [2, 4, 8, 16])
@pytest.mark.slow
def test_default_beats_anchors_on_glmakie(glmakie_graph: ModuleGraph, parts: int):
    _check_default(glmakie_graph, parts)


def test_default_uses_free_units_to_level(tmp_path: Path):
    """Units with no references level the partitions exactly, at no cut."""
    costs = {f"f{i}": 50 for i in range(8)} | {f"free{i}": 1 for i in range(40)}
    edges = [(f"f{i}", f"f{i + 1}", 5) for i in range(7)]
    graph = _toy(costs, edges)
    plan = partition(graph, 2, "pcodegen", 2)
    assert plan.metrics.partition_costs == [220, 220]
    assert plan.metrics.cut_weight == 5


@pytest.mark.parametrize("parts", [8, 16, 32, 64])
def test_opening_partitions_are_the_plans_first(parts: int) -> None:
    """What `early_partitions` dispatches before the plan is exactly the strategy's first
    partitions: oversized units alone, then (16 partitions or more) grown ones until two
    are known (one per 8 partitions in bigger plans), none past an even share of what
    was left for it."""
    from pcodegen.partition.multilevel import early_count, multilevel_partition, opening_partitions

    graph = synthetic_graph(4000, seed=parts)
    ug = unit_graph(graph)
    groups = opening_partitions(ug.cost, ug.adj, parts)
    assert groups == opening_partitions(ug.cost, ug.adj, parts)  # a function of graph and parts
    assert len(groups) >= early_count(parts) == {8: 0, 16: 2, 32: 4, 64: 8}[parts]
    part = multilevel_partition(ug.cost, ug.adj, parts)
    left = sum(ug.cost)
    for i, members in enumerate(groups):
        assert sorted(members) == [u for u, p in enumerate(part) if p == i]
        load = sum(ug.cost[u] for u in members)
        assert len(members) == 1 or load <= left / (parts - i)
        left -= load
