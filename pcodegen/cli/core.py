"""The core pipeline's commands: `graph`, `partition`, `compile` and `validate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from pcodegen.cli.present import echo_json
from pcodegen.defaults import AUTO_MAX_PARTS, LINK_KINDS, auto_parts_rule
from pcodegen.errors import CheckFailed, UsageError


COST_HELP = ("What a unit costs, for balancing, dispatch order and --parts auto: size (1 + instructions + "
             "blocks), model (predicted seconds, the calibrated model in pcodegen/data/cost_model.json) or "
             "profile:FILE (seconds measured by `pcodegen profile`).")


def cost_option(fn: Any) -> Any:
    from pcodegen.defaults import DEFAULT_COST

    return click.option("--cost", "cost", default=DEFAULT_COST, show_default=True, metavar="model|size|profile:FILE",
                        help=COST_HELP)(fn)



@click.command("graph")
@click.argument("input_path", metavar="INPUT")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@cost_option
def graph_cmd(input_path: str, as_json: bool, cost: str) -> None:
    """Summarise the call/reference graph of INPUT (.ll or .bc)."""
    from pcodegen.cost import check_cost_rule
    from pcodegen.graph import build_graph
    from pcodegen.ir.load import load_module

    from pcodegen.progress import progress

    with progress("loading and building the graph"):
        graph = build_graph(load_module(input_path).ir, input_path, check_cost_rule(cost))
    if as_json:
        echo_json(graph.summary())
        return
    from pcodegen.cli.present import graph_lines

    click.echo("\n".join(graph_lines(graph)))


def _plan_lines(plan: Any) -> list[str]:
    from pcodegen.cli.present import plan_lines

    return plan_lines(plan)


class PartsType(click.ParamType):
    """A partition count: a positive integer, or `auto` (None: `pcodegen.defaults.
    auto_parts_rule`, whatever the worker count)."""

    name = "N|auto"

    def convert(self, value, param, ctx):  # type: ignore[override]
        if value is None or isinstance(value, int):
            return value
        if str(value).strip().lower() == "auto":
            return None
        try:
            return int(value)
        except ValueError:
            self.fail(f"{value!r} is neither a whole number nor 'auto'", param, ctx)


PARTS_HELP = (f"Number of partitions, or auto: {auto_parts_rule()} (2 to {AUTO_MAX_PARTS}), the same for any "
              "worker count.")


def _graph_for_input(path: str, cost: str = "size") -> Any:
    """The graph of a `.ll`/`.bc` module, or of a Julia codegen workload (`.json`)."""
    from pcodegen.cost import check_cost_rule

    check_cost_rule(cost)
    if path.endswith(".json"):
        from pcodegen.julia.graph import build_workload_graph
        from pcodegen.julia.workload import load_workload

        return build_workload_graph(load_workload(path))
    from pcodegen.graph import build_graph
    from pcodegen.ir.load import load_module

    return build_graph(load_module(path).ir, path, cost)


@click.command("partition")
@click.argument("input_path", metavar="INPUT", required=False)
@click.option("-p", "--parts", type=PartsType(), default="auto", show_default=True, help=PARTS_HELP)
@click.option("-s", "--strategy", default=None, help="Partitioning strategy (see --list).")
@click.option("-j", "--workers", type=int, default=2, show_default=True, help="Workers assumed for the predicted makespan.")
@click.option("--compare", is_flag=True, help="Run every strategy and print them side by side.")
@click.option("--list", "list_strategies", is_flag=True, help="List the strategies and exit.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan (or the comparison) as JSON.")
@cost_option
def partition_cmd(input_path: str | None, parts: int | None, strategy: str | None, workers: int, compare: bool,
                  list_strategies: bool, as_json: bool, cost: str) -> None:
    """Partition INPUT (.ll, .bc, or a workload .json) and print the plan's quality figures."""
    from pcodegen.partition import DEFAULT_STRATEGY, auto_parts, partition
    from pcodegen.partition import compare as cmp

    if list_strategies:
        names = cmp.strategy_names()
        if as_json:
            echo_json([{"name": n, "default": n == DEFAULT_STRATEGY, "description": cmp.describe(n)} for n in names])
        else:
            width = max(len(n) for n in names)
            for n in names:
                mark = "*" if n == DEFAULT_STRATEGY else " "
                click.echo(f"{mark} {n:<{width}}  {cmp.describe(n)}")
        return
    if input_path is None:
        raise UsageError("missing INPUT (a .ll or .bc module, or a workload .json)")
    if compare and strategy:
        raise UsageError("--compare runs every strategy; leave out --strategy")
    graph = _graph_for_input(input_path, cost)
    if parts is None:
        parts = auto_parts(graph)
    if compare:
        rows = cmp.compare(graph, parts, workers)
        if as_json:
            echo_json({"input": input_path, "parts": parts, "workers": workers, "default": DEFAULT_STRATEGY,
                       "strategies": [r.to_dict() for r in rows]})
        else:
            cmp.print_table(rows, f"{input_path}: {parts} partitions, makespan on {workers} workers",
                            cost_rule=graph.cost_rule)
        return
    plan = partition(graph, parts, strategy or DEFAULT_STRATEGY, workers)
    if as_json:
        echo_json(plan.to_dict())
    else:
        click.echo("\n".join(_plan_lines(plan)))


def _parse_faults(specs: tuple[str, ...]) -> dict[int, str]:
    from pcodegen.parallel.faults import FAULTS

    kinds = {k.split(":")[0] for k in FAULTS}
    out = {}
    for spec in specs:
        part, _, kind = spec.partition(":")
        if not part.isdigit() or kind.split(":")[0] not in kinds:
            raise UsageError(f"--inject-fault {spec!r}: expected PART:KIND with KIND one of {', '.join(FAULTS)}")
        out[int(part)] = kind
    return out


@click.command("compile")
@click.argument("input_path", metavar="INPUT")
@click.option("-p", "--parts", type=PartsType(), default="auto", show_default=True, help=PARTS_HELP)
@click.option("-j", "--workers", type=int, default=None, help="Worker processes [default: cores].")
@click.option("-s", "--strategy", default=None, help="Partitioning strategy.")
@click.option("--opt", type=int, default=2, show_default=True, help="Optimisation level 0-3.")
@click.option("--serial", is_flag=True, help="Reference build: whole module, one process, no split.")
@click.option("--combine", type=click.Choice(["objects", "bitcode"]), default="objects", show_default=True,
              help="Objects for the system linker, or bitcode linked in one context.")
@click.option("--emit-bitcode", is_flag=True, help="Also write each partition's optimised bitcode.")
@click.option("--link", "link_kind", type=click.Choice(LINK_KINDS), default=None,
              help="Link the objects into -o FILE with the C compiler driver.")
@click.option("--link-arg", multiple=True, help="Extra argument for the link (repeatable).")
@click.option("-o", "--output", required=True,
              help="Output directory, or the linked file with --link. An existing directory is replaced only if it "
                   "is empty or a previous compile output (it has pcodegen's report.json); see --force.")
@click.option("--objdir", default=None, help="With --link: where objects and report.json go [FILE.parts].")
@click.option("--force", is_flag=True,
              help="Replace an existing output directory even if pcodegen did not write it (never the working "
                   "directory, /, $HOME or a directory holding the input).")
@click.option("--timeout", type=float, default=None, help="Fail a worker running longer than this (seconds).")
@click.option("--retries", type=int, default=0, show_default=True, help="Re-run a failed partition up to N times.")
@click.option("--inject-fault", "faults", multiple=True, metavar="PART:KIND",
              help="Test hook: partition PART's worker will crash, crash-once, hang, raise or delay:SECONDS.")
@click.option("--executor", default="local", show_default=True,
              help="Where partitions compile: local (forked processes), serial (in-process, for debugging), "
                   "dask:ADDRESS or dask:local.")
@click.option("--memory-budget", default=None, metavar="SIZE",
              help="Memory for the whole compile, e.g. 4G: caps the workers so coordinator + workers fit by the "
                   "estimate, and limits each local worker to its share (past it, that worker fails with a "
                   "one-line error). Too small for one worker: an error before any worker starts (exit 2).")
@click.option("--trace", "trace_path", default=None, metavar="FILE",
              help="Also write the build's timeline to FILE as Chrome trace-event JSON (open it in ui.perfetto.dev "
                   "or chrome://tracing): the coordinator's phases, each worker's tasks named by partition and "
                   "largest unit, with their split/parse/optimize/emit inside. Overwrites only a previous trace.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print report.json to stdout.")
@cost_option
@click.option("--cache", "cache_dir", default=None, metavar="DIR",
              help="Reuse partition objects from DIR and store new ones there (content-addressed: a partition "
                   "whose module text and settings are unchanged is not compiled again; outputs are the same).")
@click.option("--previous-plan", "previous_plan", default=None, metavar="FILE",
              help="Keep units in the partitions a previous build had them (its report.json, or `partition --json` "
                   "output) unless that unbalances the partitions by more than 5%, so an edit recompiles only what "
                   "it touches; with --cache the cache's last plan for this input name is used by default.")
@click.option("--fresh-plan", is_flag=True,
              help="With --cache: plan afresh with the strategy, ignoring the cache's last plan for this input.")
@click.option("--cache-max", "cache_max", default=None, metavar="SIZE",
              help="With --cache: keep DIR under SIZE (e.g. 2G), least recently used entries first.")
def compile_cmd(input_path: str, parts: int | None, workers: int | None, strategy: str | None, opt: int, serial: bool,
                combine: str, emit_bitcode: bool, link_kind: str | None, link_arg: tuple[str, ...], output: str,
                objdir: str | None, timeout: float | None, retries: int, faults: tuple[str, ...],
                executor: str, memory_budget: str | None, quiet: bool, as_json: bool, force: bool,
                trace_path: str | None, cost: str, cache_dir: str | None, cache_max: str | None,
                previous_plan: str | None, fresh_plan: bool) -> None:
    """Compile INPUT in parallel: partition, compile each partition in its own process,
    write OUTDIR/part-NNN.o and report.json, optionally link."""
    from pcodegen.combine import link_objects
    from pcodegen.cost import check_cost_rule
    from pcodegen.partition import DEFAULT_STRATEGY
    from pcodegen.parallel.budget import parse_size
    from pcodegen.parallel.executors import check_executor_spec
    from pcodegen.pipeline import CompileOptions, compile_parallel, compile_serial, cpu_count, object_paths, write_outputs
    from pcodegen.progress import progress

    opts = CompileOptions(parts=parts, workers=workers if workers is not None else cpu_count(),
                          strategy=strategy or DEFAULT_STRATEGY, opt=opt, emit_bitcode=emit_bitcode,
                          combine=combine, timeout=timeout, retries=retries, faults=_parse_faults(faults),
                          executor=check_executor_spec(executor), memory_budget=parse_size(memory_budget),
                          cost=check_cost_rule(cost))
    if cache_dir is not None:
        from pcodegen.cache import CacheSpec, check_cache_dir

        if serial:
            raise UsageError("--cache does nothing with --serial (it keeps the parallel build's partition objects)")
        opts.cache = CacheSpec(str(check_cache_dir(cache_dir)), parse_size(cache_max, "cache_max"))
    elif cache_max is not None:
        raise UsageError("--cache-max goes with --cache DIR")
    if fresh_plan and previous_plan is not None:
        raise UsageError("--fresh-plan and --previous-plan contradict each other; give one")
    opts.fresh_plan = fresh_plan
    if previous_plan is not None:
        from pcodegen.partition.stable import read_previous

        if serial:
            raise UsageError("--previous-plan does nothing with --serial (it has no plan)")
        read_previous(previous_plan)  # a bad file is an error before any work
        opts.previous_plan = previous_plan
    if serial and opts.memory_budget is not None:
        raise UsageError("--memory-budget does nothing with --serial (it budgets the parallel build's workers)")
    if link_kind and combine == "bitcode":
        raise UsageError("--link needs --combine objects")
    if link_arg and not link_kind:
        raise UsageError(f"--link-arg {link_arg[0]} does nothing without --link shared or --link exe")
    if objdir is not None and not link_kind:
        raise UsageError("--objdir goes with --link (without it, -o names the directory for the objects)")
    # Every output path is checked before any work starts.
    from pcodegen.output import COMPILE, check_output_dir, check_output_file
    from pcodegen.ir.load import read_input

    read_input(input_path)  # a missing or unreadable input first: it is the likelier mistake
    if link_kind:
        check_output_file(output, "-o", "the linked file (with --link)")
        outdir = check_output_dir(objdir or f"{output}.parts", COMPILE, force, [input_path],
                              "--objdir" if objdir else "-o FILE.parts")
    else:
        outdir = check_output_dir(output, COMPILE, force, [input_path])
    if trace_path is not None:
        from pcodegen.timeline import check_trace_path

        check_trace_path(trace_path, outdirs=[outdir], files=[input_path] + ([output] if link_kind else []))
    if link_kind == "shared":
        from pcodegen.combine import pic_problem

        why = pic_problem(input_path)
        if why:
            raise UsageError(why)
    from pcodegen.cli.present import oversubscribed_note

    busy_note = None if serial else oversubscribed_note(opts.workers)
    with progress("compiling" + (" (serial)" if serial else ""), quiet=quiet) as bar:
        opts.progress = bar.callback
        run = compile_serial(input_path, opts) if serial else compile_parallel(input_path, opts)
    if busy_note:
        run.notes.append(busy_note)
    write_outputs(run, outdir, guard=True, force=force)
    report = run.report()
    if run.symbols is not None and not run.symbols.ok:
        problems = run.symbols.lines()
        for line in problems[:20]:
            click.echo(line, err=True)
        if len(problems) > 20:
            click.echo(f"... and {len(problems) - 20} more (report.json lists them all)", err=True)
        if trace_path is not None:  # a failed check still leaves its timeline
            _write_trace(trace_path, report, run.graph, raise_errors=False)
        raise CheckFailed(f"symbol check failed: {len(problems)} problem(s); objects kept in {outdir}")
    if link_kind:
        import time as _time

        t0 = _time.perf_counter()
        link_objects(object_paths(outdir), Path(output), link_kind, list(link_arg))
        report["timings"]["phases"]["link"] = _time.perf_counter() - t0
    if trace_path is not None:
        _write_trace(trace_path, report, run.graph, raise_errors=True)
    if as_json:
        echo_json(report)
        return
    from pcodegen.cli.present import compile_lines

    if run.plan:
        click.echo("\n".join(_plan_lines(run.plan)))
    for note in run.notes:
        click.echo(f"note: {note}")
    click.echo("\n".join(compile_lines(report, str(outdir), len(run.results), output if link_kind else None)))
    if run.stability is not None:
        s = run.stability
        versus = (f"{s.largest_over_ideal:.3f}x the ideal (the mean partition, or the largest unit)"
                  if s.largest_over_fresh is None else f"{s.largest_over_fresh:.3f}x a fresh plan's")
        click.echo(f"plan: {'kept' if s.used == 'previous' else 'not kept'} from {s.previous}: {s.kept_units:,} units in "
                   f"place, {s.new_units:,} new, {s.moved_units:,} moved; largest partition {versus}"
                   + ("" if s.used == "previous" else " (over the 1.05 bound: the fresh plan is used)"))
    if run.cache is not None:
        for warning in run.cache.warnings:
            click.echo(f"pcodegen: warning: {warning}", err=True)
        c = run.cache
        click.echo(f"cache: {c.hits} of {c.hits + c.misses} partitions reused ({c.bytes_reused / 2**20:.1f} MiB, "
                   f"{c.seconds_saved:.2f} s of compile CPU saved), {c.stored} stored"
                   + (f", {c.evicted} old entries evicted" if c.evicted else ""))


def _write_trace(path: str, report: dict, graph: Any, raise_errors: bool) -> None:
    """compile --trace: the timeline of this build (see `pcodegen.timeline`). When the
    build itself failed, a trace that cannot be written does not hide that error."""
    import os

    from pcodegen.errors import PcgError
    from pcodegen.timeline import trace_events, write_trace

    try:
        write_trace(path, trace_events(report, graph=graph, coordinator_pid=os.getpid()))
    except PcgError:
        if raise_errors:
            raise


@click.command("validate")
@click.argument("outdir", metavar="OUTDIR")
@click.option("--input", "input_path", required=True, help="The module OUTDIR was compiled from.")
@click.option("--reference", "reference", multiple=True,
              help="The serial build's object(s) to compare with (default: build it from --input at the "
                   "output's --opt level).")
@click.option("--symbols-only", is_flag=True, help="Check symbol resolution only; skip the program checks.")
@click.option("--json", "as_json", is_flag=True, help="Print the symbol and program reports as JSON.")
def validate_cmd(outdir: str, input_path: str, reference: tuple[str, ...], symbols_only: bool,
                 as_json: bool) -> None:
    """Check that a compile output makes the same program as the serial build.

    Symbols (before loading): undefined, duplicate, lost and re-linked names. Program
    (against a serial reference object): constructor and destructor entries with their
    priorities, keys and order; comdat groups exactly once; thread-locals; section kind,
    data size, binding and visibility of every exported symbol; aliases. Exit 1 if any
    problem is found."""
    from pcodegen.ir.text import symbol_name
    from pcodegen.ir.load import load_module
    from pcodegen.progress import progress
    from pcodegen.validate.symbols import check_objects, symbols_of_ir
    from pcodegen.validate.program import check_program, object_facts, reference_facts, renames_from_plan, structors_of_ir
    from pcodegen.output import check_report_matches_input

    out = Path(outdir)
    if not out.is_dir():
        raise UsageError(f"{outdir}: not a compile output directory")
    objects = sorted(out.glob("*.o"))
    if not objects:
        raise UsageError(f"{outdir}: contains no object files")
    check_report_matches_input(out, input_path)
    settings: dict = {}
    promoted: dict[str, str] = {}
    folded: set[str] | None = None  # constructor entries the partitions' optimiser folded
    report_path = out / "report.json"
    if report_path.exists():
        try:
            doc = json.loads(report_path.read_text())
        except json.JSONDecodeError:
            raise UsageError(f"{report_path}: not valid JSON") from None
        promoted = (doc.get("plan") or {}).get("promoted") or {}
        settings = doc.get("settings") or {}
        outputs = doc.get("outputs") or []
        if all("structors_folded" in o for o in outputs):
            folded = {f for o in outputs for f in o["structors_folded"]}
    refs = [Path(r) for r in reference]
    for r in refs:
        if not r.is_file():
            raise UsageError(f"{r}: no such reference object (give the serial build's .o, or omit --reference)")
    with progress("validating symbols"):
        ir = load_module(input_path).ir
        symbols = check_objects(symbols_of_ir(ir), objects, {symbol_name(e) for e in promoted.values()})
    program = None
    if not symbols_only:
        with progress("building the serial reference" if not refs else "reading the reference"):
            ref = ([object_facts(r.read_bytes(), r.name) for r in refs] if refs
                   else [reference_facts(input_path, int(settings.get("opt", 2)))])
        program = check_program(ref, [object_facts(p.read_bytes(), p.name) for p in objects],
                                renames_from_plan(promoted), structors_of_ir(ir), folded)
    problems = symbols.lines() + (program.lines() if program else [])
    if as_json:
        echo_json({**symbols.to_dict(), "ok": not problems, "symbols_ok": symbols.ok,
                   "program": program.to_dict() if program else None})
    else:
        for line in problems:
            click.echo(line)
        checked = "symbols" if program is None else (
            f"symbols, {program.structors} constructor/destructor entries, {program.groups} comdat groups, "
            f"{program.symbols} defined symbols against the serial build")
        click.echo(f"{len(objects)} objects ({checked}): " + ("ok" if not problems else f"{len(problems)} problem(s)"))
    if problems:
        raise CheckFailed(f"{len(problems)} problem(s) in {outdir}")


@click.command("profile")
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Write the profile JSON here (replaces only an earlier profile); use it with --cost profile:FILE.")
@click.option("--opt", type=click.IntRange(0, 3), default=2, show_default=True, help="Optimisation level.")
@click.option("-j", "--workers", type=int, default=None, help="Worker processes [default: the cores].")
@click.option("--top", type=click.IntRange(1), default=15, show_default=True, help="How many of the slowest units to print.")
@click.option("--json", "as_json", is_flag=True, help="Print units (name, optimize_s, emit_s, predicted_s), slowest first.")
def profile_cmd(input_path: str, output: str | None, opt: int, workers: int | None, top: int, as_json: bool) -> None:
    """Measure the compile time of every unit of INPUT (optimise and emit CPU seconds),
    compiling it in many small partitions on the workers and then the slow ones split up."""
    from pcodegen.cost import load_model
    from pcodegen.output import check_output_file, write_json
    from pcodegen.pipeline import cpu_count
    from pcodegen.profiler import PROFILE_SCHEMA, profile_module

    if workers is not None and workers < 1:
        raise click.BadParameter(f"must be at least 1, got {workers}", param_hint="--workers")
    if output:
        out = check_output_file(output, "-o", "the profile")
        if out.exists():
            try:
                ours = json.loads(out.read_text()).get("schema") == PROFILE_SCHEMA
            except (OSError, ValueError, AttributeError):
                ours = False
            if not ours:
                raise UsageError(f"{output}: exists and is not a pcodegen profile (-o replaces only its own profiles); "
                                 "name a new file or remove it")
    prof = profile_module(input_path, opt=opt, workers=workers or cpu_count())
    try:
        model = load_model()
    except UsageError:  # no calibrated model shipped: the profile stands without predictions
        model = None
    doc = prof.to_dict()
    if model is not None:
        from pcodegen.ir.load import load_module  # texts for the model's prediction of each unit

        texts = load_module(input_path).ir.entities
    for u in doc["units"]:
        u["predicted_s"] = (sum(model.text_seconds(texts[m].text) for m in u["members"] if m in texts)
                            if model is not None else None)
    if output:
        tmp = Path(output).with_name(f".{Path(output).name}.pcodegen-tmp")
        write_json(tmp, doc)
        tmp.replace(output)
    if as_json:
        echo_json({"units": [{k: u[k] for k in ("name", "optimize_s", "emit_s", "predicted_s")} for u in doc["units"]],
                   "total_s": doc["total_s"], "wall_s": doc["wall_s"]})
        return
    total = prof.total_s
    click.echo(f"{len(prof.units):,} units, {total:.2f} s of optimise + emit CPU in all (O{opt}); profiled in "
               f"{prof.wall_s:.1f} s wall on {prof.workers} workers ({', '.join(str(r['partitions']) for r in prof.rounds)} "
               "partitions compiled per round)" + (f"; wrote {output}" if output else ""))
    click.echo(f"{'unit':<36} {'measured s':>10} {'share':>7} {'size rule s':>11} {'ratio':>6} {'model s':>8} {'ratio':>6}  alone")
    for u in doc["units"][:top]:
        size_s, pred = u["size_estimate_s"], u["predicted_s"]
        model_cols = f"{pred:>8.3f} {u['seconds'] / pred if pred else 0:>6.1f}" if pred is not None else f"{'–':>8} {'–':>6}"
        click.echo(f"{u['name'][:36]:<36} {u['seconds']:>10.3f} {u['seconds'] / total if total else 0:>7.1%} "
                   f"{size_s:>11.3f} {u['seconds'] / size_s if size_s else 0:>6.1f} {model_cols}  "
                   f"{'yes' if u['alone'] else 'shared by size'}")
    click.echo("measured: optimise + emit CPU seconds; share: of the module's total; size rule: the time the "
               "size rule (1 + instructions + blocks) would give it; model: the calibrated cost model's prediction; "
               "ratio: measured over estimate; alone: measured in a partition of its own, else its partition's "
               "time shared out by size")
