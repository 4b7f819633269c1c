"""The lock and watchdog of approach 3: a lock that records who holds it and who waits,
and the wait-for graph a watchdog searches for a cycle."""

from __future__ import annotations

import threading
import time
from typing import Any

LOCK_NAME = "codegen context lock"


class WaitGraph:
    """Who waits for what: each blocking call registers itself here first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.waits: dict[str, dict[str, Any]] = {}

    def begin(self, thread: str, **what: Any) -> None:
        with self._lock:
            self.waits[thread] = {**what, "since": time.monotonic()}

    def end(self, thread: str) -> None:
        with self._lock:
            self.waits.pop(thread, None)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {k: dict(v) for k, v in self.waits.items()}


class TrackedLock:
    """A re-entrant lock (like the context's recursive mutex) that knows its holder."""

    def __init__(self, name: str, graph: WaitGraph):
        self.name = name
        self._lock = threading.RLock()
        self._graph = graph
        self.holder: str | None = None
        self._depth = 0
        self.held_s = 0.0
        self._since = 0.0

    def acquire(self) -> None:
        me = threading.current_thread().name
        if self.holder != me:
            self._graph.begin(me, kind="lock", lock=self.name, on=lambda: self.holder)
        self._lock.acquire()
        self._graph.end(me)
        if self._depth == 0:
            self._since = time.perf_counter()
        self._depth += 1
        self.holder = me

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.held_s += time.perf_counter() - self._since
            self.holder = None
        self._lock.release()

    def __enter__(self) -> TrackedLock:
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()
