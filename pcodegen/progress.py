"""Progress bars (rich) for commands that run longer than a couple of seconds.

They draw on stderr, so JSON on stdout stays clean, and only when stderr is a terminal;
`--quiet` (or PCODEGEN_QUIET=1) silences them. Usage:

    with progress("compiling", total=n) as bar:
        bar.advance(label="part-003")

`bar.update(completed=, total=)` sets the figures directly (for callbacks that know
them); a bar with `total=None` is a spinner with the elapsed time.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator

QUIET = False  # set by the command line's --quiet


def set_quiet(quiet: bool) -> None:
    global QUIET
    QUIET = QUIET or quiet


def enabled(quiet: bool = False) -> bool:
    """Whether progress bars should draw: a terminal on stderr and nobody said quiet."""
    if quiet or QUIET or os.environ.get("PCODEGEN_QUIET", "") not in ("", "0"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Bar:
    """One task of a rich Progress, or nothing at all when disabled."""

    def __init__(self, prog: Any = None, task: Any = None, description: str = ""):
        self._prog = prog
        self._task = task
        self._description = description

    def advance(self, n: float = 1, label: str | None = None) -> None:
        if self._prog is not None:
            self._prog.update(self._task, advance=n, **self._label(label))

    def update(self, completed: float | None = None, total: float | None = None, label: str | None = None) -> None:
        if self._prog is not None:
            kw: dict[str, Any] = self._label(label)
            if completed is not None:
                kw["completed"] = completed
            if total is not None:
                kw["total"] = total
            self._prog.update(self._task, **kw)

    def callback(self, done: int, total: int, label: str = "") -> None:
        """`(done, total, label)` progress callback form (what the pipeline calls)."""
        self.update(completed=done, total=total, label=f"({label} done)" if label else None)

    def _label(self, label: str | None) -> dict[str, str]:
        return {"description": f"{self._description} {label}" if label else self._description}

    def log(self, message: str) -> None:
        """A line above the bar (or on stderr when bars are off)."""
        if self._prog is not None:
            self._prog.console.print(message, highlight=False, markup=False)


@contextmanager
def progress(description: str, total: float | None = None, quiet: bool = False) -> Iterator[Bar]:
    """A progress bar on stderr for the duration of the block (transient)."""
    if not enabled(quiet):
        yield Bar()
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                               TimeElapsedColumn)

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as prog:
        task = prog.add_task(description, total=total)
        yield Bar(prog, task, description)
