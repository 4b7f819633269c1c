"""Strategies side by side: one graph, every strategy, the quality figures in a table.

Used by `pcodegen partition INPUT --compare` and by the benchmarks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pcodegen.errors import PcgError, UsageError
from pcodegen.graph import ModuleGraph
from pcodegen.partition import DEFAULT_STRATEGY, STRATEGIES, partition

# Display order: the default, the anchors, the library methods, the simple baseline.
ORDER = ["pcodegen", "julia", "llvm-hash", "llvm-round-robin", "rustc", "gcc-balanced",
         "metis", "louvain", "kl-bisection", "round-robin"]


def strategy_names() -> list[str]:
    """Registered strategies in display order."""
    known = [s for s in ORDER if s in STRATEGIES]
    return known + sorted(s for s in STRATEGIES if s not in ORDER)


def describe(name: str) -> str:
    """First line of a strategy's docstring."""
    doc = (STRATEGIES[name].__doc__ or "").strip()
    return " ".join(doc.split("\n\n", 1)[0].split()) if doc else ""


@dataclass
class Row:
    """One strategy's result on one graph."""

    strategy: str
    parts: int
    requested_parts: int
    workers: int
    seconds: float
    imbalance: float = 0.0
    cut_edges: int = 0
    cut_weight: int = 0
    promoted_locals: int = 0
    declarations_added: int = 0
    predicted_makespan: float = 0.0
    predicted_speedup: float = 0.0
    partition_costs: list[int] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def compare(graph: ModuleGraph, parts: int, workers: int, strategies: list[str] | None = None) -> list[Row]:
    """Run every strategy (or the given ones) on `graph`; a strategy that fails is a row
    with its error, never an exception."""
    names = strategies or strategy_names()
    for name in names:
        if name not in STRATEGIES:
            raise UsageError(f"unknown strategy {name!r}; choose one of: {', '.join(strategy_names())}")
    rows = []
    for name in names:
        t0 = time.perf_counter()
        try:
            plan = partition(graph, parts, name, workers)
        except PcgError:
            raise
        except Exception as exc:  # noqa: BLE001 - one strategy's failure is a table entry
            rows.append(Row(name, 0, parts, workers, time.perf_counter() - t0,
                            error=f"{type(exc).__name__}: {exc}".splitlines()[0]))
            continue
        m = plan.metrics
        rows.append(Row(name, plan.parts, parts, workers, time.perf_counter() - t0, m.imbalance, m.cut_edges,
                        m.cut_weight, m.promoted_locals, m.declarations_added, m.predicted_makespan,
                        m.predicted_speedup, list(m.partition_costs)))
    return rows


COLUMNS = [("strategy", "strategy"), ("parts", "parts"), ("imbalance", "imbalance"), ("cut edges", "cut_edges"),
           ("cut weight", "cut_weight"), ("promoted locals", "promoted_locals"),
           ("declarations added", "declarations_added"), ("predicted makespan", "predicted_makespan"),
           ("predicted speedup", "predicted_speedup"), ("strategy's own time s", "seconds")]
COLUMN_LEGEND = (
    "parts: non-empty partitions made. imbalance: largest partition's cost over the mean (1.000 is perfect). "
    "cut edges: references from one partition to another; cut weight: those references counted with "
    "multiplicity. promoted locals: internal symbols made hidden globals so another partition can reach them. "
    "declarations added: declarations the partitions need for what they no longer define. predicted makespan: "
    "the partitions list-scheduled on the workers, in the cost rule's unit ({unit}: {legend}); "
    "predicted speedup: total cost over that makespan. strategy's own time: seconds the strategy took.")


def _cell(row: Row, attr: str) -> str:
    if row.error and attr not in ("strategy", "seconds"):
        return "error" if attr == "parts" else ""
    v = getattr(row, attr)
    if attr in ("imbalance", "predicted_speedup"):
        return f"{v:.3f}"
    if attr == "seconds":
        return f"{v:.2f}"
    if attr == "predicted_makespan":
        return f"{v:,.0f}"
    if attr in ("cut_edges", "cut_weight", "promoted_locals", "declarations_added", "parts"):
        return f"{v:,}"
    if attr == "strategy" and row.strategy == DEFAULT_STRATEGY:
        return f"{v} (default)"
    return str(v)


# Two-line headings, so the table fits 100 columns; COLUMN_LEGEND says what each one is.
SHORT_HEADS = [("", "strategy"), ("", "parts"), ("imbal-", "ance"), ("cut", "edges"), ("cut", "weight"),
               ("promoted", "locals"), ("decls", "added"), ("makespan", "cost"), ("predicted", "speedup"),
               ("time", "s")]


def print_table(rows: list[Row], title: str = "", width: int = 100, cost_rule: str = "size") -> None:
    """The comparison as plain text of at most `width` columns: the table, then what
    each column means (wrapped)."""
    import textwrap

    import click

    body = [[_cell(r, a) for _, a in COLUMNS] for r in rows]
    body = [[b[0].replace(" (default)", "*")] + b[1:] for b in body]
    widths = [max(len(x) for x in (*SHORT_HEADS[i], *(b[i] for b in body))) for i in range(len(SHORT_HEADS))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    lines = textwrap.wrap(title, width) if title else []
    lines += [fmt([h[0] for h in SHORT_HEADS]), fmt([h[1] for h in SHORT_HEADS]), fmt(["-" * w for w in widths])]
    lines += [fmt(b) for b in body]
    lines += [f"{r.strategy}: {r.error}" for r in rows if r.error]
    from pcodegen.cost import cost_legend, cost_unit

    legend = (("* the default strategy. " if any(r.strategy == DEFAULT_STRATEGY for r in rows) else "")
              + COLUMN_LEGEND.format(unit=cost_unit(cost_rule), legend=cost_legend(cost_rule)))
    lines += [""] + textwrap.wrap(legend, width)
    click.echo("\n".join(ln.rstrip() for ln in lines))
