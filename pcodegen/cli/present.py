"""What the commands print for a person: the graph summary as a table, a plan's figures
with their units, a compile's phases. Scripts read `--json` instead; nothing here is
parsed. No line is longer than a terminal line: long lists are summarised."""

from __future__ import annotations

import json
import statistics
from typing import Any

import click

from pcodegen.cost import cost_legend, cost_unit
from pcodegen.parallel import cpu_count

LINE = 100  # the widest line printed


def _n(x: float) -> str:
    return f"{x:,.0f}"


def short_list(values: list[Any], unit: str = "", width: int = LINE - 30) -> str:
    """`values` as a list if it fits `width` characters, else min / median / max and the count."""
    shown = "[" + ", ".join(_n(v) if isinstance(v, (int, float)) else str(v) for v in values) + "]"
    if len(shown) <= width:
        return shown + (f" {unit}" if unit else "")
    nums = [float(v) for v in values]
    return (f"{len(values):,} values, min {_n(min(nums))}, median {_n(statistics.median(nums))}, "
            f"max {_n(max(nums))}" + (f" {unit}" if unit else ""))


def _unit_name(members: tuple[str, ...]) -> str:
    name = members[0].lstrip("@").strip('"')
    if len(name) > 40:
        name = name[:37] + "..."
    return name + (f" (+{len(members) - 1} kept with it)" if len(members) > 1 else "")


def graph_lines(graph: Any, top: int = 5) -> list[str]:
    """The graph summary as a two-column table, every row saying what it counts, then
    the largest units by name."""
    s = graph.summary()
    g = graph.g
    kinds = ", ".join(f"{v:,} {k}{'s' if v != 1 else ''}" for k, v in s["kinds"].items())
    rows = [
        ("input", s["source"] or "-"),
        ("defined symbols (nodes)", f"{s['nodes']:,} ({kinds})" if kinds else f"{s['nodes']:,}"),
        ("  of which local", f"{s['locals']:,} (internal/private: promoted if another partition uses them)"),
        ("  duplicable_constants", f"{s['duplicable_constants']:,} (small local constants copied into each "
                                   "partition that reads them)"),
        ("references (edges)", f"{s['edges']:,}, of which {s['call_edges']:,} are calls"),
        ("total cost", f"{s['total_cost']:,} {cost_unit(graph.cost_rule)}"),
        ("groups", f"{s['groups']:,} must-stay-together groups (comdats, aliases, blockaddress, ctors) "
                   f"holding {s['grouped_symbols']:,} symbols, largest {s['largest_group']:,}"),
        ("indivisible units", f"{len(graph.units):,} (groups plus single symbols: the most partitions possible)"),
        ("init_edges", f"{s['init_edges']:,} references from global initializers (Julia's strategy keeps "
                       "them together)"),
        ("declarations", f"{s['declarations']:,} (used here, defined elsewhere)"),
        ("module asm", "yes" if s["module_asm"] else "no"),
    ]
    width = max(len(k) for k, _ in rows)
    out = [f"{k:<{width}}  {v}" for k, v in rows]
    units = sorted(graph.units, key=lambda u: (-u.cost, u.order))[:top]
    if units:
        total = max(1, s["total_cost"])
        out += ["", f"largest units (of {len(graph.units):,}):"]
        for u in units:
            kind = g.nodes[u.members[0]].get("kind", "") if u.members[0] in g else ""
            out.append(f"  {u.cost:>10,}  {100 * u.cost / total:5.1f}%  {kind:<8}  {_unit_name(u.members)}")
    out += ["", f"{cost_unit(graph.cost_rule)}: {cost_legend(graph.cost_rule)}."]
    return out


def _solo_note(plan: Any) -> str:
    """Where the largest partition is one unit bigger than an even share: say so, since
    no plan can be more even than that unit."""
    costs = list(plan.metrics.partition_costs)
    largest = max(range(len(costs)), key=costs.__getitem__) if costs else None
    if largest is None or len(plan.members[largest]) != 1 or costs[largest] * len(costs) <= sum(costs) * 1.05:
        return ""
    return f"; the largest is {plan.members[largest][0]} alone, bigger than a share"


def plan_lines(plan: Any) -> list[str]:
    """A plan's quality figures, each with its unit."""
    m = plan.metrics
    unit = cost_unit(getattr(m, "cost_rule", "size"))
    made = f"{plan.parts:,} partitions" + (f" (asked {plan.requested_parts:,})"
                                          if plan.requested_parts != plan.parts else "")
    lines = [
        f"strategy {plan.strategy}: {made}",
        f"  partition costs {short_list(list(m.partition_costs), unit)} (total {m.total_cost:,})",
        f"  imbalance {m.imbalance:.3f} (largest partition over the mean; 1.000 is perfect)" + _solo_note(plan),
        f"  cut: {m.cut_edges:,} references between partitions ({m.cut_weight:,} counting repeats)",
        f"  {m.promoted_locals:,} locals promoted to hidden globals, {m.declarations_added:,} declarations added",
        f"  predicted makespan on {m.workers} worker{'s' if m.workers != 1 else ''} {m.predicted_makespan:,.0f} "
        f"{unit} (speedup {m.predicted_speedup:.2f}x by the cost rule {getattr(m, 'cost_rule', 'size')})",
    ]
    return lines + [f"  note: {n}" for n in plan.notes]


def oversubscribed_note(workers: int, n_cores: int | None = None) -> str | None:
    """The note for more workers than cores, or None."""
    n = cpu_count() if n_cores is None else n_cores
    if workers <= n:
        return None
    return (f"{workers} workers on {n} core{'s' if n != 1 else ''}: at most {n} run at once, so the extra workers "
            "wait, and a speedup measured here counts their waiting; it says nothing about "
            f"{workers} cores")


def compile_lines(report: dict, outdir: str, n_objects: int, linked: str | None) -> list[str]:
    """The end of `pcodegen compile`: where things went, the phases (the link
    included) and the CPU time against the wall time."""
    t = report["timings"]
    phases = dict(t["phases"])
    out = [f"wrote {outdir}/ ({n_objects:,} object{'s' if n_objects != 1 else ''}, report.json)"
           + (f", linked {linked}" if linked else "")]
    out.append("phases: " + ", ".join(f"{k} {v:.2f}s" for k, v in phases.items()))
    beside = t.get("overlapped_phases") or {}
    if beside:
        out.append("beside the first worker (inside compile): " + ", ".join(f"{k} {v:.2f}s" for k, v in beside.items()))
    wall = sum(phases.values())
    cpu = t["serial_equivalent_cpu_s"]
    out.append(f"wall {wall:.2f}s; CPU {cpu:.2f}s (coordinator {t['coordinator_cpu_s']:.2f}s + workers "
               f"{cpu - t['coordinator_cpu_s']:.2f}s: what one core would spend on the same work)")
    crit = t.get("critical_path_s")
    if crit is not None and report.get("plan"):
        out.append(f"coordinator critical path {crit:.2f}s ({crit / wall:.1%} of the wall time): the time no worker "
                   "was running")
    return out


def echo_json(obj: Any) -> None:
    """Print `obj` as the CLI's JSON: indented, keys sorted."""
    click.echo(json.dumps(obj, indent=2, sort_keys=True))
