"""Julia's codegen state: the process-wide name counter, `CodegenParams`, and the
deterministic merge of per-worker state.

Naming follows Julia so that failures look like Julia's:

* compiled functions are `julia_<name>_<N>`; a call to a CodeInstance that is not
  emitted yet gets a placeholder declaration of that name (a workqueue entry);
* each referenced runtime object gets one pointer slot: `jl_global#<N>` for plain
  values, `+<Type>#<N>` for types, `-<Method>#<N>` for methods, `*<Module.name>#<N>`
  for bindings;
* each runtime function called through the PLT gets a thunk `jlplt_<fn>_<N>` and a
  GOT slot `jlplt_<fn>_<N>_got` that starts out pointing at the thunk; the thunk
  looks the function up (`jl_load_and_lookup`), stores it into the slot and calls it;
* every `N` comes from one process-wide counter (`COUNTER`).

Slots are only *declared* while code is emitted; `CodegenParams.finalize` defines
them (and the thunks) from the state the params object collected, as Julia does when
its `jl_codegen_params_t` is finalised. Drop that state and the slots stay undefined.

Function names are numbered when a batch of CodeInstances is submitted (in
submission order, on the coordinator), slots when they are first used during
emission. A worker process's counter therefore continues from the same value as
every other worker's, so the workers' slot names collide and differ from the serial
build's; `merge_states` renumbers them in serial first-use order, which makes the
merged names identical to the serial build's whatever the number of workers.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llvmlite import ir

from pcodegen.errors import CheckFailed

I64 = ir.IntType(64)
I8 = ir.IntType(8)
PTR = ir.PointerType()
FNTY = ir.FunctionType(I64, [I64, I64])  # julia_<name>_<N>(x, depth)
RTFNTY = ir.FunctionType(I64, [I64])  # runtime functions called through the PLT
LOOKUP_FNTY = ir.FunctionType(PTR, [PTR, PTR, PTR])  # jl_load_and_lookup(lib, name, hnd)
OBJECT_TABLE = "jl_object_table"

#: Symbols that only codegen state defines (slots); the validator's "expected" set.
SLOT_RE = re.compile(r"^(?:jl_global#\d+|[+\-*].+#\d+|jlplt_.+_\d+_got)$")
GOT_RE = re.compile(r"^jlplt_(.+)_(\d+)_got$")


def slot_kind(symbol: str) -> str | None:
    """'got' for a PLT GOT slot, 'global' for a global-target slot, else None."""
    if GOT_RE.match(symbol):
        return "got"
    if SLOT_RE.match(symbol):
        return "global"
    return None


# --- the process-wide counter --------------------------------------------------------

class NameCounter:
    """Julia's `globalUniqueGeneratedNames`: one counter per process, thread safe."""

    def __init__(self, start: int = 1):
        self._next = start
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            n = self._next
            self._next += 1
            return n

    def peek(self) -> int:
        with self._lock:
            return self._next

    def reset(self, start: int = 1) -> None:
        with self._lock:
            self._next = start


COUNTER = NameCounter()


# --- the runtime ------------------------------------------------------------------

def runtime_source() -> Path:
    """Path of the C runtime that defines the PLT targets and the object table."""
    return Path(__file__).with_name("runtime.c")


@functools.cache
def runtime_functions() -> tuple[str, ...]:
    """The runtime functions runtime.c defines (its X-macro list), sorted."""
    text = runtime_source().read_text()
    return tuple(sorted(re.findall(r"^\s*X\((\w+),\s*\d+\)", text, re.M)))


# --- naming -------------------------------------------------------------------------

def function_names(workload: Any, counter: NameCounter = COUNTER) -> dict[int, str]:
    """Name every compiled CodeInstance `julia_<name>_<N>`, in submission order."""
    return {ci.id: f"julia_{ci.name}_{counter.next()}" for ci in workload.compiled()}


def global_slot_name(kind: str, name: str, n: int) -> str:
    if kind == "type":
        return f"+{name}#{n}"
    if kind == "method":
        return f"-{name}#{n}"
    if kind == "binding":
        return f"*{name}#{n}"
    return f"jl_global#{n}"


def plt_names(fn: str, n: int) -> tuple[str, str]:
    """(thunk, GOT slot) names of runtime function `fn` with number `n`."""
    return f"jlplt_{fn}_{n}", f"jlplt_{fn}_{n}_got"


# --- CodegenParams ------------------------------------------------------------------

@dataclass
class Slot:
    """A global-target or GOT slot created by one CodegenParams."""

    key: int | str  # object id, or runtime function name
    n: int
    name: str
    gv: ir.GlobalVariable
    first_use: tuple[int, int]  # (CodeInstance id, position in its body)


@dataclass
class WorkItem:
    caller: int
    callee: int
    duplicate: bool  # the callee was already referenced by an earlier item


class CodegenParams:
    """Julia's `jl_codegen_params_t`: everything one codegen session accumulates.

    Holds the workqueue, global_targets, external_fns, merged constants and the
    context lock. With `lock_in_constructor` the lock is taken here and held until
    `close()`, as Julia's constructor does with the context lock (approach 3).

    With `stream`, each definition is printed as soon as it is complete and its
    llvmlite.ir body dropped, so memory holds IR text rather than instruction objects
    (`str(module)` would then print declarations). `text()` is the module's IR either
    way, character for character what `str(module)` prints without streaming.
    """

    def __init__(self, module: ir.Module, workload: Any, names: dict[int, str], *,
                 counter: NameCounter = COUNTER, lock: Any = None, lock_in_constructor: bool = False,
                 stream: bool = False):
        self.module = module
        self.stream = stream
        self.bodies: dict[str, str] = {}  # streamed definitions: function name -> its IR text
        self.workload = workload
        self.names = names
        self.counter = counter
        self.lock = lock
        self.workqueue: list[WorkItem] = []
        self.functions: dict[int, ir.Function] = {}
        self.defined: list[int] = []
        self._defined: set[int] = set()
        self.global_targets: dict[int, Slot] = {}
        self.external_fns: dict[str, Slot] = {}
        self.merged_constants: dict[tuple[int, ...], ir.GlobalVariable] = {}
        self._referenced: set[int] = set()
        self._holds_lock = False
        self.finalized = False
        if lock_in_constructor:
            if lock is None:
                raise ValueError("lock_in_constructor needs a lock")
            lock.acquire()
            self._holds_lock = True

    # lifetime -------------------------------------------------------------------
    def close(self) -> None:
        if self._holds_lock:
            self._holds_lock = False
            self.lock.release()

    def __enter__(self) -> CodegenParams:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # functions and the workqueue -------------------------------------------------
    def function(self, ci_id: int) -> ir.Function:
        """The function for `ci_id`: its definition if emitted, else a placeholder."""
        fn = self.functions.get(ci_id)
        if fn is None:
            fn = ir.Function(self.module, FNTY, self.names[ci_id])
            self.functions[ci_id] = fn
        return fn

    def begin_definition(self, ci_id: int) -> ir.Function:
        fn = self.function(ci_id)
        if ci_id in self._defined:
            raise CheckFailed(f"CodeInstance {ci_id} emitted twice in one codegen session")
        self.defined.append(ci_id)
        self._defined.add(ci_id)
        return fn

    def end_definition(self, ci_id: int) -> None:
        """The definition of `ci_id` is complete: when streaming, keep its text only."""
        if not self.stream:
            return
        fn = self.functions[ci_id]
        self.bodies[fn.name] = str(fn)
        for block in fn.blocks:  # break the block <-> instruction cycles: freed at once
            block.instructions = []
        fn.blocks = []
        fn.scope = type(fn.scope)()  # the names of its values

    def text(self) -> str:
        """The module's LLVM IR, streamed definitions in place: what `str(module)` prints
        (llvmlite's Module.__repr__), in the same order, whether streamed or not."""
        m = self.module
        lines = ['; ModuleID = "%s"' % (m.name,), 'target triple = "%s"' % (m.triple,),
                 'target datalayout = "%s"' % (m.data_layout,), '']
        lines += [it.get_declaration() for it in m.get_identified_types().values()]
        bodies = self.bodies
        lines += [bodies.get(name) or str(v) for name, v in m.globals.items()]
        lines += m._get_metadata_lines()
        return "\n".join(lines)

    def call_target(self, caller: int, callee: int) -> ir.Function:
        """Add a workqueue item for a call from `caller` to `callee`."""
        dup = callee in self._referenced
        self._referenced.add(callee)
        self.workqueue.append(WorkItem(caller, callee, dup))
        return self.function(callee)

    # slots ------------------------------------------------------------------------
    def global_slot(self, obj_id: int, use: tuple[int, int]) -> ir.GlobalVariable:
        slot = self.global_targets.get(obj_id)
        if slot is None:
            obj = self.workload.objects[obj_id]
            n = self.counter.next()
            name = global_slot_name(obj.kind, obj.name, n)
            gv = ir.GlobalVariable(self.module, PTR, name)  # a declaration until finalize
            slot = self.global_targets[obj_id] = Slot(obj_id, n, name, gv, use)
        return slot.gv

    def plt_got(self, fn: str, use: tuple[int, int]) -> ir.GlobalVariable:
        slot = self.external_fns.get(fn)
        if slot is None:
            n = self.counter.next()
            _, got = plt_names(fn, n)
            gv = ir.GlobalVariable(self.module, PTR, got)
            slot = self.external_fns[fn] = Slot(fn, n, got, gv, use)
        return slot.gv

    def merged_constant(self, values: tuple[int, ...]) -> ir.GlobalVariable:
        """A private constant array, shared by every use of the same contents."""
        gv = self.merged_constants.get(values)
        if gv is None:
            ty = ir.ArrayType(I64, len(values))
            gv = ir.GlobalVariable(self.module, ty, f"_j_const_{len(self.merged_constants) + 1}")
            gv.initializer = ir.Constant(ty, [ir.Constant(I64, v) for v in values])
            gv.global_constant = True
            gv.linkage = "private"
            gv.unnamed_addr = True
            self.merged_constants[values] = gv
        return gv

    # finalisation -----------------------------------------------------------------
    def pending(self) -> list[int]:
        """Workqueue callees not emitted in this session (resolved elsewhere, or never)."""
        done = self._defined
        return sorted({w.callee for w in self.workqueue if w.callee not in done})

    def finalize(self, define_slots: bool = True, require_complete: bool = True) -> list[int]:
        """Resolve the workqueue and (optionally) define every slot and thunk.

        Returns the callees still pending. In a complete session (the serial build)
        a pending callee is an error: nothing else will emit it.
        """
        pending = self.pending()
        if pending and require_complete:
            raise CheckFailed(f"workqueue item {self.names.get(pending[0], pending[0])} was never emitted")
        if define_slots:
            define_slots_in(
                self.module,
                [(s.name, s.key, s.gv) for s in self.global_targets.values()],
                [(s.key, s.n, s.gv) for s in self.external_fns.values()],
            )
        self.finalized = True
        return pending

    def workqueue_stats(self) -> dict[str, int]:
        return {"items": len(self.workqueue), "duplicates": sum(w.duplicate for w in self.workqueue)}

    def export_state(self, partition: int) -> dict[str, Any]:
        """The state a worker ships back: plain data, picklable and JSON-able."""
        return {
            "partition": partition,
            "functions": {ci: self.names[ci] for ci in self.defined},
            "workqueue": {**self.workqueue_stats(), "callees": sorted(self._referenced), "pending": self.pending()},
            "global_targets": [{"object": s.key, "name": s.name, "first_use": list(s.first_use)}
                               for s in self.global_targets.values()],
            "external_fns": [{"fn": s.key, "got": s.name, "first_use": list(s.first_use)}
                             for s in self.external_fns.values()],
            "merged_constants": len(self.merged_constants),
        }


def define_slots_in(module: ir.Module, global_targets: list[tuple[str, int, ir.GlobalVariable | None]],
                    external_fns: list[tuple[str, int, ir.GlobalVariable | None]]) -> None:
    """Define global-target slots and PLT thunks + GOT slots in `module`.

    `global_targets`: (slot name, object id, existing declaration or None);
    `external_fns`: (runtime function, N, existing GOT declaration or None).
    Used by `CodegenParams.finalize` and for the coordinator's state module, so the
    serial build and the merged parallel build define exactly the same symbols.
    """
    if global_targets:
        table = module.globals.get(OBJECT_TABLE) or ir.GlobalVariable(module, I64, OBJECT_TABLE)
        for name, obj, gv in global_targets:
            gv = gv if gv is not None else ir.GlobalVariable(module, PTR, name)
            gv.initializer = table.gep([ir.Constant(I64, obj)])
    if external_fns:
        lookup = module.globals.get("jl_load_and_lookup") or ir.Function(module, LOOKUP_FNTY, "jl_load_and_lookup")
        for fn, n, got in external_fns:
            thunk_name, got_name = plt_names(fn, n)
            got = got if got is not None else ir.GlobalVariable(module, PTR, got_name)
            sname = f"_j_str_{fn}"
            sgv = module.globals.get(sname)
            if sgv is None:
                data = bytearray(fn.encode() + b"\0")
                sty = ir.ArrayType(I8, len(data))
                sgv = ir.GlobalVariable(module, sty, sname)
                sgv.initializer = ir.Constant(sty, data)
                sgv.global_constant = True
                sgv.linkage = "private"
                sgv.unnamed_addr = True
            thunk = ir.Function(module, RTFNTY, thunk_name)
            thunk.linkage = "hidden"  # external linkage, hidden visibility
            b = ir.IRBuilder(thunk.append_basic_block("top"))
            null = ir.Constant(PTR, None)
            target = b.call(lookup, [null, sgv, null])
            b.store(target, got)
            fptr = b.load(got, typ=RTFNTY.as_pointer())  # the function just bound
            b.ret(b.call(fptr, [thunk.args[0]], tail=True))
            got.initializer = thunk


# --- merging per-worker state -------------------------------------------------------

@dataclass
class MergedState:
    """The union of the workers' codegen state, numbered as the serial build numbers it."""

    global_targets: list[tuple[str, int]]  # (final slot name, object id), in numbering order
    external_fns: list[tuple[str, int]]  # (runtime function, final N)
    renames: list[dict[str, str]]  # per partition: local slot name -> final name
    workqueue_items: int
    duplicate_references: int
    functions: int
    merged_constants: int = 0
    notes: list[str] = field(default_factory=list)

    def symbols(self) -> list[str]:
        out = [name for name, _ in self.global_targets]
        out += [got for fn, n in self.external_fns for got in plt_names(fn, n)]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "global_targets": len(self.global_targets),
            "external_fns": len(self.external_fns),
            "renamed_slots": sum(len(r) for r in self.renames),
            "workqueue_items": self.workqueue_items,
            "duplicate_references": self.duplicate_references,
            "functions": self.functions,
            "merged_constants": self.merged_constants,
        }


def merge_states(states: list[dict[str, Any]], workload: Any, base: int) -> MergedState:
    """Merge the workers' states deterministically.

    Every slot gets the number the serial build gives it: the serial build numbers a
    slot when it is first used, in submission order of the CodeInstances and body
    order within one, starting at `base` (the counter after function naming). Each
    worker reports the first use of each of its slots; the earliest over all workers
    is the serial first use. The result depends only on the workload, never on the
    number of workers or the order in which they finish.
    """
    first: dict[tuple[str, Any], tuple[int, int]] = {}
    for st in states:
        for g in st["global_targets"]:
            key = ("global", g["object"])
            use = tuple(g["first_use"])
            if key not in first or use < first[key]:
                first[key] = use
        for p in st["external_fns"]:
            key = ("plt", p["fn"])
            use = tuple(p["first_use"])
            if key not in first or use < first[key]:
                first[key] = use
    order = sorted(first, key=lambda k: (first[k], k[0], str(k[1])))
    final_n = {key: base + i for i, key in enumerate(order)}
    global_targets: list[tuple[str, int]] = []
    external_fns: list[tuple[str, int]] = []
    final_name: dict[tuple[str, Any], str] = {}
    for key in order:
        n = final_n[key]
        if key[0] == "global":
            obj = workload.objects[key[1]]
            name = global_slot_name(obj.kind, obj.name, n)
            global_targets.append((name, key[1]))
        else:
            name = plt_names(key[1], n)[1]
            external_fns.append((key[1], n))
        final_name[key] = name
    renames = []
    for st in states:
        r = {g["name"]: final_name[("global", g["object"])] for g in st["global_targets"]}
        r.update({p["got"]: final_name[("plt", p["fn"])] for p in st["external_fns"]})
        renames.append({a: b for a, b in r.items() if a != b})
    defined: dict[int, int] = {}
    for st in states:
        for ci in st["functions"]:
            ci = int(ci)
            if ci in defined:
                raise CheckFailed(f"CodeInstance {ci} emitted by partitions {defined[ci]} and {st['partition']}")
            defined[ci] = st["partition"]
    for st in states:
        for callee in st["workqueue"]["pending"]:
            if callee not in defined:
                raise CheckFailed(f"workqueue item {callee} (called from partition {st['partition']}) "
                                  "was emitted by no partition")
    items = sum(st["workqueue"]["items"] for st in states)
    unique = len({c for st in states for c in st["workqueue"]["callees"]})
    return MergedState(global_targets, external_fns, renames, items, items - unique, len(defined),
                       sum(st.get("merged_constants", 0) for st in states))


def state_module(merged: MergedState, triple: str = "", data_layout: str = "") -> ir.Module:
    """The coordinator's module that defines every merged slot and thunk."""
    mod = ir.Module(name="jl_codegen_state")
    if triple:
        mod.triple = triple
    if data_layout:
        mod.data_layout = data_layout
    define_slots_in(mod, [(name, obj, None) for name, obj in merged.global_targets],
                    [(fn, n, None) for fn, n in merged.external_fns])
    return mod
