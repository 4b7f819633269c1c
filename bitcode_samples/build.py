#!/usr/bin/env python3
"""Build the LLVM bitcode inputs used to exercise pcodegen.

Usage::

    python3 bitcode_samples/build.py [--out DIR] [--force] \
        [samples|sqlite|sqlite-g|cpp|rust|all|demo|lua|brotli|registry|crypto|zstd|libraries]

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
cpp
    Whole-program bitcode of the C++17 program under ``bitcode_samples/cpp/jsonlab/``
    driving nlohmann/json 3.11.2 (24k lines of headers, from Debian's pinned
    ``nlohmann-json3-dev`` package, fetched once with ``apt-get download`` into
    ``<out>/cache/`` and unpacked there, never installed): each ``.cpp`` compiled
    with ``clang++-19`` (``BITCODE_FLAGS`` + ``CPP_FLAGS``), joined with
    ``llvm-link-19`` into ``<out>/jsonlab.bc``.  The per-file bitcode is also
    compiled and linked natively (``<out>/jsonlab-native``) and its stdout kept as
    ``<out>/jsonlab.expected.txt``; the link flags go to ``<out>/jsonlab.link.json``.
rust
    Whole-program bitcode (standard library included, fat LTO) of the Rust
    program ``bitcode_samples/rust/traitlab/main.rs``, built by Debian's
    ``rustc`` (1.63, LLVM 14).  rustc's own bitcode is kept as
    ``<out>/traitlab.rustc.bc``; ``<out>/traitlab.bc`` is the same module with
    its debug info stripped by ``opt-19`` (LLVM 19 rejects rustc 1.63's debug
    info and drops it on load anyway; stripping it first makes every load 2-3x
    cheaper).  rustc's own executable is run for ``<out>/traitlab.expected.txt``;
    link flags in ``<out>/traitlab.link.json``.
sqlite-g
    The same SQLite sources compiled with full debug info (``-g``, see
    ``DEBUG_FLAGS``) into ``<out>/sqlite-g.bc`` (~8 MB; its printed IR is ~49 MB,
    about 350k metadata lines), with its own native shell and expected output.
    The module where pcodegen's coordinator work shows (issue 13); not in ``all``.
lua
    Whole-program bitcode of the Lua 5.4.8 interpreter (``lua.c`` + the core + the
    standard library: 33 files, as Lua's own makefile lists them less ``ltests.c``),
    taken from the ``third-party/lua54/`` of the pinned ``lupa`` sdist on PyPI
    (downloaded once with pip into ``<out>/cache/``, sha256-checked, extracted to
    ``<out>/cache/lua-5.4.8/``), compiled with ``LUA_FLAGS`` (``make linux`` without
    readline), joined into ``<out>/lua.bc``.  That is linked natively
    (``<out>/lua-native``, ``LUA_LINK_FLAGS``) and run as ``lua -E - < lua_test.lua``
    (numbers, strings and patterns, tables, closures, metatables, coroutines, errors,
    ``load``/``string.dump``, a few algorithms, io/os, gc and finalizers); its stdout is
    ``<out>/lua.expected.txt``, its link flags ``<out>/lua.link.json``.
brotli
    Whole-program bitcode of the Brotli 1.2.1 C library (``c/common``, ``c/dec``,
    ``c/enc`` of the pinned ``brotli`` sdist, extracted to
    ``<out>/cache/brotli-1.2.1/c/``) plus ``bitcode_samples/brotli_driver.c``, which
    compresses generated corpora one-shot and streaming (qualities 0-11, windows,
    modes, large window, a prepared dictionary), decompresses them again, damages
    streams, and prints sizes and CRC-32s: ``<out>/brotli.bc``, ``brotli-native``,
    ``brotli.expected.txt``, ``brotli.link.json``.
registry
    lua + brotli (``registry_workload(name)`` says how each is run).  Not to be
    confused with the ``registry`` C sample (``c/registry/``, the demo).  Cheap (a
    cold build ~10 s, see below) but not in ``all``, so that ``all`` downloads nothing
    more than it did.
crypto, zstd, libraries
    Registry libraries, bitcode only (no program, no workload): training modules
    for the calibrated cost model (``benchmarks/fit_cost_model.py``).  ``crypto``:
    pycryptodome 4.4.0's portable hashes, ciphers and curves (23 files of its
    ``src/``) in ``<out>/crypto.bc``; ``zstd``: the zstd amalgamation ``zstd/zstd.c``
    bundled by the zstandard 0.25.0 sdist in ``<out>/zstd.bc``; ``libraries`` both.
    Each sdist is downloaded once with pip and sha256-checked like the others.
all
    samples + sqlite + cpp + rust.
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
19.1.7; sqlean.py 3.50.4.5 bundles SQLite 3.50.4, lupa 2.8 bundles Lua 5.4.8 and
brotli 1.2.1 the Brotli 1.2.1 C library):

=================  =========  ==================  ============================
output             bytes      defined functions   notes
=================  =========  ==================  ============================
registry.bc           15,264  42                  demo sample, 47 output lines
exprcalc.bc           28,968  61 (1 avail_ext)    108 output lines
kernels.bc            14,012  26 (+1 alias)       34 output lines
mathlib.bc             7,316  21                  library, 15 exports
sqlite.bc          3,236,468  3,584 (310 global)  ~507k lines of text IR
jsonlab.bc         2,397,548  5,042               C++17 + nlohmann/json, 93 lines
traitlab.bc        2,376,028  1,006 (+35 alias)   Rust + std, 51 lines (rustc's
                                                  own: 7,957,896 with debug info)
lua.bc               586,388  1,081 (339 global)  Lua 5.4.8 interpreter, 33
                                                  files, 137 output lines
brotli.bc          2,663,600  440 (117 global)    Brotli 1.2.1 (35 files) +
                                                  driver, 87 output lines
=================  =========  ==================  ============================

("defined functions" = functions with a body as llvmlite 0.50 sees them.
``llvm-nm-19 --defined-only`` differs slightly: it omits available_externally
bodies, lists aliases, and lists weak variables as W.)

Build times: all samples (bitcode + native reference runs) ~1 s.  C++: the
one-time .deb download + unpack ~1 s, six clang++ compiles on 2 cores ~15 s
(json.hpp dominates), native link + run ~2.5 s.  Rust: rustc with fat LTO ~12 s,
strip + native run ~1.5 s.  (rustc at opt-level=0 would keep 5,300 functions of
std in a 20 MB module; opt-level=1 internalises and drops what main cannot
reach.)  SQLite:
the one-time sdist download ~5-8 s (pip's no-isolation attempt fails without
the ``wheel`` package and the isolated retry fetches setuptools), both
bitcode compiles in parallel ~4 s, native link of sqlite.bc + test run ~2 s,
so a cold ``all`` is ~15 s.  A rerun with nothing to do takes ~0.2 s.  For
scale: ``clang-19 -O2 -c sqlite.bc`` takes ~18-26 s on the same machine.
Registry programs, cold ``registry`` ~10 s: Lua: the one-time sdist download
~1.8 s (pip prepares metadata by running lupa's setup.py; ``LUPA_NO_LUAJIT`` keeps
it from building two LuaJITs, ~50 s otherwise), 33 compiles ~1-1.7 s, native link +
workload ~0.3 s.  Brotli: download ~1.4 s, 36 compiles ~2.6-3.2 s (``enc/`` dominates),
native link + workload ~1.9 s (quality 11 at -O0).
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
# The sqlite-g target: full debug info, what debug builds (and Julia's line tables, in
# part) give the code generator. The compilation directory is recorded as "." so the
# checkout's path stays out of the bitcode.
DEBUG_FLAGS = ["-g", "-fdebug-compilation-dir=."]
NATIVE_SAMPLE_FLAGS = ["-O0", "-fPIC", "-ffp-contract=off"]

DEMO_SAMPLE = "registry"

# Arguments every exported function of a library sample is evaluated on.
LIBRARY_PROBE_ARGS = [
    -(2**63), -1000, -7, -1, 0, 1, 2, 3, 7, 10, 27, 64, 97, 100, 255,
    1000, 4096, 65536, 99991, 2**40, 2**63 - 1,
]

# --- C++ (nlohmann/json) and Rust ---------------------------------------------

CPP_DIR = HERE / "cpp"
RUST_DIR = HERE / "rust"
CPP_SAMPLE = "jsonlab"
RUST_SAMPLE = "traitlab"

NLOHMANN_PACKAGE = "nlohmann-json3-dev"
NLOHMANN_DEB_VERSION = "3.11.2-2"       # Debian 12 (bookworm); pinned exactly
NLOHMANN_DEB = f"{NLOHMANN_PACKAGE}_{NLOHMANN_DEB_VERSION}_all.deb"
NLOHMANN_SHA256 = "ec57940def6b6186c30be0e0ee81d1e58f86d11a54a145b28686a1e3e4aae801"
NLOHMANN_INCLUDE = "usr/include/"         # what is unpacked from the package

CPP_FLAGS = ["-std=c++17", "-Wall", "-Wextra"]
# libstdc++ itself (the C driver does not add it) and libm (std::pow, std::fmod).
CPP_LINK_FLAGS = ["-lstdc++", "-lm"]

RUSTC = "/usr/bin/rustc"                  # Debian's; rustup's toolchains are not used
RUST_FLAGS = ["--edition", "2021", "-C", "opt-level=1", "-C", "lto=fat", "-C", "codegen-units=1",
              "-C", "embed-bitcode=yes", "-C", "panic=unwind"]

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


def build_sqlite(out_dir: Path | str = DEFAULT_OUT, force: bool = False, verify: bool = True,
                 debug: bool = False) -> Path:
    """Build ``<out>/sqlite.bc`` (and, with verify, the native shell + expected output);
    with `debug`, ``<out>/sqlite-g.bc`` from the same sources with full debug info
    (``-g``), its shell ``sqlite3-g-native`` and ``sqlite-g_test.expected.txt``."""
    out_dir = Path(out_dir)
    cache = out_dir / "cache"
    src = cache / f"sqlite-{SQLITE_VERSION}"
    stem = "sqlite-g" if debug else "sqlite"
    extra = DEBUG_FLAGS if debug else []
    obj = out_dir / "obj" / stem
    bc = out_dir / f"{stem}.bc"
    native = out_dir / ("sqlite3-g-native" if debug else "sqlite3-native")
    expected = out_dir / f"{stem}_test.expected.txt"

    sources = [src / n for n in SQLITE_FILES]
    if force or not all(p.exists() for p in sources):
        t0 = time.monotonic()
        _extract_sqlite(_download_sqlean(cache), src)
        _log(f"sqlite sources ready in {time.monotonic() - t0:.1f}s")

    if force or not _up_to_date([bc], [*sources, THIS_SCRIPT]):
        t0 = time.monotonic()
        jobs = [("sqlite3.c", obj / "sqlite3.bc", [*extra, *SQLITE_DEFINES]),
                ("shell.c", obj / "shell.bc", [*extra, *SHELL_DEFINES])]
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


# --- C++: nlohmann/json + jsonlab ---------------------------------------------------

def link_flags_path(out_dir: Path | str, name: str) -> Path:
    return Path(out_dir) / f"{name}.link.json"


def sample_link_flags(out_dir: Path | str, name: str) -> list[str]:
    """The extra link arguments recorded with a built C++/Rust sample (its ``.link.json``)."""
    return list(json.loads(link_flags_path(out_dir, name).read_text())["link_args"])


def _write_link_flags(out_dir: Path, name: str, args: list[str], **info) -> None:
    doc = {"sample": name, "link_args": args, **info}
    _write_if_changed(link_flags_path(out_dir, name), (json.dumps(doc, indent=1) + "\n").encode())


def _unpack_deb(deb: Path, prefix: str, dest: Path) -> list[Path]:
    """Extract the members of a .deb's data archive under ``prefix`` into ``dest``.

    A .deb is an ``ar`` archive holding ``data.tar.{xz,gz,zst}``; done in Python
    so nothing is installed and dpkg is not needed.
    """
    raw = deb.read_bytes()
    if not raw.startswith(b"!<arch>\n"):
        raise BuildError(f"{deb} is not a Debian package (no ar header)")
    pos, data = 8, None
    while pos + 60 <= len(raw):
        name = raw[pos:pos + 16].decode().strip().rstrip("/")
        size = int(raw[pos + 48:pos + 58].decode().strip())
        if name.startswith("data.tar"):
            data = (name, raw[pos + 60:pos + 60 + size])
            break
        pos += 60 + size + (size & 1)
    if data is None:
        raise BuildError(f"{deb} has no data.tar member")
    if data[0].endswith(".zst"):
        raise BuildError(f"{deb}: zstd-compressed data is not supported")
    import io
    out: list[Path] = []
    with tarfile.open(fileobj=io.BytesIO(data[1]), mode="r:*") as tar:
        for member in tar.getmembers():
            rel = member.name[2:] if member.name.startswith("./") else member.name
            if not member.isfile() or not rel.startswith(prefix) or ".." in Path(rel).parts:
                continue
            f = tar.extractfile(member)
            assert f is not None
            target = dest / rel
            _write_if_changed(target, f.read())
            out.append(target)
    if not out:
        raise BuildError(f"{deb} has no files under {prefix}")
    return out


def _download_nlohmann(cache: Path) -> Path:
    """Fetch the pinned nlohmann-json3-dev .deb with ``apt-get download`` (once)."""
    deb = cache / NLOHMANN_DEB
    if deb.exists() and _sha256(deb) == NLOHMANN_SHA256:
        return deb
    cache.mkdir(parents=True, exist_ok=True)
    apt = shutil.which("apt-get")
    if apt is None:
        raise ToolNotFoundError(
            f"apt-get is needed to fetch {NLOHMANN_DEB}; on a machine without apt put that file "
            f"(sha256 {NLOHMANN_SHA256}) into {cache} by hand")
    cmd = [apt, "download", f"{NLOHMANN_PACKAGE}={NLOHMANN_DEB_VERSION}"]
    _log("downloading: " + " ".join(cmd[1:]))
    proc = subprocess.run(cmd, cwd=cache, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if proc.returncode != 0 or not deb.exists():
        raise BuildError(
            f"`apt-get download {NLOHMANN_PACKAGE}={NLOHMANN_DEB_VERSION}` failed (is the Debian 12 "
            f"archive in the apt sources, and was `apt-get update` run?):\n"
            + proc.stdout.decode(errors="replace")[-1500:])
    digest = _sha256(deb)
    if digest != NLOHMANN_SHA256:
        raise BuildError(f"{deb}: sha256 {digest} != pinned {NLOHMANN_SHA256}")
    return deb


def nlohmann_include(out_dir: Path | str = DEFAULT_OUT, force: bool = False) -> Path:
    """The include directory holding ``nlohmann/json.hpp`` (fetched and unpacked once)."""
    src = Path(out_dir) / "cache" / f"nlohmann-json-{NLOHMANN_DEB_VERSION}"
    inc = src / NLOHMANN_INCLUDE
    if force or not (inc / "nlohmann" / "json.hpp").exists():
        t0 = time.monotonic()
        files = _unpack_deb(_download_nlohmann(Path(out_dir) / "cache"), NLOHMANN_INCLUDE, src)
        _log(f"nlohmann/json headers ready ({len(files)} files) in {time.monotonic() - t0:.1f}s")
    return inc


def _cpp_sources(sample: str) -> tuple[list[Path], list[Path]]:
    d = CPP_DIR / sample
    return sorted(d.glob("*.cpp")), sorted(d.glob("*.h"))


def build_cpp(out_dir: Path | str = DEFAULT_OUT, force: bool = False, sample: str = CPP_SAMPLE) -> Path:
    """Build ``<out>/<sample>.bc`` from ``cpp/<sample>/*.cpp`` (+ native reference run)."""
    out_dir = Path(out_dir)
    clangxx = find_tool(f"clang++-{LLVM_MAJOR}")
    sources, headers = _cpp_sources(sample)
    if not sources:
        raise BuildError(f"no such C++ sample: {sample}")
    inc = nlohmann_include(out_dir, force)
    bc = out_dir / f"{sample}.bc"
    native = out_dir / f"{sample}-native"
    expected = out_dir / f"{sample}.expected.txt"
    inputs = [*sources, *headers, inc / "nlohmann" / "json.hpp", THIS_SCRIPT]
    if not force and _up_to_date([bc, native, expected, link_flags_path(out_dir, sample)], inputs):
        return bc
    t0 = time.monotonic()
    obj_dir = out_dir / "obj" / sample
    objs = [obj_dir / (p.stem + ".bc") for p in sources]
    # The library's path must not reach the bitcode (assert messages use __FILE__).
    extra = [*CPP_FLAGS, "-I", str(inc), f"-ffile-prefix-map={inc}/=", "-fno-ident"]

    def compile_one(job: tuple[Path, Path]) -> None:
        src, out = job
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        _run([clangxx, *BITCODE_FLAGS, *extra, src.name, "-o", tmp], cwd=src.parent)
        os.replace(tmp, out)

    _parallel(list(zip(sources, objs)), compile_one)
    _link_bitcode(objs, bc)
    t1 = time.monotonic()
    # Native reference: the same per-file bitcode, compiled and linked file by file
    # the usual way (the system linker picks one copy of each comdat).
    tmp = native.with_name(native.name + ".tmp")
    _run([clangxx, "-O0", "-fPIC", *objs, "-o", tmp, *CPP_LINK_FLAGS])
    os.replace(tmp, native)
    proc = _run([native], capture=True, timeout=120)
    _write_if_changed(expected, proc.stdout)
    _write_link_flags(out_dir, sample, CPP_LINK_FLAGS,
                      library=f"nlohmann/json {NLOHMANN_DEB_VERSION} ({NLOHMANN_DEB})")
    _log(f"built {bc} ({bc.stat().st_size} bytes) in {t1 - t0:.1f}s, native reference "
         f"({len(proc.stdout.splitlines())} lines) in {time.monotonic() - t1:.1f}s")
    return bc


# --- Rust: traitlab ------------------------------------------------------------------

def find_rustc() -> str:
    """Debian's rustc (``$PCG_RUSTC`` overrides); rustup's are deliberately not used."""
    cand = os.environ.get("PCG_RUSTC") or RUSTC
    if Path(cand).is_file() and os.access(cand, os.X_OK):
        return cand
    raise ToolNotFoundError(f"{cand} not found. Install Debian's Rust compiler: `apt-get install -y rustc` "
                            f"(or point PCG_RUSTC at a rustc whose LLVM llvmlite can read)")


def _rust_runtime_archive(rustc: str) -> Path:
    """compiler_builtins, which rustc never puts in LTO bitcode (``__rust_probestack``,
    ...) and links as an archive: its path under the rustc sysroot."""
    info = _run([rustc, "-vV"], capture=True).stdout.decode()
    host = re.search(r"^host: (\S+)", info, re.M)
    sysroot = _run([rustc, "--print", "sysroot"], capture=True).stdout.decode().strip()
    if host is None:
        raise BuildError(f"`{rustc} -vV` names no host triple")
    found = sorted((Path(sysroot) / "lib" / "rustlib" / host.group(1) / "lib").glob("libcompiler_builtins-*.rlib"))
    if len(found) != 1:
        raise BuildError(f"expected one libcompiler_builtins-*.rlib in the sysroot {sysroot}, found {len(found)}")
    return found[0]


def rust_link_flags(rustc: str | None = None) -> list[str]:
    """Extra link arguments for the Rust sample's objects: the compiler_builtins archive
    and libgcc_s (the unwinder behind panics).  glibc 2.34+ has pthread and dl in libc,
    and nothing here calls libm: checked with ``nm -u`` on a serial build."""
    return [str(_rust_runtime_archive(rustc or find_rustc())), "-lgcc_s"]


def build_rust(out_dir: Path | str = DEFAULT_OUT, force: bool = False, sample: str = RUST_SAMPLE) -> Path:
    """Build ``<out>/<sample>.bc`` (debug info stripped) and ``<sample>.rustc.bc`` (as rustc wrote it)."""
    out_dir = Path(out_dir)
    rustc = find_rustc()
    opt = find_tool(f"opt-{LLVM_MAJOR}")
    src_dir = RUST_DIR / sample
    sources = sorted(src_dir.glob("*.rs"))
    if not (src_dir / "main.rs").exists():
        raise BuildError(f"no such Rust sample: {sample}")
    bc = out_dir / f"{sample}.bc"
    raw = out_dir / f"{sample}.rustc.bc"
    native = out_dir / f"{sample}-native"
    expected = out_dir / f"{sample}.expected.txt"
    outputs = [bc, raw, native, expected, link_flags_path(out_dir, sample)]
    if not force and _up_to_date(outputs, [*sources, THIS_SCRIPT, Path(rustc)]):
        return bc
    t0 = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"pcg-{sample}-", dir=out_dir) as tmp:
        # Relative source name, cwd = the source directory: panic locations read
        # "main.rs:LINE:COL" wherever the checkout lives.
        _run([rustc, *RUST_FLAGS, "--crate-name", sample, "--emit", f"llvm-bc={tmp}/{sample}.bc,link={tmp}/{sample}",
              "main.rs"], cwd=src_dir)
        t1 = time.monotonic()
        os.replace(f"{tmp}/{sample}", native)
        os.replace(f"{tmp}/{sample}.bc", raw)
    # LLVM 19 reads rustc's LLVM 14 bitcode but rejects its debug info ("ignoring
    # invalid debug info", printed per subprogram on stderr): strip it.
    tmpbc = bc.with_name(bc.name + ".tmp")
    _run([opt, "--strip-debug", raw, "-o", tmpbc])
    os.replace(tmpbc, bc)
    proc = _run([native], capture=True, timeout=120)
    _write_if_changed(expected, proc.stdout)
    version = _run([rustc, "--version"], capture=True).stdout.decode().strip()
    _write_link_flags(out_dir, sample, rust_link_flags(rustc), rustc=version, rustc_flags=RUST_FLAGS)
    _log(f"built {bc} ({bc.stat().st_size} bytes; rustc's own {raw.stat().st_size}) with {version}: "
         f"rustc {t1 - t0:.1f}s, strip + native run {time.monotonic() - t1:.1f}s")
    return bc


# --- Registry programs: Lua 5.4 (lupa's sdist) and Brotli (brotli's sdist) ---------------

LUA_SAMPLE = "lua"
LUPA_VERSION = "2.8"                 # lupa sdist pinned exactly; it bundles Lua 5.1-5.5 + LuaJIT
LUPA_SDIST = f"lupa-{LUPA_VERSION}.tar.gz"
LUPA_SHA256 = "d8022641b9ec8ecf2c5ecbe9f47e5a70e0b87c4b5ae921b92cb02a638e0acd08"
LUA_VERSION = "5.4.8"                # what its third-party/lua54/ holds (a checkout of Lua's own repository)
LUA_SDIST_DIR = f"lupa-{LUPA_VERSION}/third-party/lua54/"
# The interpreter as Lua's makefile builds it (CORE_O, AUX_O, LIB_O, LUA_O), less ltests.c
# (the internal test library) and onelua.c (everything again, in one file).
LUA_SOURCES = (
    "lapi.c", "lcode.c", "lctype.c", "ldebug.c", "ldo.c", "ldump.c", "lfunc.c", "lgc.c", "llex.c",
    "lmem.c", "lobject.c", "lopcodes.c", "lparser.c", "lstate.c", "lstring.c", "ltable.c", "ltm.c",
    "lundump.c", "lvm.c", "lzio.c",
    "lauxlib.c",
    "lbaselib.c", "ldblib.c", "liolib.c", "lmathlib.c", "loslib.c", "ltablib.c", "lstrlib.c",
    "lutf8lib.c", "loadlib.c", "lcorolib.c", "linit.c",
    "lua.c",
)
# Lua's own `make linux` settings, without readline (LUA_USE_READLINE stays undefined).
LUA_FLAGS = ["-std=gnu99", "-DLUA_USE_LINUX"]
LUA_LINK_FLAGS = ["-lm", "-ldl"]     # -ldl: dlopen for `require` of C modules (in libc since glibc 2.34)
LUA_TEST = HERE / "lua_test.lua"
# `-E`: ignore LUA_INIT/LUA_PATH; `-`: the script on stdin, so messages say "stdin:LINE:".
LUA_ARGS = ["-E", "-"]

BROTLI_SAMPLE = "brotli"
BROTLI_VERSION = "1.2.1"             # brotli sdist pinned exactly; bundles the C library 1.2.1
BROTLI_SDIST = f"brotli-{BROTLI_VERSION}.tar.gz"
BROTLI_SHA256 = "02b2f7b5a83485efe448a44ddf7983def05c3bb1dcf917d4f7154070260e13de"
BROTLI_SDIST_DIR = f"brotli-{BROTLI_VERSION}/c/"
BROTLI_PARTS = ("common/", "dec/", "enc/", "include/")   # c/tools/ (the CLI) is not used
BROTLI_FLAGS = ["-std=gnu11", "-Iinclude"]
BROTLI_DRIVER = HERE / "brotli_driver.c"
BROTLI_LINK_FLAGS = ["-lm"]          # log2 in the encoder's cost model


def _pip_download_sdist(cache: Path, project: str, version: str, filename: str, sha256: str,
                        env: dict[str, str] | None = None) -> Path:
    """Fetch one pinned sdist with pip into ``cache`` (once), like `_download_sqlean`.

    ``--no-binary`` names only the project, so an isolated build environment (the
    fallback) takes its build requirements as wheels.  pip runs the sdist's setup to
    prepare metadata; ``env`` can make that cheap."""
    sdist = cache / filename
    if sdist.exists() and _sha256(sdist) == sha256:
        return sdist
    cache.mkdir(parents=True, exist_ok=True)
    base = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", project,
            f"{project}=={version}", "-d", str(cache), "--disable-pip-version-check"]
    attempts = [base[:4] + ["--no-build-isolation"] + base[4:], base]
    errors = []
    for cmd in attempts:
        _log("downloading: " + " ".join(cmd[1:]))
        proc = subprocess.run(cmd, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env={**os.environ, **(env or {})})
        if proc.returncode == 0 and sdist.exists():
            break
        errors.append(proc.stdout.decode(errors="replace")[-1500:])
    else:
        raise BuildError(f"could not download the {project} sdist:\n" + "\n---\n".join(errors))
    digest = _sha256(sdist)
    if digest != sha256:
        raise BuildError(f"{sdist}: sha256 {digest} != pinned {sha256}")
    return sdist


def _extract_tree(sdist: Path, prefix: str, dest: Path, keep) -> list[Path]:
    """Unpack the regular files under ``prefix`` whose relative name passes ``keep``."""
    out: list[Path] = []
    with tarfile.open(sdist, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith(prefix):
                continue
            rel = member.name[len(prefix):]
            if not rel or ".." in Path(rel).parts or not keep(rel):
                continue
            f = tar.extractfile(member)
            assert f is not None
            _write_if_changed(dest / rel, f.read())
            out.append(dest / rel)
    if not out:
        raise BuildError(f"{sdist} has no wanted files under {prefix}")
    return out


def lua_sources(out_dir: Path | str = DEFAULT_OUT, force: bool = False) -> Path:
    """The directory holding Lua's sources, extracted from the pinned lupa sdist (once)."""
    src = Path(out_dir) / "cache" / f"lua-{LUA_VERSION}"
    if force or not all((src / n).exists() for n in (*LUA_SOURCES, "lua.h", "luaconf.h")):
        t0 = time.monotonic()
        # LUPA_NO_LUAJIT: lupa's setup.py would otherwise build both bundled LuaJITs with
        # make while pip only prepares metadata (~50 s of CPU for nothing).
        sdist = _pip_download_sdist(Path(out_dir) / "cache", "lupa", LUPA_VERSION, LUPA_SDIST, LUPA_SHA256,
                                    env={"LUPA_NO_LUAJIT": "true"})
        wanted = set(LUA_SOURCES)
        _extract_tree(sdist, LUA_SDIST_DIR, src, lambda rel: "/" not in rel and (
            rel in wanted or (rel.endswith(".h") and not rel.startswith("ltests"))))
        if f'#define LUA_VERSION_RELEASE\t"{LUA_VERSION.rsplit(".", 1)[1]}"' not in (src / "lua.h").read_text():
            raise BuildError(f"{src}/lua.h is not Lua {LUA_VERSION}")
        _log(f"Lua sources ready in {time.monotonic() - t0:.1f}s")
    return src


def brotli_sources(out_dir: Path | str = DEFAULT_OUT, force: bool = False) -> Path:
    """The ``c/`` directory of Brotli's sources, extracted from the pinned brotli sdist (once)."""
    src = Path(out_dir) / "cache" / f"brotli-{BROTLI_VERSION}" / "c"
    if force or not (src / "include" / "brotli" / "encode.h").exists() or not (src / "enc" / "encode.c").exists():
        t0 = time.monotonic()
        sdist = _pip_download_sdist(Path(out_dir) / "cache", "brotli", BROTLI_VERSION, BROTLI_SDIST,
                                    BROTLI_SHA256)
        _extract_tree(sdist, BROTLI_SDIST_DIR, src,
                      lambda rel: rel.startswith(BROTLI_PARTS) and rel.endswith((".c", ".h")))
        major, minor, patch = (f"#define BROTLI_VERSION_{k} {v}"
                               for k, v in zip(("MAJOR", "MINOR", "PATCH"), BROTLI_VERSION.split(".")))
        version_h = (src / "common" / "version.h").read_text()
        if not all(line in version_h for line in (major, minor, patch)):
            raise BuildError(f"{src} is not Brotli {BROTLI_VERSION}")
        _log(f"Brotli sources ready in {time.monotonic() - t0:.1f}s")
    return src


def registry_workload(name: str) -> tuple[list[str], Path | None]:
    """How a registry program is run for its expected output: (arguments after the
    executable, file to give it on stdin or None).  Run it with cwd = bitcode_samples/."""
    if name == LUA_SAMPLE:
        return list(LUA_ARGS), LUA_TEST
    if name == BROTLI_SAMPLE:
        return [], None
    raise BuildError(f"no such registry program: {name}")


def run_registry_workload(name: str, exe: Path | str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a built registry program on its fixed workload; stdout/stderr as bytes, not checked."""
    args, stdin = registry_workload(name)
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as fh:
        return subprocess.run([str(exe), *args], check=False, stdin=fh, capture_output=True, cwd=HERE,
                              timeout=timeout)


def _build_program(name: str, out_dir: Path, force: bool, jobs: list[tuple[Path, str, Path, list[str]]],
                   inputs: list[Path], link_flags: list[str], **info) -> Path:
    """Compile ``jobs`` ((cwd, relative source, object, flags)) to bitcode, llvm-link them into
    ``<out>/<name>.bc``, link that natively (``<name>-native``) and keep the stdout of its
    workload as ``<name>.expected.txt``; the link flags go to ``<name>.link.json``."""
    bc = out_dir / f"{name}.bc"
    native = out_dir / f"{name}-native"
    expected = out_dir / f"{name}.expected.txt"
    if not force and _up_to_date([bc, native, expected, link_flags_path(out_dir, name)], [*inputs, THIS_SCRIPT]):
        return bc
    t0 = time.monotonic()
    _parallel(jobs, lambda j: _compile_bitcode(j[0], j[1], j[2], j[3]))
    _link_bitcode([j[2] for j in jobs], bc)
    t1 = time.monotonic()
    tmp = native.with_name(native.name + ".tmp")
    _run([find_tool(f"clang-{LLVM_MAJOR}"), bc, "-o", tmp, *link_flags])
    os.replace(tmp, native)
    proc = run_registry_workload(name, native)
    if proc.returncode != 0:
        raise BuildError(f"{native} exited {proc.returncode} on its workload:\n"
                         + proc.stderr.decode(errors="replace")[-3000:])
    _write_if_changed(expected, proc.stdout)
    _write_link_flags(out_dir, name, link_flags, **info)
    _log(f"built {bc} ({bc.stat().st_size} bytes, {len(jobs)} files) in {t1 - t0:.1f}s, native "
         f"reference ({len(proc.stdout.splitlines())} lines) in {time.monotonic() - t1:.1f}s")
    return bc


def build_lua(out_dir: Path | str = DEFAULT_OUT, force: bool = False) -> Path:
    """Build ``<out>/lua.bc``: the Lua 5.4 interpreter (``lua.c`` + core + standard
    library), its native build ``lua-native`` and ``lua.expected.txt`` (its stdout on
    ``lua_test.lua``)."""
    out_dir = Path(out_dir)
    src = lua_sources(out_dir, force)
    obj = out_dir / "obj" / LUA_SAMPLE
    jobs = [(src, n, obj / (Path(n).stem + ".bc"), LUA_FLAGS) for n in LUA_SOURCES]
    inputs = [src / n for n in LUA_SOURCES] + sorted(src.glob("*.h")) + [LUA_TEST]
    return _build_program(LUA_SAMPLE, out_dir, force, jobs, inputs, LUA_LINK_FLAGS,
                          source=f"Lua {LUA_VERSION} from the {LUPA_SDIST} sdist (sha256 {LUPA_SHA256})",
                          workload=f"{LUA_SAMPLE} {' '.join(LUA_ARGS)} < {LUA_TEST.name}")


def build_brotli(out_dir: Path | str = DEFAULT_OUT, force: bool = False) -> Path:
    """Build ``<out>/brotli.bc``: the Brotli library (encoder, decoder, common) and
    ``brotli_driver.c``, its native build ``brotli-native`` and ``brotli.expected.txt``."""
    out_dir = Path(out_dir)
    src = brotli_sources(out_dir, force)
    obj = out_dir / "obj" / BROTLI_SAMPLE
    names = sorted(p.relative_to(src).as_posix() for part in ("common", "dec", "enc")
                   for p in (src / part).glob("*.c"))
    jobs = [(src, n, obj / Path(n).with_suffix(".bc"), BROTLI_FLAGS) for n in names]
    # The driver is compiled from its own directory (relative name); its include path
    # is absolute but nothing records it without -g (the library has no __FILE__).
    jobs.append((HERE, BROTLI_DRIVER.name, obj / "brotli_driver.bc",
                 [*SAMPLE_CFLAGS, "-I", str(src / "include")]))
    inputs = [src / n for n in names] + sorted(src.glob("*/*.h")) + sorted(src.glob("include/brotli/*.h"))
    inputs.append(BROTLI_DRIVER)
    return _build_program(BROTLI_SAMPLE, out_dir, force, jobs, inputs, BROTLI_LINK_FLAGS,
                          source=f"Brotli {BROTLI_VERSION} from the {BROTLI_SDIST} sdist (sha256 {BROTLI_SHA256})",
                          workload=f"{BROTLI_SAMPLE} (no input; {BROTLI_DRIVER.name} generates its data)")


REGISTRY_PROGRAMS = {LUA_SAMPLE: build_lua, BROTLI_SAMPLE: build_brotli}


def build_registry(out_dir: Path | str = DEFAULT_OUT, force: bool = False) -> dict[str, Path]:
    """Build every registry program; returns {name: path of its .bc}."""
    return {name: fn(out_dir, force) for name, fn in REGISTRY_PROGRAMS.items()}


# --- registry libraries: bitcode only, training data for the cost model -----------------

CRYPTO_LIBRARY = "crypto"
PYCRYPTODOME_VERSION = "4.4.0"       # pycryptodome sdist pinned exactly
PYCRYPTODOME_SDIST = f"pycryptodome-{PYCRYPTODOME_VERSION}.tar.gz"
PYCRYPTODOME_SHA256 = "eab7620c60c85f3fa251d026ec06e094f036d96187bebb9752e46fbcebabbb55"
# Its portable C primitives (the SIMD variants and the ghash needing SYS_BITS are left out):
# hashes, ciphers and curve arithmetic, much of it long straight-line rounds like SQLite's Keccak.
CRYPTO_SOURCES = (
    "AES.c", "ARC2.c", "ARC4.c", "CAST.c", "DES.c", "MD2.c", "MD4.c", "MD5.c", "RIPEMD160.c", "SHA1.c",
    "SHA256.c", "SHA512.c", "Salsa20.c", "blake2b.c", "blake2s.c", "blowfish.c", "chacha20.c",
    "curve25519.c", "curve448.c", "ed25519.c", "ed448.c", "keccak.c", "poly1305.c",
)
# What pycryptodome's compiler_opt.py defines on Linux x86-64.
CRYPTO_FLAGS = ["-std=gnu99", "-DHAVE_STDINT_H", "-DHAVE_UINT128", "-DHAVE_POSIX_MEMALIGN"]

ZSTD_LIBRARY = "zstd"
ZSTANDARD_VERSION = "0.25.0"         # zstandard sdist pinned exactly; bundles zstd's one-file amalgamation
ZSTANDARD_SDIST = f"zstandard-{ZSTANDARD_VERSION}.tar.gz"
ZSTANDARD_SHA256 = "7713e1179d162cf5c7906da876ec2ccb9c3a9dcbdffef0cc7f70c3667a205f0b"
ZSTD_FLAGS = ["-DZSTD_MULTITHREAD=0", "-DZSTD_DISABLE_ASM"]


def _build_library(name: str, out_dir: Path, force: bool, src: Path, sources: tuple[str, ...],
                   flags: list[str]) -> Path:
    """Compile ``sources`` (relative to ``src``) to bitcode and llvm-link them into
    ``<out>/<name>.bc``: a library, no program and no workload."""
    bc = out_dir / f"{name}.bc"
    inputs = [src / n for n in sources] + sorted(src.glob("*.h"))
    if not force and _up_to_date([bc], [*inputs, THIS_SCRIPT]):
        return bc
    t0 = time.monotonic()
    obj = out_dir / "obj" / name
    jobs = [(src, n, obj / (Path(n).stem + ".bc"), flags) for n in sources]
    _parallel(jobs, lambda j: _compile_bitcode(j[0], j[1], j[2], j[3]))
    _link_bitcode([j[2] for j in jobs], bc)
    _log(f"built {bc} ({bc.stat().st_size} bytes, {len(jobs)} files) in {time.monotonic() - t0:.1f}s")
    return bc


def build_crypto(out_dir: Path | str = DEFAULT_OUT, force: bool = False) -> Path:
    """Build ``<out>/crypto.bc``: pycryptodome's portable C primitives, linked into one module."""
    out_dir = Path(out_dir)
    src = out_dir / "cache" / f"pycryptodome-{PYCRYPTODOME_VERSION}" / "src"
    if force or not all((src / n).exists() for n in CRYPTO_SOURCES):
        sdist = _pip_download_sdist(out_dir / "cache", "pycryptodome", PYCRYPTODOME_VERSION, PYCRYPTODOME_SDIST,
                                    PYCRYPTODOME_SHA256)
        _extract_tree(sdist, f"pycryptodome-{PYCRYPTODOME_VERSION}/src/", src,
                      lambda rel: "/" not in rel and rel.endswith((".c", ".h")))
    return _build_library(CRYPTO_LIBRARY, out_dir, force, src, CRYPTO_SOURCES, CRYPTO_FLAGS)


def build_zstd(out_dir: Path | str = DEFAULT_OUT, force: bool = False) -> Path:
    """Build ``<out>/zstd.bc``: the zstd library from the amalgamated ``zstd.c`` that the
    zstandard sdist bundles (compression, decompression, dictionary builder)."""
    out_dir = Path(out_dir)
    src = out_dir / "cache" / f"zstandard-{ZSTANDARD_VERSION}" / "zstd"
    if force or not (src / "zstd.c").exists():
        sdist = _pip_download_sdist(out_dir / "cache", "zstandard", ZSTANDARD_VERSION, ZSTANDARD_SDIST,
                                    ZSTANDARD_SHA256)
        _extract_tree(sdist, f"zstandard-{ZSTANDARD_VERSION}/zstd/", src,
                      lambda rel: "/" not in rel and rel.endswith((".c", ".h")))
    return _build_library(ZSTD_LIBRARY, out_dir, force, src, ("zstd.c",), ZSTD_FLAGS)


REGISTRY_LIBRARIES = {CRYPTO_LIBRARY: build_crypto, ZSTD_LIBRARY: build_zstd}


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
                    choices=["samples", "sqlite", "sqlite-g", "cpp", "rust", "all", "demo",
                             *REGISTRY_PROGRAMS, "registry", *REGISTRY_LIBRARIES, "libraries"])
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
        if args.target == "sqlite-g":
            print(f"sqlite-g: {build_sqlite(args.out, args.force, verify=not args.no_verify, debug=True)}")
        if args.target in ("cpp", "all"):
            print(f"{CPP_SAMPLE}: {build_cpp(args.out, args.force)}")
        if args.target in ("rust", "all"):
            print(f"{RUST_SAMPLE}: {build_rust(args.out, args.force)}")
        if args.target in REGISTRY_PROGRAMS:
            print(f"{args.target}: {REGISTRY_PROGRAMS[args.target](args.out, args.force)}")
        if args.target == "registry":
            for name, path in build_registry(args.out, args.force).items():
                print(f"{name}: {path}")
        if args.target in REGISTRY_LIBRARIES:
            print(f"{args.target}: {REGISTRY_LIBRARIES[args.target](args.out, args.force)}")
        if args.target == "libraries":
            for name, fn in REGISTRY_LIBRARIES.items():
                print(f"{name}: {fn(args.out, args.force)}")
        if args.target == "demo":
            print(f"demo: {build_demo(args.out)}")
    except (ToolNotFoundError, BuildError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    _log(f"done in {time.monotonic() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
