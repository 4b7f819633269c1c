"""Combine stage: write the partitions' artifacts, link objects with the system linker,
or link bitcode back into one module in one context."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import llvmlite.binding as llvm

from .errors import CheckFailed, UsageError
from .execute import init_llvm

LINK_KINDS = ("shared", "exe")


def cc() -> str:
    """The system C compiler driver (`$CC`, else cc)."""
    return os.environ.get("CC", "cc")


def prepare_output_dir(outdir: Path) -> Path:
    """A fresh temporary directory beside `outdir`; `publish_dir` moves it into place."""
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir}: exists and is not a directory")
    parent = outdir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=parent))
    except OSError as exc:
        raise UsageError(f"{outdir}: cannot create: {exc.strerror}") from None


def publish_dir(tmp: Path, outdir: Path) -> None:
    """Replace `outdir` by the finished `tmp` in one rename (old contents removed)."""
    old = None
    if outdir.exists():
        old = outdir.with_name(f".{outdir.name}.old-{os.getpid()}")
        outdir.rename(old)
    tmp.rename(outdir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_file(path: Path, data: bytes | str) -> None:
    """Write `data` to `path`; a full disk becomes a one-line error."""
    try:
        if isinstance(data, str):
            path.write_text(data)
        else:
            path.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror}") from None


def write_json(path: Path, obj: object) -> None:
    write_file(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def link_objects(objects: list[Path], output: Path, kind: str = "exe", extra_args: list[str] | None = None) -> Path:
    """Link `objects` into an executable or shared library with the C compiler driver.

    The result appears at `output` only if the link succeeds.
    """
    if kind not in LINK_KINDS:
        raise UsageError(f"unknown link kind {kind!r}; choose shared or exe")
    output = Path(output)
    if output.is_dir():
        raise UsageError(f"{output}: is a directory")
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    cmd = [cc(), *(["-shared"] if kind == "shared" else []), "-o", str(tmp), *map(str, objects), *(extra_args or [])]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        raise UsageError(f"C compiler driver {cc()!r} not found") from None
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        first = next((ln for ln in err if "error" in ln or "undefined" in ln), err[0] if err else "")
        raise CheckFailed(f"link failed ({cc()} exit {proc.returncode}): {first.strip()}")
    tmp.replace(output)
    return output


def link_bitcode(modules: list[bytes]) -> bytes:
    """Link the partitions' bitcode into one module in one fresh context; verified."""
    init_llvm()
    ctx = llvm.create_context()
    base = llvm.parse_bitcode(modules[0], context=ctx)
    for data in modules[1:]:
        base.link_in(llvm.parse_bitcode(data, context=ctx))
    base.verify()
    return base.as_bitcode()
