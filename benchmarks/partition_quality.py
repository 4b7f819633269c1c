#!/usr/bin/env python3
"""Partition quality of every strategy on SQLite and the glmakie workload.

For each input and each partition count (2, 4, 8, 16 by default), every strategy
partitions the graph; the table shows imbalance (max/mean cost), cut weight (references
that cross partitions), and predicted makespan with one worker per partition (list
scheduling of the partition costs). A verdict line per input says whether the default
(`pcodegen`) keeps imbalance <= 1.05, stays at or under half of llvm-hash's cut weight,
and is not beaten on makespan by any anchor strategy (julia, llvm-hash,
llvm-round-robin, rustc, gcc-balanced).

    python3 benchmarks/partition_quality.py [--sqlite bitcode_samples/build/sqlite.bc]
        [--preset glmakie] [--parts 2,4,8,16] [--markdown] [--json out.json]

SQLite is skipped (with a note) when its bitcode has not been built
(`python3 bitcode_samples/build.py sqlite`). Exit status 1 if a verdict fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pcodegen.graph import ModuleGraph, build_graph  # noqa: E402
from pcodegen.julia.graph import build_workload_graph  # noqa: E402
from pcodegen.partition import DEFAULT_STRATEGY  # noqa: E402
from pcodegen.partition.compare import compare, strategy_names  # noqa: E402

ANCHORS = ["julia", "llvm-hash", "llvm-round-robin", "rustc", "gcc-balanced"]


def inputs(args: argparse.Namespace) -> list[tuple[str, ModuleGraph | None, str]]:
    out: list[tuple[str, ModuleGraph | None, str]] = []
    sqlite = Path(args.sqlite)
    if sqlite.exists():
        from pcodegen.ir.load import load_module

        out.append(("sqlite", build_graph(load_module(sqlite).ir, str(sqlite)), str(sqlite)))
    else:
        out.append(("sqlite", None, f"{sqlite} not built (python3 bitcode_samples/build.py sqlite)"))
    from pcodegen.julia.presets import synthesize

    out.append((args.preset, build_workload_graph(synthesize(args.preset)), f"workload preset {args.preset}"))
    return out


def verdict(rows_by_parts: dict[int, list]) -> list[str]:
    problems = []
    for parts, rows in rows_by_parts.items():
        by = {r.strategy: r for r in rows}
        ours = by[DEFAULT_STRATEGY]
        if ours.imbalance > 1.05:
            problems.append(f"{parts} parts: imbalance {ours.imbalance:.3f} > 1.05")
        if "llvm-hash" in by and ours.cut_weight * 2 > by["llvm-hash"].cut_weight:
            problems.append(f"{parts} parts: cut weight {ours.cut_weight} > half of llvm-hash's "
                            f"{by['llvm-hash'].cut_weight}")
        for a in ANCHORS:
            if a in by and not by[a].error and by[a].predicted_makespan < ours.predicted_makespan:
                problems.append(f"{parts} parts: {a} has a lower makespan "
                                f"({by[a].predicted_makespan:.0f} < {ours.predicted_makespan:.0f})")
    return problems


def table(name: str, rows_by_parts: dict[int, list], markdown: bool) -> list[str]:
    strategies = [r.strategy for r in next(iter(rows_by_parts.values()))]
    parts_list = list(rows_by_parts)
    head = ["strategy"] + [f"{p}: imb / cut / makespan" for p in parts_list]
    body = []
    for s in strategies:
        cells = [s + (" (default)" if s == DEFAULT_STRATEGY else "")]
        for p in parts_list:
            r = next(x for x in rows_by_parts[p] if x.strategy == s)
            cells.append("error" if r.error else f"{r.imbalance:.3f} / {r.cut_weight} / {r.predicted_makespan:.0f}")
        body.append(cells)
    if markdown:
        lines = [f"### {name}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(b) + " |" for b in body]
        return lines + [""]
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    fmt = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))  # noqa: E731
    return [name, fmt(head), fmt(["-" * w for w in widths])] + [fmt(b) for b in body] + [""]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sqlite", default=str(ROOT / "bitcode_samples" / "build" / "sqlite.bc"))
    ap.add_argument("--preset", default="glmakie")
    ap.add_argument("--parts", default="2,4,8,16")
    ap.add_argument("--markdown", action="store_true", help="Markdown tables instead of plain text.")
    ap.add_argument("--json", help="Also write every row as JSON here.")
    args = ap.parse_args()
    parts_list = [int(x) for x in args.parts.split(",")]
    failed = False
    dump = {}
    for name, graph, source in inputs(args):
        if graph is None:
            print(f"{name}: skipped, {source}\n")
            continue
        t0 = time.perf_counter()
        rows_by_parts = {p: compare(graph, p, p, strategy_names()) for p in parts_list}
        g = graph.g
        title = (f"{name} ({source}): {g.number_of_nodes()} definitions, {g.number_of_edges()} references, "
                 f"total cost {graph.total_cost}, largest unit {max(u.cost for u in graph.units)}; "
                 f"makespan with one worker per partition ({time.perf_counter() - t0:.1f} s)")
        print("\n".join(table(title, rows_by_parts, args.markdown)))
        problems = verdict(rows_by_parts)
        print(f"verdict for {name}: " + ("OK: default imbalance <= 1.05, cut <= half of llvm-hash, "
                                         "no anchor with a lower makespan" if not problems else "; ".join(problems)))
        print()
        failed |= bool(problems)
        dump[name] = {str(p): [r.to_dict() for r in rows] for p, rows in rows_by_parts.items()}
    if args.json:
        Path(args.json).write_text(json.dumps(dump, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
