"""What the three experiments share: the verdict, the cross-context link guard, and
emitting a workload's partitions each in its own context."""

from __future__ import annotations

import ctypes
from dataclasses import asdict, dataclass, field
from typing import Any

import llvmlite.binding as llvm

from pcodegen.errors import PcgError
from pcodegen.julia.workload import Workload


#: What a time limit allows per compiled function for each pass over the whole workload
#: (emitting it, or compiling it at O2): about 2.5 times what 2 busy cores took for the
#: sysimage preset (40,000 functions, an O2 compile of the whole in about 3 minutes).
SECONDS_PER_FUNCTION = 0.01


def time_limit(workload: Workload, floor_s: float, passes: int) -> float:
    """A child process's time limit: `floor_s`, or more where `passes` passes over a big
    workload need it (bounded, and proportional to the workload)."""
    return max(floor_s, passes * SECONDS_PER_FUNCTION * len(workload.compiled()))


LLVMLITE_NOTE = ("llvmlite serialises every LLVM call behind one global lock (and Python's GIL serialises "
                 "building the IR), so threads sharing a context cannot run codegen in parallel; "
                 "worker processes with their own contexts can (approach 2 fixed).")


@dataclass
class Verdict:
    """What one experiment showed. `ok` is true when the mode showed what it should:
    the failure in failing mode, success in fixed mode."""

    experiment: str
    mode: str  # failing | fixed
    preset: str | None
    seed: int | None
    expected: str
    outcome: str
    ok: bool
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    wall_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def context_address(mod: llvm.ModuleRef) -> int:
    return ctypes.cast(mod._context._ptr, ctypes.c_void_p).value or 0


class CrossContextLinkError(PcgError):
    """Refused: linking modules that live in different LLVM contexts."""

    exit_code = 1


def guarded_link(dst: llvm.ModuleRef, src: llvm.ModuleRef) -> None:
    """`dst.link_in(src)`, refusing modules from different contexts.

    LLVM's linker does not check; the result is IR whose functions belong to another
    context, which the verifier rejects or which crashes later.
    """
    a, b = context_address(dst), context_address(src)
    if a != b:
        raise CrossContextLinkError(
            f"refusing to link module {src.name!r} (LLVMContext {b:#x}) into {dst.name!r} (LLVMContext {a:#x}): "
            "modules from different contexts cannot be linked; serialise it to bitcode and parse it into "
            "the destination's context first")
    dst.link_in(src)


def emit_partition_modules(workload: Workload, parts: int) -> tuple[list[Any], list[dict], int, dict[int, str]]:
    """Emit `parts` partitions, each in its own fresh context, in this process."""
    from pcodegen.ir.parse import parse_module
    from pcodegen.julia.emit import emit_code_instance, host_triple_and_layout, new_module
    from pcodegen.julia.codegen import COUNTER, CodegenParams, function_names

    COUNTER.reset(1)
    names = function_names(workload, COUNTER)
    base = COUNTER.peek()
    triple, layout = host_triple_and_layout()
    modules, states = [], []
    for i, members in enumerate(workload.partitions(parts)):
        COUNTER.reset(base)  # each partition's session starts where a fresh worker's would
        module = new_module(f"partition{i}", triple, layout)
        params = CodegenParams(module, workload, names, stream=True)
        for ci in members:
            emit_code_instance(params, workload.code_instances[ci])
        params.finalize(define_slots=False, require_complete=False)
        modules.append(parse_module(params.text(), llvm.create_context()))
        modules[-1].name = f"partition{i}"
        states.append(params.export_state(i))
    return modules, states, base, names


def defined_symbols(mod: llvm.ModuleRef) -> dict[str, str]:
    """Non-local defined globals of an llvmlite module: name -> linkage/visibility."""
    out = {}
    for v in list(mod.functions) + list(mod.global_variables):
        if v.is_declaration or v.linkage.name in ("internal", "private"):
            continue
        if v.name.startswith("llvm."):
            continue
        out[v.name] = f"{v.linkage.name}/{v.visibility.name}"
    return out
