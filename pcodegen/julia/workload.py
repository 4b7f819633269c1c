"""The Julia codegen workload model: CodeInstances and the runtime objects they use.

A `Workload` is what Julia hands to codegen when it builds a package image: a list of
CodeInstances in serialization order. Each has a size (instructions), the
CodeInstances it calls (each call is a workqueue entry), the runtime objects it
references (global targets: one pointer slot each), and the runtime functions it
calls through the PLT (external functions). Some are not compiled:

* duplicates (`duplicate_of` set): the same CodeInstance submitted twice, skipped;
* constant-return (`const_return`): the result is a constant, no code is needed;
* no source (`has_source` false): the inferred source was discarded, so codegen has
  nothing to emit and skips it (Julia's `jl_emit_codeinst` returns nothing).

Everything else is compiled. `Workload.stats()` does the accounting that the presets
in `pcodegen.synth` reproduce.

JSON layout (format "pcodegen-workload", version 1)::

    {"format": "pcodegen-workload", "version": 1, "preset": "jll", "seed": 0,
     "objects": [{"id": 0, "kind": "type", "name": "Core.Array"}, ...],
     "code_instances": [{"id": 0, "name": "getindex", "size": 24, "callees": [],
                         "globals": [0], "externals": ["jl_box_int64"],
                         "const_return": false, "duplicate_of": null,
                         "has_source": true}, ...]}

Ids are positions: `code_instances[i]["id"] == i` and `objects[k]["id"] == k`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pcodegen.errors import UsageError
from pcodegen.partition.sequence import contiguous_runs

FORMAT = "pcodegen-workload"
VERSION = 1
OBJECT_KINDS = ("value", "type", "method", "binding")
MAX_OBJECTS = 65536  # the runtime's object table (runtime.c JL_NOBJECTS)
_NAME_RE = re.compile(r'^[^\s"\\\x00-\x1f\x7f]{1,200}$')


@dataclass
class RuntimeObject:
    """A Julia object that compiled code points at (a global target)."""

    id: int
    kind: str  # value | type | method | binding
    name: str


@dataclass
class CodeInstance:
    """One unit of codegen work."""

    id: int
    name: str
    size: int
    callees: list[int] = field(default_factory=list)
    globals: list[int] = field(default_factory=list)
    externals: list[str] = field(default_factory=list)
    const_return: bool = False
    duplicate_of: int | None = None
    has_source: bool = True

    @property
    def status(self) -> str:
        """compiled | duplicate | const_return | no_source (in that order of precedence)."""
        if self.duplicate_of is not None:
            return "duplicate"
        if self.const_return:
            return "const_return"
        if not self.has_source:
            return "no_source"
        return "compiled"

    @property
    def compiled(self) -> bool:
        return self.status == "compiled"


@dataclass
class WorkloadStats:
    """The accounting of a workload, as Julia's codegen statistics report it."""

    submitted: int
    duplicates: int
    const_return: int
    no_source: int
    compiled: int
    workqueue_items: int
    duplicate_references: int
    unique_callees: int
    global_targets: int
    external_fns: int
    total_size: int

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class Workload:
    code_instances: list[CodeInstance]
    objects: list[RuntimeObject] = field(default_factory=list)
    preset: str | None = None
    seed: int | None = None

    def compiled(self) -> list[CodeInstance]:
        """The CodeInstances codegen emits, in submission order."""
        return [ci for ci in self.code_instances if ci.compiled]

    def partitions(self, parts: int) -> list[list[int]]:
        """The compiled CodeInstances' ids in `parts` contiguous runs of balanced size, in
        submission order (callers stay near their callees, as in serialization order)."""
        cis = self.compiled()
        try:
            return contiguous_runs([ci.id for ci in cis], [ci.size for ci in cis], parts)
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    def stats(self) -> WorkloadStats:
        cis = self.code_instances
        compiled = self.compiled()
        items = sum(len(ci.callees) for ci in compiled)
        unique = len({c for ci in compiled for c in ci.callees})
        return WorkloadStats(
            submitted=len(cis),
            duplicates=sum(ci.status == "duplicate" for ci in cis),
            const_return=sum(ci.status == "const_return" for ci in cis),
            no_source=sum(ci.status == "no_source" for ci in cis),
            compiled=len(compiled),
            workqueue_items=items,
            duplicate_references=items - unique,
            unique_callees=unique,
            global_targets=len({g for ci in compiled for g in ci.globals}),
            external_fns=len({e for ci in compiled for e in ci.externals}),
            total_size=sum(ci.size for ci in compiled),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "preset": self.preset,
            "seed": self.seed,
            "objects": [asdict(o) for o in self.objects],
            "code_instances": [asdict(ci) for ci in self.code_instances],
        }

    @classmethod
    def from_dict(cls, data: Any, source: str = "workload") -> Workload:
        return _parse(data, source)

    def save(self, path: str | Path) -> None:
        text = json.dumps(self.to_dict(), separators=(",", ":")) + "\n"
        try:
            Path(path).write_text(text)
        except OSError as exc:
            raise UsageError(f"{path}: cannot write: {exc.strerror}") from None


def load_workload(path: str | Path) -> Workload:
    """Read and validate a workload JSON file; any problem is a one-line UsageError."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not JSON: {exc.msg} at line {exc.lineno}") from None
    return _parse(data, str(path))


# --- schema validation -------------------------------------------------------------

def _fail(source: str, msg: str) -> UsageError:
    return UsageError(f"{source}: {msg}")


def _int(value: Any, what: str, source: str, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _fail(source, f"{what} must be an integer >= {minimum}, got {value!r}")
    return value


def _list(value: Any, what: str, source: str) -> list:
    if not isinstance(value, list):
        raise _fail(source, f"{what} must be a list, got {type(value).__name__}")
    return value


def _name(value: Any, what: str, source: str) -> str:
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise _fail(source, f"{what} must be a printable name without spaces or quotes, got {value!r}")
    return value


def _bool(value: Any, what: str, source: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(source, f"{what} must be true or false, got {value!r}")
    return value


def _parse(data: Any, source: str) -> Workload:
    from pcodegen.julia.codegen import runtime_functions

    if not isinstance(data, dict):
        raise _fail(source, "a workload must be a JSON object")
    if data.get("format") != FORMAT:
        raise _fail(source, f"not a workload (format {data.get('format')!r}, expected {FORMAT!r})")
    if data.get("version") != VERSION:
        raise _fail(source, f"unsupported workload version {data.get('version')!r} (expected {VERSION})")
    preset = data.get("preset")
    if preset is not None and not isinstance(preset, str):
        raise _fail(source, "preset must be a string or null")
    seed = data.get("seed")
    if seed is not None:
        _int(seed, "seed", source)

    objects = []
    for k, raw in enumerate(_list(data.get("objects", []), "objects", source)):
        where = f"object {k}"
        if not isinstance(raw, dict):
            raise _fail(source, f"{where} must be an object")
        unknown = set(raw) - {"id", "kind", "name"}
        if unknown:
            raise _fail(source, f"{where}: unknown field {sorted(unknown)[0]!r}")
        if _int(raw.get("id"), f"{where} id", source) != k:
            raise _fail(source, f"{where} has id {raw.get('id')}; ids must equal positions")
        kind = raw.get("kind")
        if kind not in OBJECT_KINDS:
            raise _fail(source, f"{where}: kind must be one of {', '.join(OBJECT_KINDS)}, got {kind!r}")
        objects.append(RuntimeObject(k, kind, _name(raw.get("name"), f"{where} name", source)))
    if len(objects) > MAX_OBJECTS:
        raise _fail(source, f"{len(objects)} objects; the runtime holds at most {MAX_OBJECTS}")

    known_fns = set(runtime_functions())
    raw_cis = _list(data.get("code_instances"), "code_instances", source)
    if not raw_cis:
        raise _fail(source, "code_instances is empty")
    fields = {"id", "name", "size", "callees", "globals", "externals", "const_return", "duplicate_of", "has_source"}
    cis: list[CodeInstance] = []
    for i, raw in enumerate(raw_cis):
        where = f"CodeInstance {i}"
        if not isinstance(raw, dict):
            raise _fail(source, f"{where} must be an object")
        unknown = set(raw) - fields
        if unknown:
            raise _fail(source, f"{where}: unknown field {sorted(unknown)[0]!r}")
        if _int(raw.get("id"), f"{where} id", source) != i:
            raise _fail(source, f"{where} has id {raw.get('id')}; ids must equal positions")
        name = _name(raw.get("name"), f"{where} name", source)
        size = _int(raw.get("size"), f"{where} size", source, minimum=1)
        callees = [_int(c, f"{where} callee", source) for c in _list(raw.get("callees", []), f"{where} callees", source)]
        globs = [_int(g, f"{where} global", source) for g in _list(raw.get("globals", []), f"{where} globals", source)]
        exts = _list(raw.get("externals", []), f"{where} externals", source)
        for e in exts:
            if e not in known_fns:
                raise _fail(source, f"{where}: external function {e!r} is not in the runtime (runtime.c)")
        for what, seq in (("callee", callees), ("global", globs), ("external", exts)):
            if len(set(seq)) != len(seq):
                raise _fail(source, f"{where}: a {what} is listed twice")
        for g in globs:
            if g >= len(objects):
                raise _fail(source, f"{where}: global {g} is not an object (there are {len(objects)})")
        dup = raw.get("duplicate_of")
        if dup is not None:
            _int(dup, f"{where} duplicate_of", source)
            if dup >= i:
                raise _fail(source, f"{where}: duplicate_of {dup} must name an earlier CodeInstance")
        cis.append(CodeInstance(
            id=i, name=name, size=size, callees=callees, globals=globs, externals=list(exts),
            const_return=_bool(raw.get("const_return", False), f"{where} const_return", source),
            duplicate_of=dup,
            has_source=_bool(raw.get("has_source", True), f"{where} has_source", source),
        ))
    for ci in cis:
        if ci.duplicate_of is not None and cis[ci.duplicate_of].duplicate_of is not None:
            raise _fail(source, f"CodeInstance {ci.id}: duplicate_of {ci.duplicate_of} is itself a duplicate")
        if not ci.compiled:
            continue
        for c in ci.callees:
            if c >= len(cis):
                raise _fail(source, f"CodeInstance {ci.id} ({ci.name}): dangling callee {c} "
                                    f"(there are {len(cis)} CodeInstances)")
            if not cis[c].compiled:
                raise _fail(source, f"CodeInstance {ci.id} ({ci.name}): callee {c} is {cis[c].status}, "
                                    "so no code is emitted for it to call")
    for ci in cis:  # callees of skipped CodeInstances are never emitted, but must still exist
        for c in ci.callees:
            if c >= len(cis):
                raise _fail(source, f"CodeInstance {ci.id} ({ci.name}): dangling callee {c} "
                                    f"(there are {len(cis)} CodeInstances)")
    if not any(ci.compiled for ci in cis):
        raise _fail(source, "no CodeInstance is compiled (all are duplicates, constant-return or without source)")
    return Workload(cis, objects, preset, seed)
