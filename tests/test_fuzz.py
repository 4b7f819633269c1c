"""Differential fuzzing in CI: 200 random modules, each built serially and in parallel
with a random strategy, partition count and optimisation level, must export the same
symbols and return the same values from every exported function (ctypes on the linked
shared libraries). A fixed seed keeps CI repeatable; benchmarks/fuzz_long.py runs longer."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcodegen.fuzz import build_ir, differential_check, module_specs
from pcodegen.partition import STRATEGIES


@settings(max_examples=200, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=module_specs(), strategy=st.sampled_from(sorted(STRATEGIES)), parts=st.integers(1, 6),
       opt=st.integers(0, 2))
def test_parallel_build_equals_serial_build(tmp_path_factory, spec, strategy: str, parts: int, opt: int) -> None:
    work = tmp_path_factory.mktemp("fuzz")
    try:
        differential_check(build_ir(spec), Path(work), strategy, parts, opt)
    finally:
        shutil.rmtree(work, ignore_errors=True)
