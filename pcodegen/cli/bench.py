"""Click commands for speedup reports: `bench` and `demo` (`pcodegen.cli` registers them)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import click

from pcodegen.bench.defaults import DEFAULT_WORKER_COUNTS, LINK_CHOICES
from pcodegen.cli.core import cost_option
from pcodegen.cost import check_cost_rule
from pcodegen.defaults import auto_parts_rule
from pcodegen.errors import CheckFailed, UsageError
from pcodegen.parallel.executors import EXECUTOR_HELP, check_executor_spec



def _runs(n: int) -> str:
    return f"{n} run" if n == 1 else f"median of {n} runs"


def _summary_lines(results: dict, outdir: Path) -> list[str]:
    """The figures a person reads first, each with what it means; report.md has the rest."""
    from pcodegen.cli.present import oversubscribed_note
    from pcodegen.bench.report import headline

    lines = []
    for c in results["configs"]:
        s = c.get("summary")
        if not s:
            continue
        w, sp = s["wall_s"], s.get("speedup")
        n = s.get("samples", w.get("n", 1))
        spread = f" ({w['min']:.2f}-{w['max']:.2f})" if n > 1 else ""
        lines.append(f"{c['label']:>22}: wall {w['median']:.2f}s{spread}"
                     + (f", speedup {sp['median']:.2f}x" + (f" ({sp['min']:.2f}-{sp['max']:.2f})" if n > 1 else "")
                        if sp and c["mode"] == "parallel" else "")
                     + (f", {s['wall_s']['median'] / s['cold_wall_s']:.0%} of the cold build, "
                        f"{s['cache']['hits']:g} of {s['cache']['hits'] + s['cache']['misses']:g} partitions reused"
                        + ("" if s["objects_identical_to_cold"] else ", OBJECTS DIFFER from the cold build")
                        if c["mode"] == "warm" and s.get("cold_wall_s") else "")
                     + f", CPU {s['cpu_total_s']['median']:.2f}s; {_runs(n)}")
    lines += _memory_lines(results)
    h = headline(results)
    busy = h.get("busy")
    if busy:
        lines.append(f"note: the machine was busy: the builds got as little as {busy:.0%} of a core, so these wall "
                     "times and speedups mostly measure the other load (report.md has an idle-machine estimate)")
    cores = results["machine"].get("usable_cores") or results["machine"].get("cores") or 1
    note = oversubscribed_note(max(results["settings"]["workers"]), cores)
    if note:
        lines.append(f"note: {note}")
    sf = h.get("serial_fraction")
    if sf is not None:
        if sf >= 0.999:
            lines.append("measured: no gain from more workers in these runs (Amdahl serial fraction 1.000 fitted to "
                         "the medians), so the fit sets no limit")
        else:
            lines.append(f"measured: Amdahl serial fraction {sf:.3f} fitted to the medians: at most {1 / sf:.1f}x "
                         "over one worker, with any number of workers")
    if h.get("predicted_speedup"):
        lines.append("predicted on dedicated cores (measured partition times where the plan was measured, "
                     "else the work model): "
                     + ", ".join(f"{w} workers {v:.2f}x" for w, v in h["predicted_speedup"].items() if v))
    fl = h.get("predicted_floor")
    if fl:
        lines.append(f"floor at {fl['workers']} workers: {fl['floor_s']:.2f} s (serial phases + the slowest "
                     f"{'measured partition' if fl['basis'] == 'measured partition times' else 'unit, modelled'}, "
                     f"holding {fl['critical_unit']}); no number of workers beats it")
    if h.get("predictor_error"):
        lines.append("predictor error on the measured builds: "
                     + ", ".join(f"{w}{' workers' if isinstance(w, int) else ''} {100 * e:+.1f}%"
                                 for w, e in sorted(h["predictor_error"].items(), key=lambda kv: str(kv[0]))))
    files = results["files"]
    lines.append(f"report: {outdir / 'report.md'} (data {outdir / 'results.json'}"
                 + (", plots " + ", ".join(files["plots"]) if files["plots"] else f"; plots {files['plots_note']}")
                 + ")")
    trace = results["settings"].get("trace")
    if trace:
        lines.append(f"trace: {trace} (the median run of each build; open it in ui.perfetto.dev or chrome://tracing)")
    return lines


def _memory_lines(results: dict) -> list[str]:
    """Peak memory of the serial build and of the parallel build that needed the most."""
    mem = {c["label"]: c["summary"]["memory"] for c in results["configs"]
           if c.get("summary") and c["summary"].get("memory")}
    par = {k: m for k, m in mem.items() if m.get("worker_peak_kb") is not None}
    if not par:
        return []
    label, m = max(par.items(), key=lambda kv: kv[1]["concurrent_own_sum_kb"])
    serial = next((m["coordinator_peak_kb"] for k, m in mem.items() if k == "serial"), None)

    def mib(kb: float) -> str:
        return f"{kb / 1024:,.0f} MiB"

    upper = m["concurrent_basis"].startswith("upper bound")
    return [(f"memory (peak RSS): serial {mib(serial)}; " if serial else "memory (peak RSS): ")
            + f"{label}: coordinator {mib(m['coordinator_peak_kb'])}, largest worker {mib(m['worker_peak_kb'])} "
            f"({mib(m['worker_own_kb'])} its own), {'at most ' if upper else ''}{mib(m['concurrent_own_sum_kb'])} at "
            f"once counting shared pages once ({mib(m['concurrent_peak_sum_kb'])} summing the peaks)"]


def run_bench_cli(settings: Any, outdir: Path, quiet: bool) -> dict:
    from pcodegen.bench.driver import run_bench
    from pcodegen.progress import progress

    rounds = settings.warmup + settings.repeat
    with progress("bench", total=None, quiet=quiet) as bar:
        return run_bench(settings, outdir, progress=bar if rounds else None)


@click.command("bench")
@click.argument("input_path", metavar="INPUT")
@click.option("-j", "--workers", default="1,2", show_default=True, help="Worker counts to measure, comma-separated.")
@click.option("-s", "--strategies", default=None,
              help="Partitioning strategies, comma-separated [default: the default one; see partition --list].")
@click.option("-p", "--parts", default="workers", show_default=True,
              help="Partition counts, comma-separated; 'workers' = as many partitions as workers, "
                   f"'auto' = compile's default ({auto_parts_rule()}).")
@click.option("-r", "--repeat", type=int, default=3, show_default=True, help="Measured runs of each build.")
@click.option("--warmup", type=int, default=0, show_default=True, help="Unmeasured runs of each build first.")
@click.option("--opt", type=int, default=2, show_default=True, help="Optimisation level 0-3.")
@click.option("--link", "link_kind", type=click.Choice(LINK_CHOICES), default="shared", show_default=True,
              help="How each build is linked (part of its wall time).")
@click.option("--link-arg", multiple=True, help="Extra argument for the link (repeatable), e.g. --link-arg=-lm.")
@click.option("--executor", default="local", show_default=True, help=EXECUTOR_HELP + ".")
@click.option("--memory-budget", default=None, metavar="SIZE",
              help="Memory for each parallel build, e.g. 4G, as compile's --memory-budget: caps the workers, limits "
                   "each worker to its share; too small for one worker: an error (exit 2).")
@click.option("--timeout", type=float, default=None, help="Fail a worker running longer than this (seconds).")
@click.option("--predict", "predict_workers", default=",".join(map(str, DEFAULT_WORKER_COUNTS)), show_default=True,
              help="Worker counts to predict.")
@click.option("--no-plots", is_flag=True, help="Skip the PNG plots.")
@click.option("--trace", "trace_path", default=None, metavar="FILE",
              help="Also write the median run of every build to FILE as Chrome trace-event JSON (open it in "
                   "ui.perfetto.dev or chrome://tracing): one group of processes per build (its coordinator and "
                   "workers), each from 0 at its load phase. FILE goes outside OUTDIR; overwrites only a previous "
                   "trace.")
@click.option("-o", "--output", required=True, metavar="OUTDIR",
              help="Where results.json, report.md and plots go. An existing OUTDIR is replaced only if it is empty or "
                   "a previous bench output (it has pcodegen's results.json); see --force.")
@click.option("--force", is_flag=True, help="Replace an existing OUTDIR even if pcodegen did not write it (never the "
                                            "working directory, /, $HOME or a directory holding the input).")
@click.option("--cache", "cache_dir", default=None, metavar="DIR",
              help="Also measure every parallel build with a warm cache: its partition objects kept under DIR (one "
                   "directory per build, filled by one unmeasured build first), as compile's --cache.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the headline figures as JSON, with `groups` (per measured build: label, workers, parts, measured_s, predicted_s, partition_time_r2, floor_s, critical_unit), `predicted` (workers -> seconds) and, with --cache, `warm_cache` (per warm build: measured_s, cold_s, share_of_cold, hits, misses).")
@cost_option
def bench_cmd(input_path: str, workers: str, strategies: str | None, parts: str, repeat: int, warmup: int, opt: int,
              link_kind: str, link_arg: tuple[str, ...], executor: str, memory_budget: str | None,
              timeout: float | None, predict_workers: str, no_plots: bool, output: str, quiet: bool,
              as_json: bool, force: bool, trace_path: str | None, cost: str, cache_dir: str | None) -> None:
    """Measure serial against parallel code generation of INPUT (.ll or .bc) and write
    OUTDIR/results.json, report.md and plots: speedup with its spread, the phase
    breakdown, balance, what each worker did (gantt.png), per-worker memory, and
    predicted scaling to 64 workers."""
    from pcodegen.bench.driver import BenchSettings, parse_int_list, parse_list
    from pcodegen.parallel.budget import parse_size
    from pcodegen.bench.report import headline, machine_figures

    if link_arg and link_kind == "none":
        raise UsageError(f"--link-arg {link_arg[0]} does nothing with --link none")
    settings = BenchSettings(
        input=input_path, workers=parse_int_list(workers, "--workers"), parts=parse_list(parts),
        strategies=parse_list(strategies) if strategies else [], repeat=repeat, warmup=warmup, opt=opt,
        link=link_kind, link_args=list(link_arg), executor=check_executor_spec(executor),
        memory_budget=parse_size(memory_budget), timeout=timeout,
        predict_workers=parse_int_list(predict_workers, "--predict"), plots=not no_plots, force=force,
        trace=trace_path, cost=check_cost_rule(cost), cache=None if cache_dir is None else str(cache_dir))
    outdir = Path(output)
    _check_early(settings, outdir)
    results = run_bench_cli(settings, outdir, quiet)
    if as_json:
        click.echo(json.dumps({"outdir": str(outdir), **headline(results), **machine_figures(results)}, indent=2,
                              sort_keys=True, default=str))
        return
    click.echo("\n".join(_summary_lines(results, outdir)))


def _check_early(settings: Any, outdir: Path) -> None:
    """Bad settings, the input and the output directory: all before the first build."""
    from pcodegen.ir.load import read_input
    from pcodegen.output import BENCH, check_output_dir

    settings.check()
    read_input(settings.input)
    if settings.cache is not None:
        from pcodegen.cache import check_cache_dir

        settings.cache = str(check_cache_dir(settings.cache).resolve())
    check_output_dir(outdir, BENCH, settings.force, [settings.input])
    if settings.trace:
        from pcodegen.timeline import check_trace_path

        check_trace_path(settings.trace, outdirs=[outdir], files=[settings.input])


@click.command("demo")
@click.option("-o", "--output", default="pcodegen-demo", show_default=True,
              help="Directory for the demo's report, relative to the working directory (replaced only if it is "
                   "empty or a previous demo/bench output; see --force).")
@click.option("--force", is_flag=True, help="Replace -o DIR even if pcodegen did not write it.")
@click.option("-j", "--workers", default=None, help="Worker counts to measure [default: 1 and up to 4 cores].")
@click.option("-r", "--repeat", type=int, default=3, show_default=True, help="Measured runs of each build.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def demo_cmd(output: str, workers: str | None, repeat: int, quiet: bool, force: bool) -> None:
    """Run bench on the built-in sample (serial and parallel builds, linked, validated,
    timed, predicted), check that the parallel program behaves like the serial one, and
    print where the report went."""
    from importlib import resources

    from pcodegen.bench.driver import BenchSettings, parse_int_list
    from pcodegen.pipeline import cpu_count

    out = Path(output)
    data = resources.files("pcodegen") / "data"
    expected = (data / "demo.expected.txt").read_text()
    counts = parse_int_list(workers, "--workers") if workers else sorted({1, 2, min(cpu_count(), 4)})
    with resources.as_file(data / "demo.ll") as sample:
        settings = BenchSettings(input=str(sample), workers=counts, repeat=repeat, link="exe", force=force)
        _check_early(settings, out)
        results = run_bench_cli(settings, out, quiet)
    bad = []
    for c in results["configs"]:
        exe = out / "builds" / c["id"] / "a.out"
        proc = subprocess.run([str(exe.resolve())], capture_output=True, text=True, timeout=60)
        if proc.returncode != 0 or proc.stdout != expected:
            bad.append(c["label"])
    sym_bad = sorted({x["config"] for x in results["samples"] if x.get("symbols_ok") is False})
    click.echo(f"built-in sample ({len(expected.splitlines())} lines of expected output): every build's program "
               + ("matches it" if not bad else f"DIFFERS for {', '.join(bad)}")
               + ("; symbols ok" if not sym_bad else f"; SYMBOL PROBLEMS in {', '.join(sym_bad)}"))
    click.echo("\n".join(_summary_lines(results, out)))
    serial = next(c for c in results["configs"] if c["id"] == "serial")["summary"]["wall_s"]["median"]
    if serial < 2:
        click.echo(f"note: the built-in sample builds in {serial:.2f} s, too little work for parallel code "
                   "generation to pay; benchmarks/bench_sqlite.sh reports on a real module")
    if bad or sym_bad:
        raise CheckFailed("the demo's parallel build does not behave like the serial one")

