"""The one way pcodegen runs a function in a forked child process.

`Forked(func, *args)` starts `func(*args)` in a child while the caller goes on;
`result()` returns its value or re-raises its exception, `outcome(timeout)` returns
an `Isolated` record instead (the value, the exception line, the signal that killed
the child, or a timeout, after which the child is killed). With `stages=True` the
child is called as `func(*args, stage)`, and `stage(name)` tells the parent what it is
doing, so a crash is reported with the stage it happened in. `run_isolated` is the
synchronous form, for running something that may crash: a crash is an outcome, not a
failure.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Callable

from pcodegen.errors import error_line

HELPER_LINGER_S = 2.0  # how long a finished isolated child may take to exit before it is killed


def signal_name(number: int) -> str:
    """`SIGSEGV` for 11; `signal N` for a number with no name."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def describe_exit(exitcode: int | None) -> str:
    """Human words for a process exit status."""
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        return f"killed by signal {signal_name(-exitcode)}"
    return f"exited with status {exitcode} without a result"


@dataclass
class Isolated:
    """How a forked child ended."""

    status: str  # ok | error | signal | exit | timeout
    value: Any = None
    error: str | None = None
    signal: str | None = None
    exitcode: int | None = None
    stages: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    exception: BaseException | None = None

    @property
    def stage(self) -> str | None:
        return self.stages[-1] if self.stages else None

    def describe(self) -> str:
        where = f" during {self.stage}" if self.stage else ""
        if self.status == "signal":
            return f"killed by {self.signal}{where}"
        if self.status == "timeout":
            return f"timed out{where}"
        if self.status == "error":
            return f"raised {self.error}{where}"
        if self.status == "exit":
            return f"exited with status {self.exitcode} without a result{where}"
        return "ok"


def _child(func: Callable[..., Any], args: tuple, stages: bool, conn: Any) -> None:
    def stage(name: str) -> None:
        conn.send(("stage", name))

    try:
        answer: tuple = ("ok", func(*args, stage) if stages else func(*args))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        answer = ("error", (error_line(exc), exc))
    try:
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - a value or exception that does not pickle
            line = answer[1][0] if answer[0] == "error" else error_line(exc)
            conn.send(("error", (line, None)))
    finally:
        conn.close()


class Forked:
    """`func(*args)` running in a forked child while this process goes on. Call
    `result()` or `outcome()` once; `close()` kills a child still running (use it in a
    `finally` so no child outlives its caller)."""

    def __init__(self, func: Callable[..., Any], *args: Any, stages: bool = False, daemon: bool = True):
        ctx = mp.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child, args=(func, args, stages, send), daemon=daemon)
        self._t0 = time.perf_counter()
        self._proc.start()
        send.close()

    def outcome(self, timeout: float | None = None, linger: float = HELPER_LINGER_S) -> Isolated:
        """Wait (at most `timeout` seconds) for the child's answer; never raises for what
        the child did. A child that answered gets `linger` seconds to exit."""
        out = Isolated("exit")
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                if not wait([self._recv], left):
                    out.status = "timeout"
                    break
                try:
                    kind, payload = self._recv.recv()
                except (EOFError, OSError):
                    self._proc.join(10)
                    code = self._proc.exitcode
                    out.exitcode = code
                    if code is not None and code < 0:
                        out.status = "signal"
                        out.signal = signal_name(-code)
                    break
                if kind == "stage":
                    out.stages.append(payload)
                    continue
                out.status = kind
                if kind == "ok":
                    out.value = payload
                else:
                    out.error, out.exception = payload
                break
        finally:
            if self._proc.is_alive() and out.status in ("ok", "error"):
                self._proc.join(linger)
            self.close()
            if out.exitcode is None:
                out.exitcode = self._proc.exitcode
            out.wall_s = time.perf_counter() - self._t0
        return out

    def result(self) -> Any:
        """The child's value; its exception re-raised, or RuntimeError if it died
        without an answer."""
        out = self.outcome(linger=0)
        if out.status == "ok":
            return out.value
        if out.status == "error":
            raise out.exception if out.exception is not None else RuntimeError(out.error)
        raise RuntimeError(f"forked helper {describe_exit(out.exitcode)}")

    def close(self) -> None:
        if self._proc.is_alive():  # unfinished, or done and exiting: either way not needed
            self._proc.kill()
        self._proc.join()
        self._recv.close()


def run_isolated(func: Callable[[Any, Callable[[str], None]], Any], arg: Any,
                 timeout: float | None = None) -> Isolated:
    """Run `func(arg, stage)` in a forked child (not a daemon: it may start workers of
    its own) and wait for it; never raises for what the child does."""
    return Forked(func, arg, stages=True, daemon=False).outcome(timeout)
