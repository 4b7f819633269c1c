"""Click commands for the Julia codegen model: `synth`, `emit` and `experiment`.

`pcodegen.cli` registers them on the main group. Errors are `pcodegen.errors`
exceptions, which the main group turns into one line and an exit status (2 for bad
usage or input, 1 for a failed check).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from pcodegen.cli.present import echo_json
from pcodegen.errors import CheckFailed, UsageError
from pcodegen.julia.experiments import EXPERIMENTS
from pcodegen.output import write_file


VERDICT_KEYS = ("experiment", "mode", "ok", "outcome", "summary", "expected", "preset", "seed", "wall_s")


def verdict_first(data: dict) -> dict:
    """The verdict document with the verdict and the counts first and the long lists last
    (a reader of the JSON sees what happened before 50 KB of symbols)."""
    details = data.get("details") or {}
    small = {k: v for k, v in details.items() if not isinstance(v, (list, dict)) or len(json.dumps(v)) <= 200}
    large = {k: v for k, v in details.items() if k not in small}
    counts = {k: len(v) for k, v in large.items() if isinstance(v, list)}
    head = {k: data[k] for k in VERDICT_KEYS if k in data}
    rest = {k: v for k, v in data.items() if k not in head and k != "details"}
    return {**head, **rest, "counts": counts, "details": {**dict(sorted(small.items())), **dict(sorted(large.items()))}}


def verdict_lines(data: dict, output: str | None) -> list[str]:
    """A person's view of a verdict: what it showed, the counts, where the lists are."""
    ok = data.get("ok")
    lines = [f"{data.get('experiment')} ({data.get('mode')} mode"
             + (f", preset {data['preset']}" if data.get("preset") else "") + "): "
             + ("showed what it should" if ok else "did NOT show what it should"),
             f"  outcome:  {data.get('outcome')}",
             f"  expected: {data.get('expected')}",
             f"  summary:  {data.get('summary')}"]
    details = data.get("details") or {}
    scalars = []
    for k, v in details.items():
        if isinstance(v, list):
            scalars.append(f"{k} {len(v):,}")
        elif isinstance(v, dict) and v and all(isinstance(x, (int, float)) for x in v.values()) and len(v) <= 4:
            scalars.append(f"{k} " + "/".join(f"{kk} {vv:.2f}" if isinstance(vv, float) else f"{kk} {vv}"
                                              for kk, vv in v.items()))
        elif isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) <= 60) or v is None:
            scalars.append(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}")
    line = "  counts:  "
    for item in scalars:
        if len(line) + len(item) + 2 > 100:
            lines.append(line.rstrip(", "))
            line = "           "
        line += item + ", "
    if scalars:
        lines.append(line.rstrip(", "))
    lines.append(f"  took {data.get('wall_s', 0):.1f} s; every list in full: "
                 + (f"{output}" if output else "--json or -o FILE"))
    return lines


PRESET_HELP = ("glmakie (the seed's figures), sysimage (sized from Julia's system image), plots, plotutils "
               "or jll.")
SCALE_HELP = "Multiply the preset's counts by F, keeping its proportions (0.25: a quarter of the workload)."


@click.command("synth")
@click.option("--preset", "preset", required=True, metavar="NAME", help=PRESET_HELP)
@click.option("--scale", type=float, default=1.0, show_default=True, metavar="F", help=SCALE_HELP)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; the same seed gives the same workload.")
@click.option("-o", "--output", required=True, metavar="FILE", help="Where to write the workload JSON.")
def synth_cmd(preset: str, scale: float, seed: int, output: str) -> None:
    """Synthesize a Julia codegen workload and print its accounting as JSON."""
    from pcodegen.julia.presets import scaled, synthesize

    if seed < 0:
        raise UsageError("--seed must be >= 0")
    from pcodegen.output import check_output_file

    p = scaled(preset, scale)
    check_output_file(output)
    workload = synthesize(p, seed)
    workload.save(output)
    stats = workload.stats().to_dict()
    mismatched = {k: (v, stats[k]) for k, v in p.figures().items() if stats[k] != v}
    echo_json({"preset": p.label, "scale": p.scale, "seed": seed, "output": output, "stats": stats,
               "matches_preset_figures": not mismatched, "description": p.description})
    if mismatched:  # pragma: no cover - synthesize guarantees the figures
        raise CheckFailed(f"preset {p.name}: figures not reproduced: {mismatched}")


@click.command("emit")
@click.argument("workload_path", metavar="WORKLOAD")
@click.option("-o", "--output", required=True, metavar="FILE",
              help="Output module: bitcode, or LLVM IR text when FILE ends in .ll.")
def emit_cmd(workload_path: str, output: str) -> None:
    """Emit WORKLOAD serially, in one context with one CodegenParams (the reference)."""
    from pcodegen.ir.parse import parse_module
    from pcodegen.julia.emit import emit_serial_text
    from pcodegen.julia.workload import load_workload

    from pcodegen.output import check_output_file

    workload = load_workload(workload_path)
    check_output_file(output)
    t0 = time.perf_counter()
    text, params = emit_serial_text(workload)
    report = {
        "output": output,
        "functions": len(params.defined),
        "workqueue": params.workqueue_stats(),
        "global_targets": len(params.global_targets),
        "external_fns": len(params.external_fns),
        "merged_constants": len(params.merged_constants),
    }
    del params, workload  # the Python side's memory is LLVM's to reuse while it parses
    mod = parse_module(text)
    del text
    data: bytes | str = str(mod) if output.endswith(".ll") else mod.as_bitcode()
    del mod
    write_file(output, data)
    echo_json({**report, "bytes": len(data), "wall_s": round(time.perf_counter() - t0, 3)})


@click.command("experiment")
@click.argument("name", type=click.Choice((*EXPERIMENTS, "edits")))
@click.argument("input_path", metavar="[INPUT]", required=False)
@click.option("--strategies", default=None,
              help="edits: strategies to compare, comma-separated [default: pcodegen,llvm-round-robin,rustc,gcc-balanced].")
@click.option("--edits", "edit_kinds", default=None,
              help="edits: edit kinds, comma-separated [default: constant,add-function,delete-function,grow-function,"
                   "global-init].")
@click.option("--stdin", "stdin_path", default=None, metavar="FILE",
              help="edits: INPUT is a program: link each build and run it on FILE, against a serial build of the "
                   "same edited module.")
@click.option("--link-arg", multiple=True, help="edits: extra argument for the program's link (repeatable).")
@click.option("--fixed", is_flag=True, help="Run the fixed mode instead of the failing one.")
@click.option("--preset", default=None, metavar="NAME", help="Workload preset [default: plots]: " + PRESET_HELP)
@click.option("--scale", type=float, default=None, metavar="F", help=SCALE_HELP)
@click.option("--workload", "workload_path", default=None, metavar="FILE", help="A workload JSON instead of a preset.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for the preset.")
@click.option("-j", "--workers", type=int, default=2, show_default=True, help="Worker processes (approach2).")
@click.option("-p", "--parts", type=int, default=None, help="Partitions [default: the number of workers].")
@click.option("--threads", type=int, default=2, show_default=True, help="Threads (approach3).")
@click.option("--opt", type=click.IntRange(0, 3), default=2, show_default=True, help="Optimisation level.")
@click.option("--bound", "bound_s", type=float, default=10.0, show_default=True,
              help="Seconds the approach3 watchdog allows before calling it a hang.")
@click.option("--workdir", default=None, metavar="DIR", help="Keep approach2's objects and libraries here.")
@click.option("-o", "--output", default=None, metavar="FILE", help="Also write the full verdict JSON to FILE.")
@click.option("--json", "as_json", is_flag=True, help="Print the full verdict JSON (every list) instead of the summary.")
def experiment_cmd(name: str, input_path: str | None, strategies: str | None, edit_kinds: str | None,
                   stdin_path: str | None, link_arg: tuple[str, ...], fixed: bool, preset: str | None,
                   scale: float | None, workload_path: str | None, seed: int, workers: int,
                   parts: int | None, threads: int, opt: int, bound_s: float, workdir: str | None,
                   output: str | None, as_json: bool) -> None:
    """Run one of Julia's three parallel-codegen approaches in a child process and
    print its verdict: a summary (the verdict and the counts first), or with --json the
    full document. Exit 0 when the mode shows what it should (the failure, or with
    --fixed, success), 1 otherwise. `experiment edits INPUT` measures what seeded edits
    of INPUT cost to rebuild with the partition cache under each strategy."""
    if name == "edits":
        _edits(input_path, strategies, edit_kinds, stdin_path, list(link_arg), seed, workers, parts, opt, workdir,
               output, as_json)
        return
    if input_path is not None or strategies or edit_kinds or stdin_path or link_arg:
        raise UsageError(f"INPUT, --strategies, --edits, --stdin and --link-arg go with `experiment edits`, not {name}")
    from pcodegen.julia.experiments.runner import run_experiment
    from pcodegen.julia.presets import scaled, synthesize
    from pcodegen.julia.workload import load_workload

    if preset and workload_path:
        raise UsageError("give --preset or --workload, not both")
    if scale is not None and workload_path:
        raise UsageError("--scale applies to a --preset, not to a --workload")
    if parts is not None and parts < 1:
        raise UsageError("--parts must be at least 1")
    if threads < 2:
        raise UsageError("--threads must be at least 2")
    if bound_s <= 0:
        raise UsageError("--bound must be positive")
    if workload_path:
        workload = load_workload(workload_path)
    else:
        workload = synthesize(scaled(preset or "plots", 1.0 if scale is None else scale), seed)
    if output:
        from pcodegen.output import check_output_file

        check_output_file(output)
    if workdir:
        try:
            Path(workdir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{workdir}: cannot create: {exc.strerror}") from None
    verdict = run_experiment(name, workload, fixed, workers=workers, parts=parts, threads=threads, opt=opt,
                             bound_s=bound_s, workdir=workdir)
    data = verdict_first(verdict.to_dict())
    if output:
        write_file(output, json.dumps(data, indent=2) + "\n")
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo("\n".join(verdict_lines(data, output)))
    if not verdict.ok:
        raise CheckFailed(f"{name} ({verdict.mode}): {verdict.summary}")


def _edits(input_path: str | None, strategies: str | None, edit_kinds: str | None, stdin_path: str | None,
           link_args: list[str], seed: int, workers: int, parts: int | None, opt: int, workdir: str | None,
           output: str | None, as_json: bool) -> None:
    """`pcodegen experiment edits INPUT`: see pcodegen.edits."""
    import tempfile

    from pcodegen.edits import EDIT_KINDS, run_edits, table_lines
    from pcodegen.ir.load import read_input
    from pcodegen.partition import STRATEGIES

    if input_path is None:
        raise UsageError("experiment edits needs INPUT (a .ll or .bc module)")
    read_input(input_path)
    names = [s.strip() for s in (strategies or "pcodegen,llvm-round-robin,rustc,gcc-balanced").split(",") if s.strip()]
    unknown = [s for s in names if s not in STRATEGIES]
    if unknown:
        raise UsageError(f"unknown strategy {unknown[0]!r}; choose from: {', '.join(sorted(STRATEGIES))}")
    kinds = [k.strip() for k in (edit_kinds or ",".join(EDIT_KINDS)).split(",") if k.strip()]
    if stdin_path is not None:
        read_input(stdin_path)
    if output:
        from pcodegen.output import check_output_file

        check_output_file(output)

    def say(r) -> None:
        if not as_json:
            click.echo(f"{r.strategy} / {r.edit} ({r.target}): {r.recompiled} of {r.parts} partitions recompiled with "
                       f"the plan kept ({r.rebuild_s:.2f} s, {r.rebuild_share:.0%} of the cold build), "
                       f"{r.recompiled_fresh} with a fresh plan", err=True)

    with tempfile.TemporaryDirectory(prefix="pcg-edits-") as tmp:
        base = Path(workdir) if workdir else Path(tmp)
        report = run_edits(input_path, base, names, kinds, seed=seed, parts=str(parts) if parts else "auto",
                           workers=workers, opt=opt, link_args=link_args,
                           stdin=Path(stdin_path) if stdin_path else None, progress=say)
    data = report.to_dict()
    if output:
        write_file(output, json.dumps(data, indent=2) + "\n")
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo("\n".join(table_lines(report)))
        click.echo("recompiled: partitions whose module text the edit changed (cache misses), with the previous "
                   "plan kept and with the strategy's own fresh plan of the edited module; rebuild: wall seconds with "
                   "the warm cache and the plan kept, against the cold parallel build; validates: `pcodegen validate` "
                   "of both rebuilds; behaves: both rebuilt programs print what a serial build of the same edited "
                   "module prints")
    bad = [r for r in report.results if not r.validates or r.behaves is False]
    if bad:
        raise CheckFailed(f"{len(bad)} edited build(s) did not validate or behave like the serial build")
