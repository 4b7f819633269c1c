"""Test hooks that break a partitioned build on purpose, so tests can prove the
validator notices. Set `PCODEGEN_SABOTAGE` to a comma-separated list of kinds; worker
processes inherit it. Never set outside tests.

Kinds:
- `structor-keys`: undo the fix that keeps a keyed `llvm.global_ctors` entry with its
  key (the key then lands in another partition and code generation drops the entry);
- `drop-ctor`: remove the last constructor entry;
- `reorder-ctors`: swap the first two constructor entries of equal priority;
- `duplicate-comdat`: define the first comdat's members in every partition;
- `writable-constant`: turn the first defined constant into a writable global;
- `non-tls`: make the first thread-local variable an ordinary one.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pcodegen.ir.text import IRModule

ENV = "PCODEGEN_SABOTAGE"
KINDS = ("structor-keys", "drop-ctor", "reorder-ctors", "duplicate-comdat", "writable-constant", "non-tls")


def active(kind: str) -> bool:
    """Whether the test hook `kind` is switched on in this process's environment."""
    assert kind in KINDS, kind
    return kind in os.environ.get(ENV, "").split(",")


def kinds() -> set[str]:
    """The hooks switched on (usually none)."""
    return {k for k in os.environ.get(ENV, "").split(",") if k in KINDS}


def duplicated_comdat_members(ir: "IRModule") -> list[str]:
    """For `duplicate-comdat`: the members of the first comdat that has defined members."""
    members: dict[str, list[str]] = {}
    for name, ent in ir.entities.items():
        if ent.comdat and not name.startswith("llvm."):
            members.setdefault(ent.comdat, []).append(name)
    return members[min(members)] if members else []


def mutate(active: set[str], ir: "IRModule", name: str, text: str) -> str:
    """The definition `text` of `name`, broken as the active hooks say."""
    from pcodegen.ir.text import structors

    if name == "llvm.global_ctors" and active & {"drop-ctor", "reorder-ctors"}:
        entries = structors(text)
        if "drop-ctor" in active and entries:
            entries = entries[:-1]
        if "reorder-ctors" in active:
            for i in range(len(entries)):
                j = next((j for j in range(i + 1, len(entries)) if entries[j].priority == entries[i].priority), None)
                if j is not None:
                    entries[i], entries[j] = entries[j], entries[i]
                    break
        head = text.split(" [", 1)[0] + " "
        items = ", ".join("{ i32, ptr, ptr } { i32 %d, ptr %s, ptr %s }"
                          % (s.priority, f"@{s.function}" if s.function else "null", f"@{s.key}" if s.key else "null")
                          for s in entries)
        return f"{head}[{len(entries)} x {{ i32, ptr, ptr }}] [{items}]"
    if "writable-constant" in active and name == _first(ir, lambda e: e.kind == "variable" and not e.is_local
                                                        and " constant " in e.text.split("=", 1)[1][:120]):
        return text.replace(" constant ", " global ", 1)
    if "non-tls" in active and name == _first(ir, lambda e: e.kind == "variable" and "thread_local" in e.text[:200]):
        import re

        return re.sub(r"thread_local(\([a-z]+\))? ", "", text, count=1)
    return text


def _first(ir: "IRModule", pred) -> str | None:
    return next((n for n, e in ir.entities.items() if not n.startswith("llvm.") and pred(e)), None)
