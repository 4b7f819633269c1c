"""Combine stage: write the partitions' artifacts, link objects with the system linker,
or link bitcode back into one module in one context."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import llvmlite.binding as llvm

from pcodegen.defaults import LINK_KINDS
from pcodegen.errors import CheckFailed, UsageError
from pcodegen.ir.parse import parse_module



def cc() -> str:
    """The system C compiler driver (`$CC`, else cc)."""
    return os.environ.get("CC", "cc")


MATH_FUNCTIONS = frozenset(
    "ceil floor sqrt pow exp exp2 expm1 log log2 log10 log1p sin cos tan asin acos atan atan2 sinh cosh tanh "
    "fmod round trunc lround llround rint nearbyint hypot cbrt fmin fmax fdim fma frexp ldexp modf remainder "
    "copysign erf erfc tgamma lgamma".split())
_CONTEXT = re.compile(r"^(?:.*/)?(?:ld|ld\.\w+|collect2|clang|cc|gcc)(?:-\d+)?: (?:final link failed|error: "
                      r"(?:ld|linker command) .*|.*: in function .*)$")
_IN_FUNCTION = re.compile(r"^(?:.*?: )?(?P<obj>[^ :]+\.o): in function [`'](?P<fn>[^']+)':$")
_SOURCE_PREFIX = re.compile(r"^(?:(?:.*/)?ld(?:\.\w+)?: )?(?:[^:\s]+:)?\(\.[\w.]+\+0x[0-9a-f]+\): ")
_CAUSES = ("undefined reference", "relocation ", "multiple definition", "cannot find", "undefined symbol",
           "No such file", "cannot open", "Permission denied", "file format not recognized")


def explain_link_error(stderr: str, extra_args: list[str] | None = None) -> str:
    """The first line of a failed link that names its cause, with the fix where it is
    known: not the linker's last line (`collect2: error: ld returned 1 exit status`).
    An object's source-file prefix (`llvm-link:(.text+0x13):`, the module's
    source_filename) is replaced by the object and function it came from."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    where = ""
    cause = ""
    for ln in lines:
        m = _IN_FUNCTION.match(ln)
        if m:
            where = f"{Path(m['obj']).name}, in {m['fn']}: "
            continue
        if any(c in ln for c in _CAUSES):
            text = _SOURCE_PREFIX.sub("", ln)
            text = re.sub(r"^(?:.*/)?ld(?:\.\w+)?: ", "", text)
            cause = (where if not text.startswith(("/", ".")) and ".o:" not in text.split(" ")[0] else "") + text
            break
    if not cause:
        rest = [ln for ln in lines if not _CONTEXT.match(ln) and "returned 1 exit status" not in ln]
        cause = (rest or lines or ["no message"])[0]
    undefined = set(re.findall(r"undefined (?:reference to|symbol:?) [`']?([A-Za-z_][\w.]*)", stderr))
    args = extra_args or []
    if "can not be used when making a shared object" in cause or "recompile with -fPIC" in cause:
        cause += "; the input was compiled without -fPIC: link with --link exe or rebuild it with -fPIC"
    elif undefined & MATH_FUNCTIONS and "-lm" not in args:
        cause += "; it is in the maths library: add --link-arg=-lm"
    elif undefined == {"main"}:
        cause += "; the input has no main function: link it with --link shared"
    more = len(undefined) - 1
    if more > 0:
        cause += f" (and {more} more undefined symbol{'s' if more > 1 else ''})"
    return cause


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
        raise UsageError(f"C compiler driver {cc()!r} not found (on Debian: apt-get install build-essential)") from None
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise CheckFailed(f"link failed ({cc()} exit {proc.returncode}): "
                          f"{explain_link_error(proc.stderr, extra_args)}")
    try:
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"{output}: cannot write the linked file: {exc.strerror}") from None
    return output


def pic_problem(path: str | Path) -> str | None:
    """Why the module at `path` cannot go into a shared library, or None: a module
    compiled without -fPIC has no `PIC Level` flag and marks its definitions `dso_local`
    (references to them then cannot be relocated at load time). Cheap when the flag is
    there (a byte search: metadata strings are stored as they are, text or bitcode)."""
    from pcodegen.ir.load import BITCODE_MAGIC, parse_bytes, read_input

    data = read_input(path)
    if b"PIC Level" in data:
        return None
    if data.startswith(BITCODE_MAGIC):
        mod, _ = parse_bytes(data, str(path), verify=False)
        try:
            text = str(mod)
        finally:
            mod.close()
    else:
        text = data.decode("utf-8", "replace")
    if re.search(r"^(?:define|@[^=\n]+=) dso_local ", text, re.M) or re.search(r"^define (?:\w+ )*dso_local ", text, re.M):
        return (f"{path}: the input was compiled without -fPIC; link with --link exe or rebuild it with -fPIC "
                "(its definitions are dso_local and it has no PIC Level flag, so --link shared cannot work)")
    return None


def link_bitcode(modules: list[bytes]) -> bytes:
    """Link the partitions' bitcode into one module in one fresh context; verified."""
    ctx = llvm.create_context()
    base = parse_module(modules[0], ctx, verify=False)
    for data in modules[1:]:
        base.link_in(parse_module(data, ctx, verify=False))
    base.verify()
    return base.as_bitcode()
