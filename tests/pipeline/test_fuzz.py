"""Differential fuzzing in CI: random modules, each built serially and in parallel with a
random strategy, partition count and optimisation level, must behave the same, and the
validator (symbol report and program report) must agree with the behaviour: a
behavioural mismatch it does not flag is a validator miss, a finding on a program that
behaves the same is a false positive, and both fail the test.

Two shapes: `f(i64, i64)` libraries (the exported functions called through ctypes) and
C++/Rust-shaped programs (constructors, destructors, comdats, aliases, thread-locals,
exceptions, sections) linked as executables and run. A fixed seed keeps CI repeatable;
benchmarks/fuzz_long.py runs longer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helpers import fuzz
from helpers.fuzz import (AliasSpec, ComdatSpec, CxxSpec, EhSpec, FnSpec, GlobalSpec, ModuleSpec, SplitBug,
                           StructorSpec, TlsSpec, ValidatorFalsePositive, ValidatorMiss, Verdict, build_cxx_ir,
                           build_ir, check_program_build, cxx_specs, differential_check,
                           differential_check_program, module_specs)
from pcodegen.partition import STRATEGIES

pytestmark = pytest.mark.slow  # end to end on real modules: `pytest -m "not slow"` leaves it out



def fuzz_settings(examples: int) -> settings:
    """Derandomized; no shrinking, so a failing run costs no more than a passing one (the
    falsifying example is printed whole and rebuilds its module)."""
    return settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@fuzz_settings(200)
@given(spec=module_specs(), strategy=st.sampled_from(sorted(STRATEGIES)), parts=st.integers(1, 6),
       opt=st.integers(0, 2))
def test_parallel_build_equals_serial_build(tmp_path_factory, spec, strategy: str, parts: int, opt: int) -> None:
    work = tmp_path_factory.mktemp("fuzz")
    try:
        differential_check(build_ir(spec), Path(work), strategy, parts, opt)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@fuzz_settings(200)
@given(spec=cxx_specs(), strategy=st.sampled_from(sorted(STRATEGIES)), parts=st.integers(1, 8),
       opt=st.integers(0, 2))
def test_cxx_program_behaves_like_serial_build(tmp_path_factory, spec, strategy: str, parts: int, opt: int) -> None:
    work = tmp_path_factory.mktemp("fuzzcxx")
    try:
        differential_check_program(build_cxx_ir(spec), Path(work), strategy, parts, opt)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_optimiser_reordering_same_priority_constructors_is_inconclusive(tmp_path: Path) -> None:
    """A program the C++ fuzzer generated: two constructors of one priority touch the same
    global, and the serial build's optimiser folds the second into initialisers (LangRef
    leaves the order of entries of one priority undefined), so it runs first there; the
    partitioned build keeps both in list order. Not a split bug: the check says the
    example is inconclusive rather than a validator miss."""
    spec = CxxSpec(
        ModuleSpec([FnSpec("internal", []), FnSpec("linkonce_odr", [("load", 2818), ("call", 1408)])],
                   [GlobalSpec("gptr", "external", 334, True), GlobalSpec("int", "internal", 313, True),
                    GlobalSpec("gptr", "external", -3892, False),
                    GlobalSpec("fnptr", "external", -1_099_511_627_775, False),
                    GlobalSpec("int", "external", 35470728, True)],
                   [b"\x15ts(6\x82\xb8\x18", b"\xfe\x16\x1a\xbd\xe2"]),
        [StructorSpec("atexit", 65535, False, 54, 10, "internal"), StructorSpec("ctor", 65535, False, 71, 6, "internal"),
         StructorSpec("dtor", 102, True, 93, 20, "internal")],
        [TlsSpec("external", "", 165937, False, False), TlsSpec("external", "", 13899, True, True)],
        [], [ComdatSpec(4, -2940)],
        [AliasSpec("elem", 68, "internal"), AliasSpec("fn", 70, "weak"), AliasSpec("var", 12, "internal"),
         AliasSpec("var", 39, "external")],
        [48_484_307_656, -72961575, -486613, 64443], [2])
    with pytest.raises(fuzz.Inconclusive, match="only one build folded ctors:init1"):
        fuzz.differential_check_program(fuzz.build_cxx_ir(spec), tmp_path, "pcodegen", 3, 1)


def sabotage_spec() -> CxxSpec:
    """A program whose constructors (three unkeyed, of one priority, reading each other's
    values; one keyed), destructors and thread-local all show in its output."""
    base = ModuleSpec([FnSpec("external", [("add", 3), ("call", 1), ("load", 0), ("store", 0)]),
                       FnSpec("internal", [("mul", 5), ("xor", 9)])],
                      [GlobalSpec("int", "internal", 5), GlobalSpec("int", "external", 9)])
    structors = [StructorSpec("ctor", 65535, False, 0, 0), StructorSpec("ctor", 65535, False, 1, 1),
                 StructorSpec("ctor", 65535, False, 2, -1, "external"), StructorSpec("ctor", 65535, True, 3, 0),
                 StructorSpec("dtor", 65535, False, 0, -1), StructorSpec("atexit", 101, False, 4, -1)]
    tls = [TlsSpec("internal", "", 7, direct=True), TlsSpec("external", "initialexec", 8, direct=True)]
    return CxxSpec(base, structors, tls,
                   [EhSpec(42, False, True, "internal", 1)], [ComdatSpec(3, 77)], [AliasSpec("fn", 1, "external")])


# Each kind breaks something the program's output shows; a few plans each, since a
# kind may need its victims in different partitions.
SABOTAGE_PLANS = [("round-robin", 3), ("llvm-hash", 5), ("pcodegen", 4), ("rustc", 8)]


@pytest.mark.parametrize("kind", ["drop-ctor", "reorder-ctors", "structor-keys", "non-tls"])
def test_validator_flags_every_sabotaged_mismatch(tmp_path: Path, kind: str) -> None:
    """The miss detection works: a partitioned build broken on purpose (in the workers)
    behaves differently, and the validator flags it, so the check reports a split bug
    and never a validator miss."""
    text = build_cxx_ir(sabotage_spec())
    differed = []
    for strategy, parts in SABOTAGE_PLANS:
        work = tmp_path / f"{strategy}-{parts}"
        work.mkdir()
        verdict = check_program_build(text, work, strategy, parts, opt=0, sabotage=kind)
        if not verdict.same:
            differed.append(strategy)
            assert not verdict.validator_ok, f"validator miss under {kind} ({strategy}, {parts} parts)"
            with pytest.raises(SplitBug):
                verdict.raise_if_failed()
    assert differed, f"{kind}: no plan made the sabotaged program behave differently"


def test_unsabotaged_program_passes(tmp_path: Path) -> None:
    text = build_cxx_ir(sabotage_spec())
    for strategy, parts in SABOTAGE_PLANS:
        work = tmp_path / f"{strategy}-{parts}"
        work.mkdir()
        verdict = check_program_build(text, work, strategy, parts, opt=0)
        assert verdict.same and verdict.validator_ok, (verdict.findings, verdict.summary)


def test_blind_validator_is_reported_as_a_miss(tmp_path: Path, monkeypatch) -> None:
    """With the program report silenced, the same sabotage is a validator miss."""
    import pcodegen.validate.program as vp

    class Clean:
        ok = True

        def lines(self) -> list[str]:
            return []

    monkeypatch.setattr(vp, "check_program", lambda *a, **k: Clean())
    verdict = check_program_build(build_cxx_ir(sabotage_spec()), tmp_path, "round-robin", 3, opt=0,
                                  sabotage="drop-ctor")
    assert not verdict.same and verdict.validator_ok
    with pytest.raises(ValidatorMiss):
        verdict.raise_if_failed()


def test_outcomes_are_told_apart() -> None:
    Verdict(True, {}, {}, [], "").raise_if_failed()
    with pytest.raises(ValidatorFalsePositive):
        Verdict(True, {"a": 1}, {"a": 1}, ["program: x"], "").raise_if_failed()
    with pytest.raises(SplitBug):
        Verdict(False, {"a": 1}, {"a": 2}, ["program: x"], "").raise_if_failed()
    with pytest.raises(ValidatorMiss, match="a: serial 1 parallel 2"):
        Verdict(False, {"a": 1}, {"a": 2}, [], "").raise_if_failed()
    assert not issubclass(ValidatorMiss, SplitBug) and issubclass(ValidatorMiss, fuzz.FuzzFailure)


def test_generated_program_covers_the_shapes() -> None:
    text = build_cxx_ir(sabotage_spec())
    for needle in ("@llvm.global_ctors", "@llvm.global_dtors", "ptr @kv3 }", "comdat($kv3)", "thread_local",
                   "@__cxa_throw", "landingpad", "@__cxa_atexit", "alias i64 (i64, i64)", "comdat($cdf0)"):
        assert needle in text, needle
