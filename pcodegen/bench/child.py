"""One bench sample, in a fresh Python process: `python -m pcodegen.bench.child SPEC_JSON`.

Builds the module once (serial reference or parallel), writes the objects, links them,
and prints one JSON line: the compile report's timings plus the link, the end-to-end
wall time, per-worker spans and the CPU time of everything it ran. A fresh process per
sample keeps samples independent: the coordinator's peak RSS is this sample's own
(ru_maxrss never goes down), the heap the workers fork from is the same each time, and
one sample's caches cannot speed up the next.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def run(spec: dict) -> dict:
    from pcodegen.combine import link_objects
    from pcodegen.defaults import DEFAULT_COST, DEFAULT_STRATEGY
    from pcodegen.pipeline import CompileOptions, compile_parallel, compile_serial, object_paths, write_outputs
    from pcodegen.timeline import largest_units

    t_import = time.perf_counter()
    opts = CompileOptions(parts=spec.get("parts") or 1, workers=spec.get("workers") or 1, opt=spec["opt"],
                          strategy=spec.get("strategy") or DEFAULT_STRATEGY, executor=spec.get("executor") or "local",
                          memory_budget=spec.get("memory_budget"), timeout=spec.get("timeout"),
                          cost=spec.get("cost") or DEFAULT_COST)
    if spec.get("cache"):
        from pcodegen.cache import CacheSpec

        opts.cache = CacheSpec(spec["cache"])
    out = Path(spec["outdir"])
    t0 = time.perf_counter()
    run = compile_serial(spec["input"], opts) if spec["mode"] == "serial" else compile_parallel(spec["input"], opts)
    units = largest_units(run.plan, run.graph) if run.plan and run.graph is not None else None
    write_outputs(run, out)
    linked = None
    if spec.get("link", "none") != "none":
        kind = spec["link"]
        target = out / ("a.out" if kind == "exe" else "liblinked.so")
        c_link = _cpu(resource.RUSAGE_CHILDREN)
        t_link = time.perf_counter()
        link_objects(object_paths(out), target, kind, list(spec.get("link_args") or []))
        run.phases["link"] = time.perf_counter() - t_link
        link_cpu = _cpu(resource.RUSAGE_CHILDREN) - c_link
        linked = str(target)
    else:
        link_cpu = 0.0
    wall = time.perf_counter() - t0
    rep = run.report()
    t = rep["timings"]
    plan = rep.get("plan")
    return {
        "wall_s": wall,
        "import_s": t_import - T_START,
        "pid": os.getpid(),
        "phases": run.phases,
        "overlapped": run.overlapped,
        "early_partitions": getattr(run, "early_partitions", 0),
        "load_steps": run.load_steps,
        "largest_units": units,
        "workers": t["workers"],
        "coordinator_cpu_s": run.coordinator_cpu_s,
        "coordinator_peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "workers_cpu_s": sum(w["cpu_s"] for w in t["workers"]) if plan else 0.0,
        "link_cpu_s": link_cpu,
        "workers_used": rep["settings"]["workers_used"],
        "executor": rep["settings"]["executor"] if plan else "in-process",
        "notes": list(getattr(run, "notes", [])),
        "plan": None if plan is None else {
            "parts": plan["parts"],
            "strategy": plan["strategy"],
            "metrics": plan["metrics"],
            "partition_members": [len(m) for m in plan["members"]],
            "notes": plan.get("notes", []),
        },
        "outputs": [{"name": o["name"], "bytes": o["bytes"], "sha256": o["sha256"]} for o in rep["outputs"]],
        "symbols_ok": None if run.symbols is None else run.symbols.ok,
        "cache": None if run.cache is None else run.cache.to_dict(),
        "linked": linked,
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    try:
        result = run(spec)
    except Exception as exc:  # noqa: BLE001 - the parent reports it in one line
        from pcodegen.errors import ParameterError, UsageError

        if isinstance(exc, UsageError):  # the settings' fault (e.g. a memory budget too small): said as such
            msg = (exc.as_option() if isinstance(exc, ParameterError) else str(exc)).splitlines()[0]
            print(json.dumps({"error": msg, "usage": True}))
            sys.exit(2)
        msg = f"{type(exc).__name__}: {exc}".splitlines()[0]
        print(json.dumps({"error": msg}))
        sys.exit(1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
