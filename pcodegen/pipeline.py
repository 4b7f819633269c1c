"""The compile driver: load -> graph -> partition -> split -> execute -> combine -> validate,
timing each phase. `serial_compile` is the reference: the whole module in one process."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import random
import resource
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator

from pcodegen.cache import CacheSpec, CacheStats, evict
from pcodegen.combine import link_bitcode
from pcodegen.cost import cut_annotation
from pcodegen.output import prepare_output_dir, publish_dir, write_file, write_json
from pcodegen.errors import ParameterError, UsageError
from pcodegen.output import COMPILE
from pcodegen.parallel import cpu_count
from pcodegen.parallel.budget import cap_workers, worker_limit_bytes
from pcodegen.ir.compile import CompileResult, CompileTask, compile_loaded, compile_task
from pcodegen.parallel.executors import make_executor
from pcodegen.parallel.pool import MoreTasks
from pcodegen.graph import ModuleGraph, build_graph
from pcodegen.ir.load import LoadedModule, WholeModule, load_module, load_whole, read_input
from pcodegen.defaults import DEFAULT_COST
from pcodegen.partition import DEFAULT_STRATEGY, Plan, auto_parts, check_strategy, opening_groups, partition, provisional_plan
from pcodegen.partition.stable import Stability, read_previous, stable_plan
from pcodegen.ir.text import symbol_name
from pcodegen.split import PartitionSource, split_partition
from pcodegen.validate.symbols import SymbolReport, SymbolTable, check_symbols, symbols_of_ir, symbols_of_object

REPORT_SCHEMA = "pcodegen.compile/1"


@dataclass
class CompileOptions:
    """Settings of one compile run."""

    parts: int | None = None  # None: partition.auto_parts (a function of the module alone)
    workers: int = 2
    strategy: str = DEFAULT_STRATEGY
    cost: str = DEFAULT_COST  # pcodegen.cost: size, model or profile:FILE
    opt: int = 2
    cpu: str = ""
    emit_bitcode: bool = False
    combine: str = "objects"  # "objects" | "bitcode"
    timeout: float | None = None
    retries: int = 0
    faults: dict[int, str] = field(default_factory=dict)  # partition -> injected fault (test hook)
    dispatch_seed: int | None = None  # shuffle the dispatch order (tests of determinism)
    executor: Any = "local"  # an executors.make_executor spec ("local", "serial", "dask:ADDRESS") or an Executor
    memory_budget: int | None = None  # bytes for the whole compile; caps the workers (budget.cap_workers)
    cache: CacheSpec | None = None  # reuse and store partition objects (pcodegen.cache)
    previous_plan: str | None = None  # keep units where this plan had them (partition.stable); with a cache,
    # its last plan for the same input name is used when none is given, unless fresh_plan
    fresh_plan: bool = False
    progress: Callable[[int, int, str], None] | None = field(default=None, repr=False, compare=False)

    def check(self) -> None:
        if self.parts is not None and self.parts < 1:
            raise ParameterError("parts", f"must be at least 1, got {self.parts}")
        if self.workers < 1:
            raise ParameterError("workers", f"must be at least 1, got {self.workers}")
        if not 0 <= self.opt <= 3:
            raise ParameterError("opt", f"must be 0 to 3, got {self.opt}")
        if self.timeout is not None and self.timeout <= 0:
            raise ParameterError("timeout", f"must be positive, got {self.timeout:g}")
        if self.retries < 0:
            raise ParameterError("retries", f"must be 0 or more, got {self.retries}")


@dataclass
class CompileRun:
    """Everything a compile produced: plan, per-partition results and timings."""

    options: CompileOptions
    plan: Plan | None
    results: list[CompileResult]
    phases: dict[str, float]
    coordinator_cpu_s: float = 0.0
    coordinator_peak_rss_kb: int = 0
    symbols: SymbolReport | None = None
    combined_bitcode: bytes | None = None
    input_path: str = ""
    input_sha256: str = ""
    retried: dict[str, list[str]] = field(default_factory=dict)  # partition -> how each failed try ended
    executor: str = "local"
    workers_used: int = 0  # after the memory budget (and, for dask, the cluster's size)
    spans: list = field(default_factory=list)  # per partition (start, end) seconds into the compile phase
    overlapped: dict[str, float] = field(default_factory=dict)  # coordinator phases run beside a worker
    load_steps: dict[str, float] = field(default_factory=dict)  # the load phase's parse, print, cut, verify_wait
    worker_memory_limit: int | None = None  # bytes each worker may add over its start (--memory-budget)
    cache: CacheStats | None = None  # what the partition cache did (--cache)
    stability: Stability | None = None  # how the plan relates to the previous one, if any
    graph: ModuleGraph | None = field(default=None, repr=False)  # what the plan was made from (names units in traces)
    notes: list[str] = field(default_factory=list)
    early_partitions: int = 0  # partitions 0..N-1 started before the plan (planned beside them)

    @property
    def wall_s(self) -> float:
        return sum(self.phases.values())

    @property
    def critical_path_s(self) -> float:
        """The coordinator's critical path: wall seconds while no worker runs (every
        phase but compile, and the compile phase before the first task starts and after
        the last one ends). The whole build for the serial one."""
        spans = [sp for sp in self.spans if sp]
        if self.plan is None or not spans:
            return self.wall_s
        compile_s = self.phases.get("compile", 0.0)
        head = min(a for a, _ in spans)
        tail = max(0.0, compile_s - max(b for _, b in spans))
        return self.wall_s - compile_s + head + tail

    def report(self) -> dict:
        """The report.json document; everything outside `timings` is deterministic."""
        o = self.options
        plan = self.plan.to_dict() if self.plan else None
        return {
            "schema": REPORT_SCHEMA,
            "input": {"path": self.input_path, "sha256": self.input_sha256},
            "settings": {"mode": "serial" if self.plan is None else "parallel",
                         "parts": o.parts if o.parts is not None else "auto",
                         "workers": o.workers, "strategy": o.strategy if self.plan else None, "opt": o.opt,
                         "cost": o.cost if self.plan else None,
                         "combine": o.combine, "executor": self.executor,
                         "workers_used": self.workers_used or (1 if self.plan is None else o.workers),
                         "cores": cpu_count(),
                         "memory_budget_bytes": o.memory_budget,
                         "worker_memory_limit_bytes": self.worker_memory_limit},
            "plan": plan,
            "outputs": [
                {"name": f"{r.name}.o", "bytes": len(r.object or b""),
                 "sha256": hashlib.sha256(r.object or b"").hexdigest(),
                 "structors_folded": r.folded_structors}
                for r in self.results
            ],
            "symbols": self.symbols.to_dict() if self.symbols else None,
            "cache": self.cache.to_dict() if self.cache else None,
            "stability": self.stability.to_dict() if self.stability else None,
            "timings": {
                "wall_s": self.wall_s,
                "critical_path_s": self.critical_path_s,
                "phases": self.phases,
                "overlapped_phases": self.overlapped,
                "early_partitions": self.early_partitions,
                "load_steps": self.load_steps,
                "workers": [
                    {"partition": r.name, "pid": r.pid, **r.timings, "cpu_s": r.cpu_s, "cpu": r.cpu_phases,
                     "rss_start_kb": r.rss_start_kb, "peak_rss_kb": r.peak_rss_kb,
                     **({"start_s": span[0], "end_s": span[1]} if span else {})}
                    for r, span in zip(self.results, self.spans or [None] * len(self.results))
                ],
                "retried": self.retried,
                "coordinator_cpu_s": self.coordinator_cpu_s,
                "coordinator_peak_rss_kb": self.coordinator_peak_rss_kb,
                "serial_equivalent_cpu_s": self.coordinator_cpu_s + sum(r.cpu_s for r in self.results),
            },
        }


@contextmanager
def _phase(phases: dict[str, float], name: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - t0


@dataclass
class Prepared:
    """The coordinator's work before compiling: the loaded module, its graph, the plan,
    and how the plan relates to a previous one."""

    loaded: LoadedModule
    graph: ModuleGraph
    plan: Plan
    stability: Stability | None = None


def prepare(path: str | Path, opts: CompileOptions, phases: dict[str, float], jobs: int | None = None) -> Prepared:
    """Load, graph and partition: the coordinator's work before compiling."""
    loaded, graph = load_and_graph(path, opts, phases, jobs=jobs)
    return plan_stage(loaded, graph, path, opts, phases)


def load_and_graph(path: str | Path, opts: CompileOptions, phases: dict[str, float],
                   freeze: bool = False, jobs: int | None = None) -> tuple[LoadedModule, ModuleGraph]:
    """Load the module (verified, and under the model with each definition's predicted
    seconds, computed where it was cut; in `jobs` processes, default up to two) and
    build its graph. `freeze`: no collections meanwhile, and what is alive afterwards
    kept out of the collector's scans (the caller unfreezes; see compile_parallel)."""
    if jobs is None:
        jobs = min(2, opts.workers, cpu_count())
    with collector_paused(freeze):
        with _phase(phases, "load"):
            loaded = load_module(path, jobs=jobs, annotate=cut_annotation(opts.cost))
        with _phase(phases, "graph"):
            graph = build_graph(loaded.ir, str(path), opts.cost)
    if freeze:
        gc.freeze()
    return loaded, graph


@contextmanager
def collector_paused(pause: bool = True) -> Iterator[None]:
    """No garbage collection inside (when `pause`): what the load and the graph step
    allocate lives for the whole build, and collections triggered by allocating it only
    rescan it."""
    was = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def previous_plan_source(path: str | Path, opts: CompileOptions) -> str:
    """Where the plan to keep units stable against comes from: the one given, else the
    cache's last plan for this input name; '' for a fresh plan."""
    if opts.previous_plan is not None:
        return opts.previous_plan
    if opts.cache is not None and not opts.fresh_plan and saved_plan_path(opts.cache, path).exists():
        return str(saved_plan_path(opts.cache, path))
    return ""


def plan_stage(loaded: LoadedModule, graph: ModuleGraph, path: str | Path, opts: CompileOptions,
               phases: dict[str, float]) -> Prepared:
    """Partition. With a previous plan (given, or the cache's last one for this input
    name), units stay where it had them unless that unbalances the partitions
    (partition.stable)."""
    stability = None
    with _phase(phases, "partition"):
        def fresh() -> Plan:
            return partition(graph, opts.parts, opts.strategy, opts.workers)

        before, source = None, previous_plan_source(path, opts)
        if source and source == opts.previous_plan:
            before = read_previous(source)
        elif source:
            try:
                before = read_previous(source)
            except UsageError:  # the cache's own plan is damaged: plan afresh (it is replaced after the build)
                before = None
        if before is None:
            plan = fresh()
        else:
            parts = opts.parts if opts.parts is not None else auto_parts(graph)
            check_strategy(opts.strategy)
            plan, stability = stable_plan(graph, parts, before, source, opts.workers, opts.strategy, fresh)
    return Prepared(loaded, graph, plan, stability)


def dispatch_order(graph: ModuleGraph, plan: Plan) -> list[int]:
    """Largest partition first (list scheduling); among equal costs, the one holding the
    largest function first, since big functions optimise slower than their size says."""
    g = graph.g
    biggest = [max(g.nodes[m]["cost"] for m in members) for members in plan.members]
    return sorted(range(plan.parts), key=lambda i: (-plan.metrics.partition_costs[i], -biggest[i], i))


def saved_plan_path(spec: CacheSpec, path: str | Path) -> Path:
    """Where the cache keeps the last plan for inputs of this name."""
    return Path(spec.root) / "plans" / f"{Path(path).name}.json"


def save_plan(spec: CacheSpec, path: str | Path, plan: Plan) -> None:
    """Keep `plan` as the next build's previous plan for this input name (atomically;
    a cache that cannot take it only loses it)."""
    out = saved_plan_path(spec, path)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"schema": "pcodegen.plan/1", "members": plan.members}) + "\n")
        os.replace(tmp, out)
    except OSError:
        tmp.unlink(missing_ok=True)


def cache_stats(results: list[CompileResult], spec: CacheSpec) -> CacheStats:
    """What the cache did for these results, its warnings once each, and the eviction
    that keeps it under its size."""
    stats = CacheStats()
    for r in results:
        if r.cached:
            stats.hits += 1
            stats.bytes_reused += len(r.object or b"") + len(r.bitcode or b"")
            stats.seconds_saved += r.cache_saved_s
        else:
            stats.misses += 1
            stats.stored += r.cache_stored
        for note in r.notes:
            if note not in stats.warnings:
                stats.warnings.append(note)
    stats.evicted = evict(spec)
    return stats


def _executor_spec(opts: CompileOptions) -> str:
    return opts.executor if isinstance(opts.executor, str) else getattr(opts.executor, "spec", "")


def _starts_early(opts: CompileOptions) -> bool:
    """Whether the one partition can start before the module is loaded: a one-partition
    plan is the whole input, and a forked or in-process worker can read it itself."""
    return opts.parts == 1 and _executor_spec(opts) in ("local", "serial") and opts.memory_budget is None  # a budget needs the plan


def _plans_early(path: str | Path, opts: CompileOptions) -> bool:
    """Whether partitions known before the plan (`partition.opening_groups`) may start
    while the rest is planned: forked workers (they inherit what exists when forked),
    a fresh plan (a stable one keeps units where they were), no memory budget (it caps
    the workers by the whole plan's sizes) and no injected faults."""
    return (_executor_spec(opts) == "local" and opts.memory_budget is None and not opts.faults
            and not previous_plan_source(path, opts))


@dataclass
class _Early:
    """Partitions dispatched before the plan existed: their units, the provisional plan
    they are cut from, and those whose text the final plan changed (compiled again).
    The provisional plan is made where it is first needed: by each early worker, as part
    of cutting its partition (so the workers start as soon as the openings are known),
    and by the coordinator beside them, to compare with the final plan."""

    graph: ModuleGraph
    parts: int | None
    groups: list[list[int]]
    strategy: str
    superseded: dict[int, int] = field(default_factory=dict)  # partition -> index of the task compiling it again

    @property
    def count(self) -> int:
        return len(self.groups)

    @cached_property
    def plan(self) -> Plan:
        return provisional_plan(self.graph, self.parts, self.groups, self.strategy)


def compile_parallel(path: str | Path, opts: CompileOptions) -> CompileRun:
    """Partition the module at `path` and compile the partitions in worker processes.
    A one-partition build starts its worker at once on the whole input (`WholeModule`)
    and loads, graphs and plans beside it. Otherwise the plan's opening partitions (units
    too big to share one; in plans of 16 or more, grown ones too: known once the graph
    has costs) start at once and the rest are planned beside them; every worker cuts its
    own partition. The objects alive once the module is loaded (its pieces, which live
    for the whole build) are kept out of the garbage collector's scans meanwhile
    (`gc.freeze`: SQLite's graph step 0.14 -> 0.07 s, and forked workers' copies of them
    stay shared)."""
    try:
        return _compile_parallel(path, opts)
    finally:
        gc.unfreeze()


def _compile_parallel(path: str | Path, opts: CompileOptions) -> CompileRun:
    """The body of `compile_parallel`."""
    opts.check()
    c0 = time.process_time()
    phases: dict[str, float] = {}
    overlapped: dict[str, float] = {}  # coordinator phases run while a worker compiled
    prepared: list[Prepared] = []
    early: _Early | None = None
    bad = sorted(p for p in opts.faults if p != 0) if _starts_early(opts) else []
    if bad:
        raise ParameterError("inject_fault", f"names partition {bad[0]}, but the plan has 1")

    def make_task(i: int, source: Any) -> CompileTask:
        return CompileTask(i, f"part-{i:03d}", source, opts.opt, opts.cpu, emit_object=opts.combine == "objects",
                           emit_bitcode=opts.emit_bitcode or opts.combine == "bitcode", fault=opts.faults.get(i),
                           cache=opts.cache)

    workers, budget_note, worker_limit = opts.workers, "", None
    if _starts_early(opts):
        task_sources: list[Any] = [WholeModule(str(path))]
        order = [0]
        workers = 1
    else:
        loaded, graph = load_and_graph(path, opts, phases, freeze=True)
        groups = None
        if _plans_early(path, opts):
            with _phase(phases, "plan early"):  # the partitions certain before the plan; the rest is planned beside
                groups = opening_groups(graph, opts.parts, opts.strategy)
        if groups is not None:
            early = _Early(graph, opts.parts, groups, opts.strategy)
            # each early worker makes the provisional plan itself (once per process) and cuts its partition
            task_sources = [PartitionSource(loaded.ir, lambda: early.plan, i) for i in range(early.count)]
            order = list(range(early.count))  # largest first
        else:
            prepared.append(plan_stage(loaded, graph, path, opts, phases))
            plan = prepared[0].plan
            loaded.text = ""  # the pieces in loaded.ir are all the workers need
            task_sources = [PartitionSource(loaded.ir, plan, i) for i in range(plan.parts)]
            order = dispatch_order(graph, plan)
            bad = sorted(p for p in opts.faults if not 0 <= p < plan.parts)
            if bad:
                raise ParameterError("inject_fault", f"names partition {bad[0]}, but the plan has {plan.parts}")
            coordinator_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            workers, budget_note = cap_workers(opts.workers, opts.memory_budget, plan.metrics.partition_sizes,
                                               coordinator_kb)
            worker_limit = worker_limit_bytes(opts.memory_budget, workers, coordinator_kb)
    tasks = [make_task(i, source) for i, source in enumerate(task_sources)]
    if opts.dispatch_seed is not None:
        random.Random(opts.dispatch_seed).shuffle(order)
    retried: dict[str, list[str]] = {}
    tables: dict[str, SymbolTable] = {}
    expected: list[SymbolTable] = []

    executor = make_executor(opts.executor, workers, worker_limit)
    if executor.ships_tasks:  # the tasks travel pickled: cut every partition here, first
        with _phase(phases, "split"):
            for t in tasks:
                t.ir = t.ir.text()
    if opts.progress is not None:
        opts.progress(0, len(tasks), "")

    done: list[str] = []
    names = [t.name for t in tasks]  # every task's, those meanwhile() adds too

    def collect(i: int, result: CompileResult) -> None:
        # Read each object's symbols while the other workers are still compiling; the
        # symbols the input exports too, once.
        if early is not None and i in early.superseded:
            return  # cut from the provisional plan and changed by the final one: compiled again
        if result.object is not None:
            tables[f"{result.name}.o"] = symbols_of_object(result.object, result.name)
            if not expected and prepared:
                expected.append(symbols_of_ir(prepared[0].loaded.ir))
        done.append(result.name)
        if opts.progress is not None:
            opts.progress(len(done), prepared[0].plan.parts if prepared else len(tasks), result.name)

    def meanwhile() -> MoreTasks | None:
        if prepared:
            return None
        if early is None:  # the worker is compiling the whole input: load and plan beside it, in
            prepared.append(prepare(path, opts, overlapped, jobs=1))  # this thread (the pool's: no forks)
            return None
        # The first partitions are compiling: plan the rest beside them, then hand it out.
        prepared.append(plan_stage(loaded, graph, path, opts, overlapped))
        plan = prepared[0].plan
        more = [make_task(i, PartitionSource(loaded.ir, plan, i)) for i in range(early.count, plan.parts)]
        rest = [i - early.count for i in dispatch_order(graph, plan) if i >= early.count]
        if opts.dispatch_seed is not None:
            random.Random(opts.dispatch_seed).shuffle(rest)
        with _phase(overlapped, "partition"):  # is each early partition's text the final plan's?
            for i in range(early.count):
                same = i < plan.parts and plan.members[i] == early.plan.members[i] and \
                    split_partition(loaded.ir, plan, i) == split_partition(loaded.ir, early.plan, i)
                if not same:
                    early.superseded[i] = early.count + len(more)
                    rest.insert(0, len(more))
                    more.append(make_task(i, PartitionSource(loaded.ir, plan, i)))
        loaded.text = ""
        labels = [t.name for t in more]
        names.extend(labels)
        return MoreTasks(more, labels, rest)

    try:
        with _phase(phases, "compile"):
            results = executor.map(compile_task, tasks, labels=[t.name for t in tasks], order=order,
                                   on_result=collect, timeout=opts.timeout, retries=opts.retries,
                                   on_retry=lambda i, how: retried.setdefault(names[i], []).append(how),
                                   meanwhile=meanwhile)
    finally:
        if executor is not opts.executor:
            executor.close()
    spans = list(executor.spans)
    notes = [budget_note] if budget_note else []
    if early is not None:  # results in partition order, each partition's final compile
        for i, again in early.superseded.items():
            results[i], spans[i] = results[again], spans[again]
            notes.append(f"part-{i:03d} started before the plan was complete and was compiled again: the final "
                         "plan changed its text")
        n = prepared[0].plan.parts
        results, spans = results[:n], spans[:n]
    loaded, graph, plan = prepared[0].loaded, prepared[0].graph, prepared[0].plan
    run = CompileRun(opts, plan, results, phases, input_path=str(path), input_sha256=loaded.sha256,
                     retried=retried, executor=executor.spec, workers_used=executor.workers,
                     spans=spans, notes=notes,
                     overlapped=overlapped, load_steps=loaded.steps, worker_memory_limit=worker_limit,
                     stability=prepared[0].stability, graph=graph,
                     early_partitions=early.count if early is not None else 0)
    if opts.cache is not None:
        run.cache = cache_stats(results, opts.cache)
        save_plan(opts.cache, path, plan)
    if opts.combine == "bitcode":
        with _phase(phases, "link"):
            run.combined_bitcode = link_bitcode([r.bitcode for r in results if r.bitcode])
    else:
        with _phase(phases, "validate"):
            outputs = {f"{r.name}.o": tables[f"{r.name}.o"] for r in results}
            want = expected[0] if expected else symbols_of_ir(loaded.ir)
            run.symbols = check_symbols(want, outputs, {symbol_name(n) for n in plan.promoted.values()})
    run.coordinator_cpu_s = time.process_time() - c0
    run.coordinator_peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return run


def compile_serial(path: str | Path, opts: CompileOptions) -> CompileRun:
    """The reference build: the whole module parsed, optimised and emitted in this process."""
    opts.check()
    c0 = time.process_time()
    phases: dict[str, float] = {}
    with _phase(phases, "load"):
        data = read_input(path)
        mod = load_whole(data, path)
    task = CompileTask(0, "serial", b"", opts.opt, opts.cpu, emit_object=opts.combine == "objects",
                       emit_bitcode=opts.emit_bitcode or opts.combine == "bitcode")
    with _phase(phases, "compile"):
        result = compile_loaded(mod, task)
    sha = hashlib.sha256(data).hexdigest()
    run = CompileRun(opts, None, [result], phases, input_path=str(path), input_sha256=sha)
    if opts.combine == "bitcode":
        run.combined_bitcode = result.bitcode
    run.coordinator_cpu_s = time.process_time() - c0
    run.coordinator_peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return run


def write_outputs(run: CompileRun, outdir: Path, guard: bool = False, force: bool = False) -> Path:
    """Write objects (or the combined bitcode), partition bitcode and report.json into
    `outdir`, all or nothing. With `guard`, an existing `outdir` is checked again just
    before it is replaced (`output.check_output_dir`: only a previous compile output,
    unless `force`)."""
    t0 = time.perf_counter()
    tmp = prepare_output_dir(outdir)
    try:
        for r in run.results:
            if r.object is not None:
                write_file(tmp / f"{r.name}.o", r.object)
            if r.bitcode is not None and run.options.emit_bitcode:
                write_file(tmp / f"{r.name}.bc", r.bitcode)
        if run.combined_bitcode is not None:
            write_file(tmp / "combined.bc", run.combined_bitcode)
        run.phases["write"] = time.perf_counter() - t0
        write_json(tmp / "report.json", run.report())
        publish_dir(tmp, outdir, COMPILE if guard else None, force)
    except BaseException:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return outdir


def object_paths(outdir: Path) -> list[Path]:
    """The objects of a compile output directory, in plan order."""
    return sorted(outdir.glob("part-*.o")) or sorted(outdir.glob("serial.o"))

