"""Same input and settings give byte-identical objects and the same report (timings
aside), whatever the worker count or the order workers finish in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import needs_clang
from pcodegen.pipeline import CompileOptions, compile_parallel, write_outputs


def _build(src: Path, out: Path, **kw) -> tuple[dict[str, bytes], dict]:
    run = compile_parallel(src, CompileOptions(parts=4, opt=1, **kw))
    write_outputs(run, out)
    objects = {p.name: p.read_bytes() for p in sorted(out.glob("*.o"))}
    report = json.loads((out / "report.json").read_text())
    # Timings vary run to run; the worker count and what it predicts are settings, not results.
    del report["timings"]
    report["settings"] = {k: v for k, v in report["settings"].items() if "workers" not in k}
    for key in ("workers", "predicted_makespan", "predicted_speedup"):
        del report["plan"]["metrics"][key]
    return objects, report


@needs_clang
@pytest.mark.parametrize("sample", ["exprcalc", "registry"])
@pytest.mark.slow
def test_outputs_do_not_depend_on_workers_or_finishing_order(sample_modules: dict[str, Path], tmp_path: Path,
                                                             sample: str) -> None:
    src = sample_modules[sample]
    reference = _build(src, tmp_path / "w1", workers=1)
    variants = {
        "two workers": dict(workers=2),
        "shuffled, first partition late": dict(workers=2, dispatch_seed=1, faults={0: "delay:0.4"}),
        "shuffled, last partition late": dict(workers=2, dispatch_seed=7, faults={3: "delay:0.4"}),
    }
    for name, kw in variants.items():
        objects, report = _build(src, tmp_path / name.replace(" ", "_").replace(",", ""), **kw)
        assert objects == reference[0], name
        assert report == reference[1], name
    assert len(reference[0]) == 4
