"""Exception types shared by every stage; the CLI maps them to exit codes."""


class PcgError(Exception):
    """Base class for errors pcodegen reports as one line."""

    exit_code = 2


class UsageError(PcgError):
    """Bad input or bad usage: exit status 2."""

    exit_code = 2


class ParameterError(UsageError):
    """A parameter out of range, named as the library names it (`parts must be at least
    1, got 0`); the CLI shows it under the option's name (`--parts ...`)."""

    def __init__(self, param: str, problem: str):
        super().__init__(f"{param} {problem}")
        self.param = param
        self.problem = problem

    def as_option(self) -> str:
        """The message with the parameter written as its command-line option."""
        return f"--{self.param.replace('_', '-')} {self.problem}"


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


def error_line(exc: BaseException) -> str:
    """`Type: first line of the message`, or the type alone when the message is empty:
    how a failure elsewhere (a worker, a child process, a strategy) is reported."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
