"""The `pcodegen` command line (click): the group, its exit codes, and every product's
commands (`core`: graph, partition, compile, validate; `julia`: synth, emit,
experiment; `bench`: bench, demo). Exit 0 on success, 1 on a failed check, 2 on bad
usage or input; user mistakes get one line on stderr, never a traceback."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from pcodegen.errors import ParameterError, PcgError

log = logging.getLogger("pcodegen")


class Group(click.Group):
    """A click group that turns PcgError, and click's own usage errors (an unknown
    option, a bad value, a missing argument), into one line and its exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.ClickException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `pcodegen`: the help, as click gives it
                exc.show()
            else:
                click.echo(f"pcodegen: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("pcodegen: interrupted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PcgError as exc:
            message = exc.as_option() if isinstance(exc, ParameterError) else str(exc)
            click.echo(f"pcodegen: error: {message}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("pcodegen: interrupted", err=True)
            ctx.exit(130)


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(processName)s %(name)s: %(message)s", stream=sys.stderr)
    import multiprocessing_logging

    multiprocessing_logging.install_mp_handler()


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug, workers included).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars (they only draw on a terminal anyway).")
@click.version_option(package_name="pcodegen")
def main(verbose: int, quiet: bool) -> None:
    """Prototype parallel LLVM code generation: partition a module, compile the
    partitions in worker processes, link them, validate, and report the speedup."""
    from pcodegen.progress import set_quiet

    set_quiet(quiet)
    _setup_logging(verbose)



def _register() -> None:
    from pcodegen.cli.bench import bench_cmd, demo_cmd
    from pcodegen.cli.core import compile_cmd, graph_cmd, partition_cmd, profile_cmd, validate_cmd
    from pcodegen.cli.julia import emit_cmd, experiment_cmd, synth_cmd

    for cmd in (graph_cmd, partition_cmd, compile_cmd, validate_cmd, profile_cmd, synth_cmd, emit_cmd, experiment_cmd,
                bench_cmd, demo_cmd):
        main.add_command(cmd)


_register()
