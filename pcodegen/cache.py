"""A content-addressed store of partition objects (`--cache DIR`).

The key is a digest of everything that changes the object: the partition's module text
(which holds the target triple and data layout), the optimisation level, CPU, relocation
model and code model, what is emitted, and the LLVM, llvmlite and pcodegen versions. A
worker cuts its partition, and on a hit returns the stored bytes after checking their
digest instead of parsing and compiling; on a miss it compiles and stores the result.

An entry is one file, `KK/KEY.pcgobj`: a JSON header line (schema, key, the sha256 and
length of the object and of the optimised bitcode, the seconds it took to compile) and
the bytes. Written to a temporary file in the same directory and renamed into place, so
two builds sharing a cache each store a whole entry or nothing and a reader never sees
half an entry. A truncated, corrupted or foreign entry is detected by its header and
digests, reported as a warning, and recompiled (and replaced); a cache that cannot be
written (read-only, full) costs only the entry. `evict` keeps the cache under a size,
least recently used first (a hit refreshes an entry's time).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

CACHE_SCHEMA = "pcodegen.cache/1"
SUFFIX = ".pcgobj"
TARGET_SETTINGS = {"reloc": "pic", "codemodel": "default"}  # what ir.compile.target_machine uses


@dataclass(frozen=True)
class CacheSpec:
    """Where the cache is and how big it may grow (bytes; None: unbounded)."""

    root: str
    max_bytes: int | None = None


@dataclass
class Entry:
    """A verified cache entry."""

    object: bytes | None
    bitcode: bytes | None
    compile_s: float
    extra: dict = field(default_factory=dict)  # what else the build records of the result


@dataclass
class CacheStats:
    """What the cache did in one build."""

    hits: int = 0
    misses: int = 0
    stored: int = 0
    bytes_reused: int = 0
    seconds_saved: float = 0.0
    evicted: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _versions() -> str:
    import llvmlite
    import llvmlite.binding as llvm

    from importlib.metadata import PackageNotFoundError, version

    try:
        own = version("pcodegen")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        own = "source"
    return f"llvm {'.'.join(map(str, llvm.llvm_version_info))}; llvmlite {llvmlite.__version__}; pcodegen {own}"


def cache_key(text: str | bytes, opt: int, cpu: str, emit_object: bool, emit_bitcode: bool) -> str:
    """The digest of a partition's module and everything else its object depends on."""
    h = hashlib.sha256()
    settings = {"schema": CACHE_SCHEMA, "versions": _versions(), "opt": opt, "cpu": cpu, **TARGET_SETTINGS,
                "object": emit_object, "bitcode": emit_bitcode}
    h.update(json.dumps(settings, sort_keys=True).encode())
    h.update(b"\0")
    h.update(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
    return h.hexdigest()


def _path(root: Path, key: str) -> Path:
    return root / key[:2] / f"{key}{SUFFIX}"


def lookup(spec: CacheSpec, key: str) -> tuple[Entry | None, str | None]:
    """(the entry, None) on a good hit; (None, None) on a miss; (None, warning) when an
    entry is there but unusable (it is then recompiled and replaced)."""
    path = _path(Path(spec.root), key)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cache entry {path}: cannot read ({exc.strerror}); compiling instead"
    head, sep, body = data.partition(b"\n")
    try:
        meta = json.loads(head) if sep else None
    except ValueError:
        meta = None
    if not isinstance(meta, dict) or meta.get("schema") != CACHE_SCHEMA or meta.get("key") != key:
        return None, f"cache entry {path}: not a pcodegen cache entry for this key; compiling instead"
    n_obj, n_bc = int(meta.get("object_bytes", -1)), int(meta.get("bitcode_bytes", -1))
    if n_obj < 0 or n_bc < 0 or len(body) != n_obj + n_bc:
        return None, f"cache entry {path}: truncated ({len(body)} of {max(n_obj, 0) + max(n_bc, 0)} bytes); compiling instead"
    obj, bc = body[:n_obj], body[n_obj:]
    if (hashlib.sha256(obj).hexdigest() != meta.get("object_sha256")
            or hashlib.sha256(bc).hexdigest() != meta.get("bitcode_sha256")):
        return None, f"cache entry {path}: contents do not match their digest (corrupted); compiling instead"
    try:
        os.utime(path)  # least recently used goes first
    except OSError:
        pass
    return Entry(obj if meta.get("has_object") else None, bc if meta.get("has_bitcode") else None,
                 float(meta.get("compile_s", 0.0)), dict(meta.get("extra") or {})), None


def store(spec: CacheSpec, key: str, obj: bytes | None, bitcode: bytes | None, compile_s: float,
          extra: dict | None = None) -> str | None:
    """Store an entry atomically; a warning (and no entry) when the cache cannot take it."""
    root = Path(spec.root)
    path = _path(root, key)
    o, b = obj or b"", bitcode or b""
    meta = {"schema": CACHE_SCHEMA, "key": key, "object_bytes": len(o), "bitcode_bytes": len(b),
            "object_sha256": hashlib.sha256(o).hexdigest(), "bitcode_sha256": hashlib.sha256(b).hexdigest(),
            "has_object": obj is not None, "has_bitcode": bitcode is not None, "compile_s": compile_s,
            "extra": extra or {}, "stored": time.time()}
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(json.dumps(meta, sort_keys=True).encode() + b"\n")
            fh.write(o)
            fh.write(b)
        os.replace(tmp, path)
        return None
    except OSError as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return f"cache {root}: cannot store an entry ({exc.strerror}); this build goes on without it"


def entries(root: Path) -> list[Path]:
    return sorted(root.glob(f"??/*{SUFFIX}")) if root.is_dir() else []


def evict(spec: CacheSpec) -> int:
    """Remove least recently used entries until the cache fits `spec.max_bytes`;
    only pcodegen's own entry files are ever removed. Returns how many went."""
    if spec.max_bytes is None:
        return 0
    files = []
    for p in entries(Path(spec.root)):
        try:
            st = p.stat()
        except OSError:
            continue
        files.append((st.st_mtime, p.name, st.st_size, p))
    total = sum(f[2] for f in files)
    gone = 0
    for _, _, size, p in sorted(files):
        if total <= spec.max_bytes:
            break
        try:
            p.unlink()
            total -= size
            gone += 1
        except OSError:
            continue
    return gone


def check_cache_dir(root: str | Path) -> Path:
    """The cache directory: made if missing. A directory that exists and is not writable
    is used read-only (the build says so); a path that is a file is a one-line error."""
    from pcodegen.errors import UsageError

    p = Path(root)
    if p.exists() and not p.is_dir():
        raise UsageError(f"{root}: --cache names a directory, and this is a file")
    if not p.exists():
        try:
            p.mkdir(parents=True, exist_ok=True)  # another build may make it at the same moment
        except OSError as exc:
            raise UsageError(f"{root}: cannot make the cache directory ({exc.strerror})") from None
    return p
