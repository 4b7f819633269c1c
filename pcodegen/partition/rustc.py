"""rustc's codegen-unit merging (compiler/rustc_monomorphize/src/partitioning.rs,
`merge_codegen_units`).

rustc starts from one codegen unit per source module and, while there are more than N,
sorts them by size (largest first), takes the smallest of the N largest as the
destination, and merges into it the unit among the rest that overlaps most with it
(rustc measures the size of the inlined items both would contain; ties go to the
earlier, bigger unit, and a unit with no overlap at all loses to the biggest remaining
one). That keeps the N biggest from growing while there are small ones to absorb.

pcodegen's natural units:
- a node attribute `unit` where the graph has one (a Julia workload's module prefix);
- else the translation unit of each function, read from its debug info (`DISubprogram`
  -> `DIFile`) where the module carries it;
- else contiguous runs of module order: llvm-link lays translation units out one after
  the other, so runs of neighbouring definitions stand in for them.
Overlap between two units is the weight of the references between them: what rustc's
inlined-item overlap measures is code both sides need, and a reference crossing the two
is exactly that.
"""

from __future__ import annotations

import re

from pcodegen.graph import ModuleGraph
from pcodegen.partition import strategy
from pcodegen.partition.units import UnitGraph, unit_graph

# Definitions per stand-in translation unit when the module does not say where its
# definitions came from (a C translation unit holds a few dozen functions).
RUN_LENGTH = 48
MIN_RUNS = 16  # small modules still get this many stand-in units

_DBG = re.compile(r"!dbg !(\d+)")
_FILE_REF = re.compile(r"\bfile: !(\d+)")
_FILENAME = re.compile(r'filename: "([^"]*)"')


def debug_files(graph: ModuleGraph, ug: UnitGraph) -> list[str | None] | None:
    """Source file per unit from debug info, or None when too little is known."""
    ir = graph.ir
    if ir is None or not ir.metadata:
        return None
    out: list[str | None] = []
    known = 0
    for members in ug.members:
        found = None
        for m in members:
            ent = ir.entities.get(m)
            if ent is None or ent.kind != "function":
                continue
            header = ent.text.split("\n", 1)[0]
            dm = _DBG.search(header)
            sp = ir.metadata.get(int(dm.group(1))) if dm else None
            fm = _FILE_REF.search(sp) if sp else None
            fl = ir.metadata.get(int(fm.group(1))) if fm else None
            nm = _FILENAME.search(fl) if fl else None
            if nm:
                found = nm.group(1)
                break
        if found is not None:
            known += 1
        out.append(found)
    functions = sum(1 for members in ug.members if any(graph.g.nodes[m]["kind"] == "function" for m in members))
    return out if functions and known >= functions // 2 else None


def natural_units(graph: ModuleGraph, ug: UnitGraph | None = None) -> tuple[list[int], str]:
    """The initial codegen unit of every graph unit, and how it was found.

    Labels come from the functions; a unit holding no function (a global variable)
    joins the natural unit of the function tied to it most (a static variable lives in
    the file of its users), else the one at the same relative position (globals are
    printed before all functions, but also translation unit by translation unit)."""
    ug = ug or unit_graph(graph)
    g = graph.g
    n = ug.n
    is_fn = [any(g.nodes[m]["kind"] == "function" for m in ms) for ms in ug.members]
    fn_order = sorted((i for i in range(n) if is_fn[i]), key=ug.order.__getitem__)
    label: list[int] = [-1] * n
    how = ""
    first = ug.members[0][0] if n else None
    raw: list | None = None
    if first is not None and "unit" in g.nodes[first]:
        raw = [g.nodes[ms[0]].get("unit") for ms in ug.members]
        how = "unit attribute"
    else:
        files = debug_files(graph, ug)
        if files is not None:
            raw, how = files, "debug info"
    if raw is not None:
        ids: dict = {}
        for i in sorted(range(n), key=ug.order.__getitem__):
            if raw[i] is not None:
                label[i] = ids.setdefault(raw[i], len(ids))
    else:
        run = max(1, min(RUN_LENGTH, len(fn_order) // MIN_RUNS))
        for pos, i in enumerate(fn_order):
            label[i] = pos // run
        how = f"runs of {run} functions in module order"
    if not fn_order:
        return [pos // RUN_LENGTH for pos in range(n)], how
    rest = sorted((i for i in range(n) if label[i] < 0), key=ug.order.__getitem__)
    for pos, i in enumerate(rest):
        tied = [(w, -ug.order[j], j) for j, w in ug.adj[i].items() if is_fn[j] and label[j] >= 0]
        if tied:
            label[i] = label[max(tied)[2]]
        else:
            label[i] = label[fn_order[pos * len(fn_order) // len(rest)]]
    # renumber densely in the order the functions come
    dense: dict[int, int] = {}
    for i in fn_order:
        dense.setdefault(label[i], len(dense))
    for lab in label:
        dense.setdefault(lab, len(dense))
    return [dense[lab] for lab in label], how


@strategy("rustc")
def rustc(graph: ModuleGraph, parts: int, workers: int) -> dict[str, int]:
    """Natural units merged as rustc's merge_codegen_units does until `parts` remain."""
    ug = unit_graph(graph)
    initial, _ = natural_units(graph, ug)
    k = max(initial) + 1 if initial else 0
    size = [0] * k
    cgu_adj: list[dict[int, int]] = [{} for _ in range(k)]
    for i, c in enumerate(initial):
        size[c] += ug.cost[i]
        row = cgu_adj[c]
        for j, w in ug.adj[i].items():
            d = initial[j]
            if d != c:
                row[d] = row.get(d, 0) + w
    alive = list(range(k))  # current CGU ids; a merged id is folded into its destination
    members: dict[int, list[int]] = {c: [c] for c in alive}
    while len(alive) > parts:
        # Largest first; equal sizes keep the earlier (rustc keeps name order stable).
        alive.sort(key=lambda c: -size[c])
        dst = alive[parts - 1]
        row = cgu_adj[dst]
        best_i, best = parts, 0
        for idx in range(parts, len(alive)):
            w = row.get(alive[idx], 0)
            if w > best:
                best, best_i = w, idx
        src = alive.pop(best_i)
        size[dst] += size[src]
        members[dst].extend(members.pop(src))
        # fold src's neighbours into dst
        for other, w in cgu_adj[src].items():
            if other == dst:
                continue
            row[other] = row.get(other, 0) + w
            orow = cgu_adj[other]
            orow[dst] = orow.get(dst, 0) + orow.pop(src, 0)
        row.pop(src, None)
        cgu_adj[src] = {}
    alive.sort(key=lambda c: -size[c])  # rustc names the merged CGUs biggest first
    final = {}
    for p, c in enumerate(alive):
        for orig in members[c]:
            final[orig] = p
    return ug.assignment([final[c] for c in initial])
