#!/usr/bin/env python3
"""Build the LLVM bitcode inputs used to exercise pcodegen.

Usage::

    python3 bitcode_samples/build.py [--out DIR] [--force] [samples|sqlite|all|demo]

Targets
-------
samples (default)
    Every directory under ``bitcode_samples/c/`` is one sample.  Each ``.c``
    file is compiled to bitcode with ``clang-19`` (see ``BITCODE_FLAGS``) and
    the files of a sample are joined with ``llvm-link-19`` into
    ``<out>/<sample>.bc``.  For programs (a file defines ``main``) the stdout
    of a natively compiled ``-O0`` build goes to ``<out>/<sample>.expected.txt``.
    For libraries (no ``main``) a native shared object is loaded with ctypes
    and the results of every exported ``int64_t f(int64_t)`` function on a
    fixed list of arguments go to ``<out>/<sample>.expected.json``.
sqlite
    Whole-program bitcode of the SQLite amalgamation plus its ``shell.c``,
    taken from the ``sqlean.py`` sdist on PyPI (downloaded once with pip into
    ``<out>/cache/``), written to ``<out>/sqlite.bc``.  The bitcode is then
    linked natively into ``<out>/sqlite3-native`` (``native_link_flags()``) and
    run on ``sqlite_test.sql``; its output is kept as
    ``<out>/sqlite_test.expected.txt``.
all
    samples + sqlite.
demo
    Regenerate the checked-in ``pcodegen/data/demo.ll`` and
    ``demo.expected.txt`` from the ``registry`` sample (llvm-link-19 +
    llvm-dis-19).  Not part of ``all``: the point of the demo is that it does
    not need clang.

The default output directory is ``bitcode_samples/build/``.  Every step is
skipped when its outputs are newer than its inputs (this script counts as an
input), and outputs are byte-for-byte reproducible: sources are compiled
from their own directory with relative file names, so no absolute path ends
up in the bitcode.

Measured on the reference machine (Debian 12, 2 cores, Debian clang/LLVM
19.1.7; sqlean.py 3.50.4.5 bundles SQLite 3.50.4):

=================  =========  ==================  ============================
output             bytes      defined functions   notes
=================  =========  ==================  ============================
registry.bc           15,264  42                  demo sample, 47 output lines
exprcalc.bc           28,968  61 (1 avail_ext)    108 output lines
kernels.bc            14,012  26 (+1 alias)       34 output lines
mathlib.bc             7,316  21                  library, 15 exports
sqlite.bc          3,236,468  3,584 (310 global)  ~507k lines of text IR
=================  =========  ==================  ============================

("defined functions" = functions with a body as llvmlite 0.50 sees them.
``llvm-nm-19 --defined-only`` differs slightly: it omits available_externally
bodies, lists aliases, and lists weak variables as W.)

Build times: all samples (bitcode + native reference runs) ~1 s.  SQLite:
the one-time sdist download ~5-8 s (pip's no-isolation attempt fails without
the ``wheel`` package and the isolated retry fetches setuptools), both
bitcode compiles in parallel ~4 s, native link of sqlite.bc + test run ~2 s,
so a cold ``all`` is ~15 s.  A rerun with nothing to do takes ~0.2 s.  For
scale: ``clang-19 -O2 -c sqlite.bc`` takes ~18-26 s on the same machine.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
C_DIR = HERE / "c"
DEMO_DIR = HERE.parent / "pcodegen" / "data"  # packaged with pcodegen for `pcodegen demo`
SQL_TEST = HERE / "sqlite_test.sql"
DEFAULT_OUT = HERE / "build"
THIS_SCRIPT = Path(__file__).resolve()

LLVM_MAJOR = 19
LLVM_DIR = Path(f"/usr/lib/llvm-{LLVM_MAJOR}/bin")

# -O0 alone would mark every function `optnone`; disabling that keeps the
# bitcode unoptimized but lets a later O2 pipeline do real work.
# -ffp-contract=off keeps a*b+c as separate fmul/fadd in the IR, so results do
# not depend on whether the code generator may fuse them (FMA on the host).
BITCODE_FLAGS = [
    "-O0", "-Xclang", "-disable-O0-optnone",
    "-fPIC", "-ffp-contract=off",
    "-emit-llvm", "-c",
]
SAMPLE_CFLAGS = ["-std=gnu17", "-Wall", "-Wextra"]
NATIVE_SAMPLE_FLAGS = ["-O0", "-fPIC", "-ffp-contract=off"]

DEMO_SAMPLE = "registry"

# Arguments every exported function of a library sample is evaluated on.
LIBRARY_PROBE_ARGS = [
    -(2**63), -1000, -7, -1, 0, 1, 2, 3, 7, 10, 27, 64, 97, 100, 255,
    1000, 4096, 65536, 99991, 2**40, 2**63 - 1,
]

# --- SQLite -----------------------------------------------------------------

SQLEAN_VERSION = "3.50.4.5"          # sqlean.py sdist pinned exactly
SQLEAN_SDIST = f"sqlean_py-{SQLEAN_VERSION}.tar.gz"
SQLEAN_SHA256 = "9764b565e7ab430ab6e9e43cb2816199c2b39926dffc93c212a52f0019278459"
SQLITE_VERSION = "3.50.4"            # what that sdist bundles
SQLITE_END_MARKER = "/************************** End of sqlite3.c ******************************/"
SQLITE_FILES = ("sqlite3.c", "sqlite3.h", "sqlite3ext.h", "shell.c")

SQLITE_DEFINES = [
    "-DSQLITE_ENABLE_FTS5",
    "-DSQLITE_ENABLE_MATH_FUNCTIONS",
    "-DSQLITE_THREADSAFE=0",
    "-DSQLITE_OMIT_LOAD_EXTENSION",
    "-DSQLITE_DEFAULT_MEMSTATUS=0",
]
# shell.c: no readline/editline (HAVE_READLINE/HAVE_EDITLINE stay undefined).
SHELL_DEFINES = SQLITE_DEFINES


def native_link_flags() -> list[str]:
    """Extra libraries needed to link sqlite.bc into a working shell."""
    return ["-lm"]


class ToolNotFoundError(RuntimeError):
    pass


class BuildError(RuntimeError):
    pass


def _log(msg: str) -> None:
    print(f"[build] {msg}", file=sys.stderr, flush=True)


def find_tool(name: str) -> str:
    """Return the path of an LLVM 19 tool such as ``clang-19`` or ``llvm-link-19``.

    Looks on PATH first, then in /usr/lib/llvm-19/bin (where the unsuffixed
    name is also tried).  Raises ToolNotFoundError with install hints.
    """
    found = shutil.which(name)
    if found:
        return found
    base = re.sub(rf"-{LLVM_MAJOR}$", "", name)
    for cand in (LLVM_DIR / name, LLVM_DIR / base):
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    raise ToolNotFoundError(
        f"{name} not found on PATH or in {LLVM_DIR}. "
        f"Install LLVM {LLVM_MAJOR}, e.g. `apt-get install -y clang-{LLVM_MAJOR} llvm-{LLVM_MAJOR}` "
        f"(Debian/Ubuntu) or see https://apt.llvm.org/."
    )


# --- small helpers ------------------------------------------------------------

def _run(cmd: list[str], cwd: Path | None = None, stdin=None, capture: bool = False,
         timeout: float | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, stdin=stdin, timeout=timeout,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace")[-4000:]
        raise BuildError(f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{err}")
    return proc


def _up_to_date(outputs: list[Path], inputs: list[Path]) -> bool:
    try:
        oldest_out = min(p.stat().st_mtime_ns for p in outputs)
    except FileNotFoundError:
        return False
    newest_in = max(p.stat().st_mtime_ns for p in inputs)
    return oldest_out >= newest_in


def _write_if_changed(path: Path, data: bytes) -> None:
    """Atomically write ``data``; keep the old file (and mtime) if identical."""
    if path.exists() and path.read_bytes() == data:
        path.touch()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _parallel(jobs: list, fn) -> list:
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, jobs))


def _compile_bitcode(src_dir: Path, src_name: str, out: Path, extra: list[str]) -> None:
    # Relative source name + cwd=src_dir: the module's source_filename is just
    # the file name, independent of where the checkout lives.
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    _run([find_tool(f"clang-{LLVM_MAJOR}"), *BITCODE_FLAGS, *extra, src_name, "-o", tmp], cwd=src_dir)
    os.replace(tmp, out)


def _link_bitcode(inputs: list[Path], out: Path) -> None:
    tmp = out.with_name(out.name + ".tmp")
    _run([find_tool(f"llvm-link-{LLVM_MAJOR}"), *inputs, "-o", tmp])
    os.replace(tmp, out)


# --- samples -------------------------------------------------------------------

_MAIN_RE = re.compile(r"^\s*int\s+main\s*\(", re.M)
_EXPORT_RE = re.compile(r"^\s*int64_t\s+(\w+)\s*\(\s*int64_t\b[^,;)]*\)\s*;", re.M)


def sample_names() -> list[str]:
    return sorted(p.name for p in C_DIR.iterdir() if p.is_dir() and any(p.glob("*.c")))


def _sample_sources(sample: str) -> tuple[list[Path], list[Path]]:
    d = C_DIR / sample
    return sorted(d.glob("*.c")), sorted(d.glob("*.h"))


def is_library(sample: str) -> bool:
    sources, _ = _sample_sources(sample)
    return not any(_MAIN_RE.search(p.read_text()) for p in sources)


def library_exports(sample: str) -> list[str]:
    """Names of the ``int64_t f(int64_t)`` functions declared in the sample's headers."""
    _, headers = _sample_sources(sample)
    names: list[str] = []
    for h in headers:
        names += _EXPORT_RE.findall(h.read_text())
    return sorted(set(names))


def expected_path(out_dir: Path, sample: str) -> Path:
    suffix = ".expected.json" if is_library(sample) else ".expected.txt"
    return Path(out_dir) / f"{sample}{suffix}"


_PROBE_SCRIPT = r"""
import ctypes, json, sys
lib = ctypes.CDLL(sys.argv[1])
names = json.loads(sys.argv[2]); args = json.loads(sys.argv[3])
cases = {}
for n in names:
    f = getattr(lib, n)
    f.restype = ctypes.c_int64
    f.argtypes = [ctypes.c_int64]
    cases[n] = [[a, f(a)] for a in args]
print(json.dumps(cases))
"""


def _native_reference(sample: str, work: Path) -> bytes:
    sources, _ = _sample_sources(sample)
    clang = find_tool(f"clang-{LLVM_MAJOR}")
    names = [p.name for p in sources]
    src_dir = C_DIR / sample
    if is_library(sample):
        so = work / f"lib{sample}.so"
        _run([clang, *NATIVE_SAMPLE_FLAGS, *SAMPLE_CFLAGS, "-shared", *names, "-o", so], cwd=src_dir)
        exports = library_exports(sample)
        proc = _run([sys.executable, "-c", _PROBE_SCRIPT, so, json.dumps(exports),
                     json.dumps(LIBRARY_PROBE_ARGS)], capture=True, timeout=120)
        cases = json.loads(proc.stdout)
        # One line per function: compact, still diff-friendly.
        lines = ["{",
                 f' "sample": {json.dumps(sample)},',
                 ' "signature": "int64_t f(int64_t)",',
                 f' "exports": {json.dumps(exports)},',
                 ' "cases": {']
        for i, name in enumerate(exports):
            sep = "," if i + 1 < len(exports) else ""
            lines.append(f'  {json.dumps(name)}: {json.dumps(cases[name])}{sep}')
        lines += [" }", "}", ""]
        return "\n".join(lines).encode()
    exe = work / sample
    _run([clang, *NATIVE_SAMPLE_FLAGS, *SAMPLE_CFLAGS, *names, "-o", exe], cwd=src_dir)
    proc = _run([exe], capture=True, timeout=120)
    return proc.stdout


def build_sample(sample: str, out_dir: Path | str = DEFAULT_OUT, force: bool = False) -> Path:
    out_dir = Path(out_dir)
    sources, headers = _sample_sources(sample)
    if not sources:
        raise BuildError(f"no such sample: {sample}")
    inputs = [*sources, *headers, THIS_SCRIPT]
    bc = out_dir / f"{sample}.bc"
    expected = expected_path(out_dir, sample)
    if not force and _up_to_date([bc, expected], inputs):
        return bc
    obj_dir = out_dir / "obj" / sample
    objs = [obj_dir / (p.stem + ".bc") for p in sources]
    _parallel(list(zip(sources, objs)),
              lambda so: _compile_bitcode(so[0].parent, so[0].name, so[1], SAMPLE_CFLAGS))
    _link_bitcode(objs, bc)
    with tempfile.TemporaryDirectory(prefix=f"pcg-{sample}-") as tmp:
        _write_if_changed(expected, _native_reference(sample, Path(tmp)))
    _log(f"built {bc} ({bc.stat().st_size} bytes)")
    return bc


def build_samples(out_dir: Path | str = DEFAULT_OUT, force: bool = False) -> dict[str, Path]:
    """Build every sample; returns {sample name: path of its linked .bc}."""
    return {s: build_sample(s, out_dir, force) for s in sample_names()}


# --- SQLite -------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download_sqlean(cache: Path) -> Path:
    """Fetch the pinned sqlean.py sdist with pip (once)."""
    sdist = cache / SQLEAN_SDIST
    if sdist.exists() and _sha256(sdist) == SQLEAN_SHA256:
        return sdist
    cache.mkdir(parents=True, exist_ok=True)
    base = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
            f"sqlean.py=={SQLEAN_VERSION}", "-d", str(cache), "--disable-pip-version-check"]
    # pip prepares metadata even for `download`; without `wheel` installed the
    # no-isolation variant fails, so fall back to an isolated build env.
    attempts = [base[:4] + ["--no-build-isolation"] + base[4:], base]
    errors = []
    for cmd in attempts:
        _log("downloading: " + " ".join(cmd[1:]))
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if proc.returncode == 0 and sdist.exists():
            break
        errors.append(proc.stdout.decode(errors="replace")[-1500:])
    else:
        raise BuildError("could not download the sqlean.py sdist:\n" + "\n---\n".join(errors))
    digest = _sha256(sdist)
    if digest != SQLEAN_SHA256:
        raise BuildError(f"{sdist}: sha256 {digest} != pinned {SQLEAN_SHA256}")
    return sdist


def _extract_sqlite(sdist: Path, src: Path) -> None:
    """Unpack sqlite3.c/h, sqlite3ext.h and shell.c; cut sqlean's hook off sqlite3.c."""
    marker = SQLITE_END_MARKER.encode()
    prefix = f"sqlean_py-{SQLEAN_VERSION}/sqlite/"
    src.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist, "r:gz") as tar:
        for name in SQLITE_FILES:
            f = tar.extractfile(prefix + name)
            if f is None:
                raise BuildError(f"{sdist} lacks {prefix}{name}")
            data = f.read()
            if name == "sqlite3.c":
                # sqlean appends a `core_init` hook calling sqlite3_sqlean_init,
                # whose definition is not in the sdist: drop everything after
                # the amalgamation's end marker.
                pos = data.find(marker)
                if pos < 0:
                    raise BuildError("end-of-amalgamation marker not found in sqlite3.c")
                data = data[: pos + len(marker)] + b"\n"
                if f'#define SQLITE_VERSION        "{SQLITE_VERSION}"'.encode() not in data:
                    raise BuildError(f"sqlite3.c is not SQLite {SQLITE_VERSION}")
            _write_if_changed(src / name, data)


def build_sqlite(out_dir: Path | str = DEFAULT_OUT, force: bool = False, verify: bool = True) -> Path:
    """Build ``<out>/sqlite.bc`` (and, with verify, the native shell + expected output)."""
    out_dir = Path(out_dir)
    cache = out_dir / "cache"
    src = cache / f"sqlite-{SQLITE_VERSION}"
    obj = out_dir / "obj" / "sqlite"
    bc = out_dir / "sqlite.bc"
    native = out_dir / "sqlite3-native"
    expected = out_dir / "sqlite_test.expected.txt"

    sources = [src / n for n in SQLITE_FILES]
    if force or not all(p.exists() for p in sources):
        t0 = time.monotonic()
        _extract_sqlite(_download_sqlean(cache), src)
        _log(f"sqlite sources ready in {time.monotonic() - t0:.1f}s")

    if force or not _up_to_date([bc], [*sources, THIS_SCRIPT]):
        t0 = time.monotonic()
        jobs = [("sqlite3.c", obj / "sqlite3.bc", SQLITE_DEFINES),
                ("shell.c", obj / "shell.bc", SHELL_DEFINES)]
        _parallel(jobs, lambda j: _compile_bitcode(src, j[0], j[1], j[2]))
        _link_bitcode([obj / "sqlite3.bc", obj / "shell.bc"], bc)
        _log(f"built {bc} ({bc.stat().st_size} bytes) in {time.monotonic() - t0:.1f}s")

    if verify and (force or not _up_to_date([native, expected], [bc, SQL_TEST, THIS_SCRIPT])):
        t0 = time.monotonic()
        tmp = native.with_name(native.name + ".tmp")
        _run([find_tool(f"clang-{LLVM_MAJOR}"), bc, "-o", tmp, *native_link_flags()])
        os.replace(tmp, native)
        with open(SQL_TEST, "rb") as f:
            proc = _run([native], stdin=f, capture=True, timeout=300)
        _write_if_changed(expected, proc.stdout)
        _log(f"native shell ok, {len(proc.stdout.splitlines())} lines of test output "
             f"in {time.monotonic() - t0:.1f}s")
    return bc


# --- demo ------------------------------------------------------------------------------

def build_demo(out_dir: Path | str = DEFAULT_OUT) -> Path:
    """Regenerate pcodegen/data/demo.ll (+ expected stdout) from DEMO_SAMPLE."""
    bc = build_sample(DEMO_SAMPLE, out_dir)
    ll = DEMO_DIR / "demo.ll"
    # Relative name: the ModuleID line must not depend on the output directory.
    proc = _run([find_tool(f"llvm-dis-{LLVM_MAJOR}"), bc.name, "-o", "-"], cwd=bc.parent, capture=True)
    header = (
        f"; Generated from bitcode_samples/c/{DEMO_SAMPLE}/ by `python3 bitcode_samples/build.py demo`:\n"
        f"; clang-{LLVM_MAJOR} {' '.join(BITCODE_FLAGS)} {' '.join(SAMPLE_CFLAGS)} on each .c file,\n"
        f"; then llvm-link-{LLVM_MAJOR} and llvm-dis-{LLVM_MAJOR}.  Expected stdout: demo.expected.txt.\n"
        f"; Do not edit by hand.\n"
    ).encode()
    _write_if_changed(ll, header + proc.stdout)
    _write_if_changed(DEMO_DIR / "demo.expected.txt", expected_path(out_dir, DEMO_SAMPLE).read_bytes())
    _log(f"wrote {ll} ({len(proc.stdout.splitlines())} lines)")
    return ll


# --- command line -------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Build pcodegen's bitcode samples.")
    ap.add_argument("target", nargs="?", default="samples",
                    choices=["samples", "sqlite", "all", "demo"])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help=f"output directory (default: {DEFAULT_OUT})")
    ap.add_argument("--force", action="store_true", help="rebuild even if up to date")
    ap.add_argument("--no-verify", action="store_true",
                    help="sqlite: skip linking/running the native shell")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    try:
        if args.target in ("samples", "all"):
            for name, path in build_samples(args.out, args.force).items():
                print(f"{name}: {path}")
        if args.target in ("sqlite", "all"):
            print(f"sqlite: {build_sqlite(args.out, args.force, verify=not args.no_verify)}")
        if args.target == "demo":
            print(f"demo: {build_demo(args.out)}")
    except (ToolNotFoundError, BuildError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    _log(f"done in {time.monotonic() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
