"""Where pcodegen writes, checked before any work starts.

One rule for every command that writes a directory (`compile -o DIR`, `--objdir`,
`bench -o DIR`, `demo -o DIR`): pcodegen replaces only what it wrote itself.

* A directory that does not exist yet, or an empty one, is written (atomically: the
  result is built in a hidden temporary directory beside it and renamed into place).
* An existing directory that holds a previous output of the same command, recognised
  by its report file (`report.json` with schema `pcodegen.compile/1`, `results.json`
  with schema `pcodegen.bench/1`) and holding nothing else pcodegen would not have
  written, is replaced the same way.
* Any other existing directory is refused (exit 2) unless `--force` is given.
* The working directory, `/`, `$HOME` and any directory that contains the input are
  never replaced, `--force` or not.

Files named with `-o FILE` (`--link`, `emit`, `synth`) are checked the same early way:
a name, a parent directory that exists and is writable, and not a directory.
"""

from __future__ import annotations

import json
import os
import re
import signal
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from pcodegen.errors import UsageError


@dataclass(frozen=True)
class OutputKind:
    """What one command writes into its output directory."""

    command: str
    marker: str  # the report file that says "a previous output of this command"
    schema: str  # its "schema" field
    names: tuple[str, ...]  # regular expressions for the other entries pcodegen writes there


COMPILE = OutputKind("compile", "report.json", "pcodegen.compile/1",
                     (r"part-\d+\.(o|bc)", r"serial\.(o|bc)", r"combined\.bc"))
BENCH = OutputKind("bench", "results.json", "pcodegen.bench/1",
                   (r"report\.md", r"[a-z_]+\.png", r"builds"))

FORCE_HINT = "pass --force to replace it anyway, or name a new directory"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _shown(path: Path | str) -> str:
    return str(path)


def protected_dirs(inputs: Iterable[str | Path] = ()) -> dict[Path, str]:
    """Resolved directory -> why pcodegen never replaces it."""
    out: dict[Path, str] = {}
    for inp in inputs:
        p = Path(inp).resolve()
        for parent in p.parents:
            out.setdefault(parent, f"it contains the input {inp}")
        if p.is_dir():
            out.setdefault(p, "it is the input")
    try:
        out[Path.home().resolve()] = "it is your home directory"
    except RuntimeError:  # no home
        pass
    out[Path("/").resolve()] = "it is the root directory"
    out[Path.cwd().resolve()] = "it is the working directory"
    return out


def _check_name(path: Path, what: str) -> None:
    if not str(path).strip():
        raise UsageError(f"{what}: an empty path")
    if path.name in ("", ".", ".."):
        # `.`, `..`, `/`, `dir/..`: no name of its own to write beside
        raise UsageError(f"{_shown(path)}: {what} needs a name of its own, e.g. {_example(what)}")


def _example(what: str) -> str:
    return "-o prog" if "file" in what else "-o out"


def _check_parent(path: Path, what: str) -> None:
    """The nearest existing ancestor of `path` must be a writable directory, and nothing
    on the way may be a file."""
    parent = Path(os.path.abspath(path)).parent
    probe = parent
    while not probe.exists():
        if probe.is_symlink():
            raise UsageError(f"{_shown(path)}: {probe} is a dangling symbolic link")
        probe = probe.parent
    if not probe.is_dir():
        raise UsageError(f"{_shown(path)}: cannot create {what}: {probe} is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK) or _read_only_fs(probe):
        raise UsageError(f"{_shown(path)}: cannot create {what}: {probe} is not writable")


def _read_only_fs(d: Path) -> bool:
    try:
        return bool(os.statvfs(d).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def is_previous_output(outdir: Path, kind: OutputKind) -> tuple[bool, list[str]]:
    """(has the command's report file, the entries pcodegen would not have written)."""
    try:
        entries = sorted(p.name for p in outdir.iterdir())
    except OSError as exc:
        raise UsageError(f"{outdir}: cannot list: {exc.strerror}") from None
    marked = False
    marker = outdir / kind.marker
    if marker.is_file():
        try:
            doc = json.loads(marker.read_text())
            marked = isinstance(doc, dict) and doc.get("schema") == kind.schema
        except (OSError, ValueError):
            marked = False
    patterns = [re.compile(p) for p in kind.names]
    strangers = [e for e in entries if e != kind.marker and not any(p.fullmatch(e) for p in patterns)]
    if kind is BENCH and (outdir / "builds").exists() and not (outdir / "builds").is_dir():
        strangers.append("builds")
    return marked, strangers


def check_output_dir(outdir: str | Path, kind: OutputKind, force: bool = False,
                     inputs: Iterable[str | Path] = (), option: str = "-o") -> Path:
    """Refuse, with one line, an output directory pcodegen must not write or replace.
    Call it before any work starts; `publish_dir` calls it again just before the rename."""
    raw = str(outdir)
    out = Path(outdir)
    what = f"the output directory ({option})"
    if not raw.strip():
        raise UsageError(f"{option}: an empty path")
    resolved = Path(os.path.abspath(out))
    try:
        real = out.resolve()
    except (OSError, RuntimeError):
        real = resolved
    for cand in {resolved, real}:
        why = protected_dirs(inputs).get(cand)
        if why:
            raise UsageError(f"{raw}: pcodegen never replaces this directory ({why}), --force or not; "
                             f"name a new directory, e.g. {option} out")
    _check_name(out, what)
    if out.is_symlink() and not out.exists():
        raise UsageError(f"{raw}: is a dangling symbolic link")
    if out.exists():
        if not out.is_dir():
            raise UsageError(f"{raw}: exists and is not a directory")
        marked, strangers = is_previous_output(out, kind)
        empty = not any(True for _ in out.iterdir())
        if not (empty or marked and not strangers) and not force:
            if marked:
                shown = ", ".join(strangers[:3]) + (f" and {len(strangers) - 3} more" if len(strangers) > 3 else "")
                raise UsageError(f"{raw}: holds a previous pcodegen {kind.command} output plus files pcodegen did "
                                 f"not write ({shown}); {FORCE_HINT}")
            raise UsageError(f"{raw}: exists and is not a pcodegen {kind.command} output (no {kind.marker}); "
                             f"{FORCE_HINT}")
        if not os.access(out.parent if str(out.parent) else ".", os.W_OK | os.X_OK) \
                or _read_only_fs(Path(os.path.abspath(out)).parent):
            raise UsageError(f"{raw}: cannot replace it: {Path(os.path.abspath(out)).parent} is not writable")
    else:
        _check_parent(out, what)
    return out


def check_output_file(output: str | Path, option: str = "-o", role: str = "the output file") -> Path:
    """An output file (a linked program, a module, a workload): a name, not a directory, in
    a writable directory that exists or can be made."""
    raw = str(output)
    out = Path(output)
    what = f"the output file ({option})"
    if not raw.strip():
        raise UsageError(f"{option}: an empty path")
    if raw.endswith(os.sep) or out.is_dir():
        raise UsageError(f"{raw}: is a directory; {option} names {role} here")
    _check_name(out, what)
    _check_parent(out, what)
    return out


def prepare_output_dir(outdir: Path) -> Path:
    """A fresh temporary directory beside `outdir`; `publish_dir` moves it into place.
    What may be replaced is `check_output_dir`'s to say, before any work."""
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir}: exists and is not a directory")
    return make_temp_dir(outdir)


def write_file(path: str | Path, data: bytes | str) -> None:
    """Write `data` to `path`; a full disk becomes a one-line error."""
    path = Path(path)
    try:
        if isinstance(data, str):
            path.write_text(data)
        else:
            path.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror}") from None


def write_json(path: Path, obj: object) -> None:
    """Write `obj` as indented JSON with sorted keys and a final newline."""
    write_file(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def make_temp_dir(outdir: Path) -> Path:
    """A fresh hidden directory beside `outdir` (same file system, so the final rename is
    atomic), with the mode a plain mkdir would give (the umask's)."""
    parent = Path(os.path.abspath(outdir)).parent
    try:
        parent.mkdir(parents=True, exist_ok=True, mode=0o777)
        tmp = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.pcodegen-tmp-", dir=parent))
        os.chmod(tmp, 0o777 & ~_umask())
        return tmp
    except OSError as exc:
        raise UsageError(f"{outdir}: cannot create: {exc.strerror}") from None


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM across the two renames, so an interrupt cannot land
    between them and leave neither the old output nor the new one in place."""
    sigs = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not on this platform
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def publish_dir(tmp: Path, outdir: Path, kind: OutputKind | None = None, force: bool = False) -> None:
    """Put the finished `tmp` in place of `outdir`; a previous output there (checked again
    now, in case something was added meanwhile) is removed only after the new one is in
    place."""
    if kind is not None and outdir.exists():
        check_output_dir(outdir, kind, force)
    old = None
    try:
        with _signals_held():
            if outdir.exists() or outdir.is_symlink():
                old = outdir.with_name(f".{outdir.name}.pcodegen-old-{os.getpid()}")
                outdir.rename(old)
            try:
                tmp.rename(outdir)
            except OSError:
                if old is not None:
                    old.rename(outdir)
                    old = None
                raise
    except OSError as exc:
        raise UsageError(f"{outdir}: cannot replace: {exc.strerror}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def check_report_matches_input(outdir: Path | str, input_path: str) -> None:
    """Raise a one-line UsageError when OUTDIR's report.json records a different input
    than `input_path` (compared by content: the sha256 it records). An output without a
    report, or a report without an input, is not checked."""
    import hashlib

    from pcodegen.ir.load import read_input

    report = Path(outdir) / "report.json"
    if not report.is_file():
        return
    try:
        doc = json.loads(report.read_text())
    except (OSError, ValueError):
        raise UsageError(f"{report}: not valid JSON") from None
    rec = doc.get("input") if isinstance(doc, dict) else None
    if not isinstance(rec, dict) or not rec.get("sha256"):
        return
    digest = hashlib.sha256(read_input(input_path)).hexdigest()
    if digest == rec["sha256"]:
        return
    was = rec.get("path") or "another module"
    same_path = was and Path(was).resolve() == Path(input_path).resolve()
    raise UsageError(
        f"{outdir} was compiled from {was} (sha256 {rec['sha256'][:12]}), but --input {input_path} "
        + ("has changed since" if same_path else "is a different module")
        + f" (sha256 {digest[:12]}); validate against the module it was compiled from, or compile again")


def read_json(path: str | Path, what: str, missing: str) -> object:
    """The JSON document at `path`, read by a command as one of its inputs; a one-line
    UsageError naming `what` otherwise (`missing`: the advice when there is no file)."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise UsageError(f"{path}: no such {what}; {missing}") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read the {what} ({exc})") from None
