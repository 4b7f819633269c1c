"""Run one function in a forked child process, so a crash is an outcome, not a failure.

`run_isolated(func, arg, timeout)` forks, calls `func(arg, stage)` in the child and
returns an `Isolated` record: the value, the exception line, the signal that killed
the child, or a timeout (the child is then killed). `stage(name)` lets the child say
what it is doing, so a crash can be reported with the stage it happened in.

The child is not a daemon: it may start worker processes of its own.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Callable


@dataclass
class Isolated:
    status: str  # ok | error | signal | exit | timeout
    value: Any = None
    error: str | None = None
    signal: str | None = None
    exitcode: int | None = None
    stages: list[str] = field(default_factory=list)
    wall_s: float = 0.0

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


def _child(func: Callable[[Any, Callable[[str], None]], Any], arg: Any, conn: Any) -> None:
    def stage(name: str) -> None:
        conn.send(("stage", name))

    try:
        result = ("ok", func(arg, stage))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        msg = str(exc).strip().splitlines()
        result = ("error", f"{type(exc).__name__}: {msg[0] if msg else ''}".rstrip(": "))
    try:
        conn.send(result)
    finally:
        conn.close()


def run_isolated(func: Callable[[Any, Callable[[str], None]], Any], arg: Any,
                 timeout: float | None = None) -> Isolated:
    """Run `func(arg, stage)` in a forked child; never raises for what the child does."""
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(func, arg, send), daemon=False)
    t0 = time.perf_counter()
    proc.start()
    send.close()
    out = Isolated("exit")
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = wait([recv], left)
            if not ready:
                out.status = "timeout"
                break
            try:
                kind, payload = recv.recv()
            except (EOFError, OSError):
                proc.join(10)
                code = proc.exitcode
                out.exitcode = code
                if code is not None and code < 0:
                    out.status = "signal"
                    try:
                        out.signal = signal.Signals(-code).name
                    except ValueError:
                        out.signal = f"signal {-code}"
                break
            if kind == "stage":
                out.stages.append(payload)
                continue
            out.status = kind
            if kind == "ok":
                out.value = payload
            else:
                out.error = payload
            break
    finally:
        if proc.is_alive():
            proc.join(2 if out.status in ("ok", "error") else 0)
        if proc.is_alive():
            proc.kill()
        proc.join()
        recv.close()
        if out.exitcode is None:
            out.exitcode = proc.exitcode
        out.wall_s = time.perf_counter() - t0
    return out
