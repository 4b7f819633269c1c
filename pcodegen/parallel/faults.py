"""Fault injection, the test hook behind `compile --inject-fault PART:KIND`: make a
worker crash (SIGSEGV), hang, raise, or finish late."""

from __future__ import annotations

import os
import signal
import time

ATTEMPT = 0  # set in each worker: 0 on the first try of a task, 1 on its first retry, ...
FAULTS = ("crash", "crash-once", "hang", "raise", "delay:SECONDS")


def inject(fault: str | None) -> None:
    """Test hook: make this worker crash (SIGSEGV), hang, raise, or finish late."""
    if fault in ("crash", "crash-once") and (fault == "crash" or ATTEMPT == 0):
        os.kill(os.getpid(), signal.SIGSEGV)
    elif fault == "hang":
        time.sleep(10**6)
    elif fault == "raise":
        raise RuntimeError("injected fault")
    elif fault and fault.startswith("delay:"):
        time.sleep(float(fault.split(":", 1)[1]))
