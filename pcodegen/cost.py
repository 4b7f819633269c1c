"""What a unit costs to compile: the size rule, a calibrated model, or a profile.

* `model` (the default): predicted seconds from features of the unit's IR, with
  coefficients fitted on profiles of real modules (`benchmarks/fit_cost_model.py` writes
  `pcodegen/data/cost_model.json`; the file says what it was fitted on and how well a
  model fitted without each module predicts it).
* `size`: Julia's weight, 1 + instructions + basic blocks (kept for comparison).
* `profile:FILE`: the seconds `pcodegen profile` measured, per unit (units it does not
  know fall back to the model).

The graph stores a cost as an integer (microseconds for `model` and `profile`) in each
node's `cost`; the size is always kept as `size`.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pcodegen.defaults import DEFAULT_COST
from pcodegen.errors import UsageError

if TYPE_CHECKING:
    from pcodegen.ir.text import IRModule

COST_RULES = ("model", "size")  # and "profile:FILE"
MODEL_SCHEMA = "pcodegen.cost-model/1"
PROFILE_SCHEMA = "pcodegen.profile/1"

# Instruction classes by opcode (LLVM's printed names).
_CLASSES = {
    "load": "loads", "store": "stores", "call": "calls", "invoke": "calls", "br": "branches",
    "switch": "switches", "indirectbr": "branches", "phi": "phis", "getelementptr": "geps",
    "icmp": "compares", "fcmp": "compares", "select": "selects", "alloca": "allocas",
    "add": "int_arith", "sub": "int_arith", "mul": "int_arith", "shl": "int_arith", "lshr": "int_arith",
    "ashr": "int_arith", "and": "int_arith", "or": "int_arith", "xor": "int_arith",
    "sdiv": "int_div", "udiv": "int_div", "srem": "int_div", "urem": "int_div",
    "fadd": "float_ops", "fsub": "float_ops", "fmul": "float_ops", "fdiv": "float_ops", "frem": "float_ops",
    "fneg": "float_ops", "sitofp": "float_ops", "uitofp": "float_ops", "fptosi": "float_ops", "fptoui": "float_ops",
    "fpext": "float_ops", "fptrunc": "float_ops",
    "extractelement": "vector", "insertelement": "vector", "shufflevector": "vector",
    "zext": "casts", "sext": "casts", "trunc": "casts", "bitcast": "casts", "ptrtoint": "casts",
    "inttoptr": "casts",
}
FEATURES = ("functions", "instructions", "blocks", "block_sq_k", "calls", "loads", "stores", "branches", "switches",
            "switch_cases", "phis", "geps", "compares", "selects", "allocas", "int_arith", "int_div",
            "float_ops", "vector", "casts", "globals", "loop_sq_k")
_INSTRUCTION = re.compile(r"^  (?:%[-\w.$\"]+ = )?(?:tail |musttail |notail )?([a-z]+)", re.M)
_CASE = re.compile(r"^    i\d+ ", re.M)
_LABEL = re.compile(r"^([^ \n;}][^\n]*?):", re.M)  # split() with the group: [entry, name, block, name, block, ...]
_BRANCH_TARGET = re.compile(r"label %([-\w.$]+)")


def _instruction_lines(chunk: str) -> int:
    """Instruction lines in one block's text: lines indented by exactly two spaces (what
    `_INSTRUCTION` matches; switch cases and clauses are indented further), counted in C."""
    chunk = "\n" + chunk
    return chunk.count("\n  ") - chunk.count("\n   ")


def features(text: str) -> Counter:
    """Feature counts of one definition's printed IR (a function body, or a global's line)."""
    out: Counter = Counter()
    if not text.startswith("define "):
        out["globals"] = 1
        return out
    body = text.split("\n", 1)[1] if "\n" in text else ""
    ops = Counter(_INSTRUCTION.findall(body))
    out["functions"] = 1  # a fixed cost per function: its pass-manager and code-generator setup
    out["instructions"] = sum(ops.values())
    for op, n in ops.items():
        cls = _CLASSES.get(op)
        if cls:
            out[cls] += n
    out["switch_cases"] = len(_CASE.findall(body)) if "switch " in body else 0
    # Block sizes: instructions between labels; superlinear passes (scheduling, register
    # allocation) make one huge straight-line block cost more than many small ones, and
    # more so inside a loop (values live around the back edge).
    pieces = _LABEL.split(body)
    chunks = pieces[0::2]
    sizes = [_instruction_lines(chunk) for chunk in chunks]
    out["blocks"] = max(1, sum(1 for s in sizes if s))
    out["block_sq_k"] = sum(s * s for s in sizes) / 1000.0
    out["loop_sq_k"] = _loop_sq_k("\n" + body)
    return out


# The fast path (`model_features`): instructions that produce a value, found by their
# "= op " (a literal the regex engine searches for quickly) rather than line by line.
_VALUE_CLASSES = ("casts", "compares", "float_ops", "geps", "int_arith", "int_div", "selects")
_VALUE_OP = re.compile(r"= (?:tail |musttail |notail )?(" + "|".join(
    sorted((op for op, cls in _CLASSES.items() if cls in _VALUE_CLASSES), key=len, reverse=True)) + ") ")
_LABEL_LINE = re.compile(r"\n([^ \n;}][^\n]*?):")
_CALL_MARKS = (" call ", " invoke ")  # "  call", "= call", "tail call"; named values read "%call"
FAST_FEATURES = frozenset(("functions", "globals", "calls", "loop_sq_k", *_VALUE_CLASSES))


def _loop_sq_k(body: str) -> float:
    """Sum of squared block sizes (thousands) over blocks inside a loop; `body` starts
    with a newline."""
    if "label %" not in body:
        return 0.0
    pieces = _LABEL_LINE.split(body)
    chunks, labels = pieces[0::2], pieces[1::2]
    if not labels:
        return 0.0
    index = {name: i + 1 for i, name in enumerate(labels)}  # chunk 0 is the entry block
    looped: list[bool] | None = None
    for j, chunk in enumerate(chunks):
        if "label %" not in chunk:
            continue
        for target in _BRANCH_TARGET.findall(chunk):
            i = index.get(target)
            if i is not None and i <= j:  # a back edge: blocks i..j form (part of) a loop
                if looped is None:
                    looped = [False] * len(chunks)
                looped[i:j + 1] = [True] * (j + 1 - i)
    if looped is None:
        return 0.0
    return sum(_instruction_lines(c) ** 2 for c, inside in zip(chunks, looped) if inside) / 1000.0


def model_features(text: str) -> Counter:
    """The features in FAST_FEATURES, equal to `features(text)`'s, in about half its
    time (what the coordinator computes for every unit under the model)."""
    out: Counter = Counter()
    if not text.startswith("define "):
        out["globals"] = 1
        return out
    nl = text.find("\n")
    body = text[nl:] if nl >= 0 else ""
    out["functions"] = 1
    for op, n in Counter(_VALUE_OP.findall(body)).items():
        out[_CLASSES[op]] += n
    out["calls"] = sum(body.count(mark) for mark in _CALL_MARKS)
    out["loop_sq_k"] = _loop_sq_k(body)
    return out


@dataclass(frozen=True)
class CostModel:
    """Predicted seconds = per_partition_s per partition + sum of coefficient x feature."""

    coefficients: dict[str, float]
    per_partition_s: float
    opt: int
    fitted_on: tuple[str, ...]
    held_out: dict

    def unit_seconds(self, feats: Counter) -> float:
        return sum(self.coefficients.get(k, 0.0) * v for k, v in feats.items())

    def text_seconds(self, text: str) -> float:
        """Predicted seconds of one definition's printed IR (`model_features` when the
        model uses only what it extracts)."""
        fast = set(self.coefficients) <= FAST_FEATURES
        return self.unit_seconds(model_features(text) if fast else features(text))


def model_path() -> Path:
    return Path(str(resources.files("pcodegen") / "data" / "cost_model.json"))


@functools.lru_cache(maxsize=4)
def load_model(path: str | None = None) -> CostModel:
    """The shipped (or given) calibrated model."""
    p = Path(path) if path else model_path()
    try:
        doc = json.loads(p.read_text())
    except (OSError, ValueError) as exc:
        raise UsageError(f"{p}: cannot read the cost model ({exc}); use --cost size") from None
    if doc.get("schema") != MODEL_SCHEMA:
        raise UsageError(f"{p}: not a pcodegen cost model; use --cost size")
    return CostModel(dict(doc["coefficients"]), float(doc.get("per_partition_s", 0.0)), int(doc.get("opt", 2)),
                     tuple(doc.get("fitted_on", ())), dict(doc.get("held_out", {})))


@functools.lru_cache(maxsize=4)
def load_profile(path: str) -> dict[str, float]:
    """Measured seconds per member name from a `pcodegen profile` file (a unit's time
    goes to its largest member; the others get 0)."""
    from pcodegen.output import read_json

    doc = read_json(path, "profile", f"make one with `pcodegen profile INPUT -o {path}`")
    if not isinstance(doc, dict) or doc.get("schema") != PROFILE_SCHEMA:
        raise UsageError(f"{path}: not a pcodegen profile (make one with `pcodegen profile`)")
    out: dict[str, float] = {}
    for u in doc.get("units", []):
        for m in u["members"]:
            out[m] = 0.0
        out[u["name"]] = float(u["optimize_s"]) + float(u["emit_s"])
    return out


SIZE_LEGEND = "cost = 1 + instructions + basic blocks, Julia's size measure"


def cost_unit(rule: str) -> str:
    """What costs count under a cost rule."""
    if rule == "size":
        return "cost units"
    return "µs of measured compile time" if rule.startswith("profile:") else "µs of predicted compile time"


def cost_legend(rule: str) -> str:
    """What a cost rule's numbers are, in a phrase."""
    if rule == "size":
        return SIZE_LEGEND
    if rule.startswith("profile:"):
        return f"optimise + emit time measured by `pcodegen profile` ({rule[len('profile:'):]})"
    return "optimise + emit time predicted by the calibrated cost model (pcodegen/data/cost_model.json)"


def check_cost_rule(rule: str) -> str:
    """`rule` if it names a cost rule, else a one-line UsageError."""
    if rule in COST_RULES or (rule.startswith("profile:") and len(rule) > len("profile:")):
        return rule
    raise UsageError(f"unknown cost rule {rule!r}; choose model, size or profile:FILE")


MICROSECONDS = 1e6


def costs(texts: dict[str, str], sizes: dict[str, int], rule: str = DEFAULT_COST,
          predicted: dict[str, float] | None = None) -> dict[str, int]:
    """Integer cost per definition under `rule`: the size, or predicted (or measured)
    microseconds, at least 1. `predicted`: the model's seconds already computed for some
    definitions (`predict_into`), used instead of computing them again."""
    check_cost_rule(rule)
    if rule == "size":
        return dict(sizes)
    measured = load_profile(rule[len("profile:"):]) if rule.startswith("profile:") else {}
    predicted = predicted or {}
    model = load_model() if any(n not in measured and n not in predicted for n in texts) else None
    out = {}
    for name, text in texts.items():
        if name in measured:
            secs = measured[name]
        elif name in predicted:
            secs = predicted[name]
        else:
            secs = model.text_seconds(text)  # type: ignore[union-attr]
        out[name] = max(1, round(secs * MICROSECONDS))
    return out


def predict_into(ir: "IRModule") -> None:
    """Fill `ir.predicted_s` with the shipped model's seconds for each definition: what
    the load stage runs on each piece of a parallel cut, so that the features of the
    second half are computed in the helper that cut it."""
    model = load_model()
    ir.predicted_s.update((name, model.text_seconds(e.text)) for name, e in ir.entities.items())


def cut_annotation(rule: str) -> "Callable[[IRModule], None] | None":
    """What the load stage should compute while it cuts, for the cost rule `rule` (the
    model is read here, so a bad model file is this process's error, not a helper's)."""
    if rule != "model":
        return None
    load_model()
    return predict_into
