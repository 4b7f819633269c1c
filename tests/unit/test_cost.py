"""Cost rules: IR features (instruction classes, block sizes, blocks inside loops), the
profile rule's lookup, and unknown rules as one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pcodegen.cost import FAST_FEATURES, check_cost_rule, costs, features, load_model, load_profile, model_features
from pcodegen.errors import UsageError
from pcodegen.graph import build_graph
from pcodegen.ir.text import parse_module_text
from pcodegen.partition import auto_parts

LOOP = """define i64 @loop(i64 %n) {
entry:
  br label %body
body:
  %i = phi i64 [ 0, %entry ], [ %j, %body ]
  %x = mul i64 %i, 3
  %y = xor i64 %x, %i
  %j = add i64 %i, 1
  %c = icmp ult i64 %j, %n
  br i1 %c, label %body, label %done
done:
  %r = udiv i64 %y, 7
  ret i64 %r
}"""

STRAIGHT = """define i64 @straight(i64 %a) {
  %x = mul i64 %a, 3
  %y = xor i64 %x, %a
  %z = add i64 %y, 1
  %p = alloca i64
  store i64 %z, ptr %p
  %q = load i64, ptr %p
  switch i64 %q, label %d [
    i64 0, label %d
    i64 1, label %d
  ]
d:
  ret i64 %q
}"""


def test_features_count_classes_and_loops() -> None:
    f = features(LOOP)
    assert f["instructions"] == 9 and f["phis"] == 1 and f["int_arith"] == 3 and f["int_div"] == 1
    assert f["compares"] == 1 and f["branches"] == 2 and f["blocks"] == 3
    assert f["loop_sq_k"] == pytest.approx(6 * 6 / 1000)  # the body block (6 instructions) has the back edge
    g = features(STRAIGHT)
    assert g["loop_sq_k"] == 0 and g["switches"] == 1 and g["switch_cases"] == 2
    assert g["allocas"] == 1 and g["loads"] == 1 and g["stores"] == 1 and g["blocks"] == 2
    assert features("@g = global i32 1")["globals"] == 1


CALLS = """define void @calls(ptr %f) personality ptr null {
  call void %f()
  %call = tail call i32 @g(i32 1)
  %r = musttail call i32 @g(i32 %call)
  invoke void %f() to label %ok unwind label %bad
ok:
  ret void
bad:
  %lp = landingpad { ptr, i32 } cleanup
  %s = select i1 true, i32 1, i32 2
  %c = sext i32 %s to i64
  ret void
}"""


def test_model_features_match_features(sample_modules: dict[str, Path]) -> None:
    """The coordinator's fast extraction gives the model exactly what fitting saw."""
    from pcodegen.ir.load import load_module

    assert set(load_model().coefficients) <= FAST_FEATURES  # else costs() falls back to features()
    texts = [LOOP, STRAIGHT, CALLS, "@g = global i32 1"]
    for src in sample_modules.values():
        texts += [e.text for e in load_module(src).ir.entities.values()]
    for text in texts:
        full, fast = features(text), model_features(text)
        assert {k: full[k] for k in FAST_FEATURES} == {k: fast[k] for k in FAST_FEATURES}, text[:80]
    assert model_features(CALLS)["calls"] == 4 and model_features(CALLS)["selects"] == 1


def test_unknown_rule_is_a_usage_error() -> None:
    assert check_cost_rule("size") == "size" and check_cost_rule("profile:x.json") == "profile:x.json"
    for bad in ("bogus", "profile:", "Model"):
        with pytest.raises(UsageError, match="choose model, size or profile:FILE"):
            check_cost_rule(bad)


def test_profile_rule_takes_measured_seconds(tmp_path: Path) -> None:
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps({"schema": "pcodegen.profile/1", "units": [
        {"name": "loop", "members": ["loop"], "optimize_s": 0.5, "emit_s": 0.25},
        {"name": "straight", "members": ["straight"], "optimize_s": 0.001, "emit_s": 0.0}]}))
    load_profile.cache_clear()
    ir = parse_module_text(LOOP + "\n" + STRAIGHT + "\n")
    sizes = {n: 1 + e.instructions + e.blocks for n, e in ir.entities.items()}
    got = costs({n: e.text for n, e in ir.entities.items()}, sizes, f"profile:{prof}")
    assert got == {"loop": 750_000, "straight": 1_000}
    graph = build_graph(ir, "t", f"profile:{prof}")
    assert graph.cost_rule.startswith("profile:") and graph.g.nodes["loop"]["size"] == sizes["loop"]
    assert auto_parts(graph) == 2  # 0.751 s of measured time: one partition per 0.5 s
    with pytest.raises(UsageError, match="no such profile"):
        costs({}, {}, f"profile:{tmp_path / 'none.json'}")
    (tmp_path / "bad.json").write_text('{"schema": "other"}')
    with pytest.raises(UsageError, match="not a pcodegen profile"):
        costs({}, {}, f"profile:{tmp_path / 'bad.json'}")
