"""Exception types shared by every stage; the CLI maps them to exit codes."""


class PcgError(Exception):
    """Base class for errors pcodegen reports as one line."""

    exit_code = 2


class UsageError(PcgError):
    """Bad input or bad usage: exit status 2."""

    exit_code = 2


class CheckFailed(PcgError):
    """A check (validation, behaviour comparison) found a problem: exit status 1."""

    exit_code = 1


class WorkerError(PcgError):
    """A worker process crashed, hung or raised: exit status 1."""

    exit_code = 1

    def __init__(self, label: str, how: str):
        super().__init__(f"worker for {label} failed: {how}")
        self.label = label
        self.how = how
