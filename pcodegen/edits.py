"""The edit experiment (`pcodegen experiment edits INPUT`): what an edit costs to
rebuild under each partitioning strategy, with the partition cache and stable plans.

For each strategy: a cold parallel build into a fresh cache, then for each edit kind a
seeded edit of the input's IR (each applied to the original module, not accumulated),
rebuilt with the warm cache twice: with the strategy's own plan of the edited module
(`--fresh-plan`: how stable the rule itself is) and with the previous plan kept (the
cache's last plan). Per strategy and edit: partitions recompiled each way, the kept
rebuild's wall time against the cold build's, whether
the edited build validates, and, given a program and its input (`stdin`), whether it
prints what a serial build of the same edited module prints.

Edits, at the level of LLVM's printed IR (`EDIT_KINDS`):
- constant: a returned or added integer constant in one function body changes;
- add-function: a new internal function, and a call to it from one function;
- delete-function: a function nothing references (internal first) is deleted;
- grow-function: one function gains a chain of arithmetic the size of an inlined call;
- global-init: one integer global's initializer changes.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pcodegen.errors import UsageError

EDIT_KINDS = ("constant", "add-function", "delete-function", "grow-function", "global-init")
_FUNC = re.compile(r"^define [^\n]*@([-\w.$]+)\([^\n]*\{\n.*?^}\n", re.S | re.M)
_RET_CONST = re.compile(r"^  ret (i\d+) (-?\d+)$", re.M)
_RET_VALUE = re.compile(r"^  ret (i32|i64) (%[-\w.]+)$", re.M)
_INT_GLOBAL = re.compile(r"^(@[-\w.$]+ = (?:internal |private )?(?:dso_local )?global (i32|i64) )(-?\d+)(, align \d+)?$", re.M)


@dataclass
class EditResult:
    """One edit rebuilt under one strategy."""

    strategy: str
    edit: str
    target: str  # the function or global edited
    parts: int
    recompiled: int  # with the previous plan kept (the cache's last plan)
    recompiled_fresh: int  # with the strategy's own plan of the edited module
    rebuild_s: float
    cold_s: float
    validates: bool  # both rebuilds
    behaves: bool | None  # both rebuilds; None: no program input given
    note: str = ""

    @property
    def rebuild_share(self) -> float:
        return self.rebuild_s / self.cold_s if self.cold_s else 0.0


@dataclass
class EditsReport:
    input: str
    seed: int
    strategies: list[str]
    edits: list[str]
    results: list[EditResult] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"schema": "pcodegen.edits/1", "input": self.input, "seed": self.seed, "strategies": self.strategies,
                "edits": self.edits,
                "results": [{**asdict(r), "rebuild_share": r.rebuild_share} for r in self.results]}


def _functions(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(1), m.start(), m.end()) for m in _FUNC.finditer(text)]


def _pick(text: str, funcs: list[tuple[str, int, int]], pattern: re.Pattern, rng: random.Random,
          none: str) -> tuple[str, re.Match]:
    """A function (seeded choice) whose body matches `pattern`, and the match in it."""
    found = [(n, m) for n, a, b in funcs if (m := pattern.search(text, a, b)) is not None]
    if not found:
        raise UsageError(none)
    return rng.choice(found)


def apply_edit(text: str, kind: str, rng: random.Random) -> tuple[str, str]:
    """(edited text, what was edited); UsageError when the module offers nothing to edit."""
    funcs = _functions(text)
    if kind == "constant":
        name, m = _pick(text, funcs, _RET_CONST, rng, "no function returns an integer constant to change")
        return text[:m.start(2)] + str(int(m.group(2)) + 1) + text[m.end(2):], name
    if kind in ("add-function", "grow-function"):
        name, m = _pick(text, funcs, _RET_VALUE, rng, "no function returns an i32/i64 value to edit")
        ty, val = m.group(1), m.group(2)
        if kind == "add-function":
            call = f"  %pcg.edit = call {ty} @pcg.edit.helper({ty} {val})\n  ret {ty} %pcg.edit"
            helper = (f"\ndefine internal {ty} @pcg.edit.helper({ty} %x) {{\n  %y = xor {ty} %x, 0\n"
                      f"  ret {ty} %y\n}}\n")
            return text[:m.start()] + call + text[m.end():] + helper, name
        chain = [f"  %pcg.g0 = add {ty} {val}, 0"]
        for i in range(1, 40):  # about an inlined helper's worth of arithmetic, value unchanged
            op = ("xor", "add", "or")[i % 3]
            chain.append(f"  %pcg.g{i} = {op} {ty} %pcg.g{i - 1}, 0")
        chain.append(f"  ret {ty} %pcg.g39")
        return text[:m.start()] + "\n".join(chain) + text[m.end():], name
    if kind == "delete-function":
        names = [n for n, _, _ in funcs]
        used = {n for n in names if len(re.findall(rf"@{re.escape(n)}\b", text)) > 1}
        internal = [(n, a, b) for n, a, b in funcs if n not in used and " internal " in text[a:a + 200].split("\n", 1)[0]]
        others = [(n, a, b) for n, a, b in funcs if n not in used and n != "main"]
        cands = internal or others
        if not cands:
            raise UsageError("no function is left unreferenced to delete")
        name, a, b = rng.choice(cands)
        return text[:a] + text[b:], name
    if kind == "global-init":
        cands = list(_INT_GLOBAL.finditer(text))
        if not cands:
            raise UsageError("no integer global to change")
        m = rng.choice(cands)
        return text[:m.start(3)] + str(int(m.group(3)) + 1) + text[m.end(3):], m.group(1).split(" ", 1)[0][1:]
    raise UsageError(f"unknown edit {kind!r}; choose from {', '.join(EDIT_KINDS)}")


def _cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pcodegen", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "PCODEGEN_QUIET": "1"})


def _build(src: Path, out: Path, cache: Path, strategy: str, parts: str, workers: int, opt: int,
           link_args: list[str], program: bool, fresh: bool = False) -> tuple[dict, float]:
    t0 = time.perf_counter()
    args: list[object] = ["compile", src, "--strategy", strategy, "--parts", parts, "--workers", workers,
                          "--opt", opt, "--cache", cache, "-q", *(["--fresh-plan"] if fresh else [])]
    args += (["--link", "exe", *(f"--link-arg={a}" for a in link_args), "-o", out]) if program else ["-o", out]
    proc = _cli(*args)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise UsageError(f"the build of {src.name} with {strategy} failed: "
                         f"{(proc.stderr.strip().splitlines() or ['no output'])[-1]}")
    objdir = Path(f"{out}.parts") if program else out
    return json.loads((objdir / "report.json").read_text()), wall


def _run(exe: Path, stdin: Path) -> str:
    with open(stdin, "rb") as fh:
        return subprocess.run([str(exe)], stdin=fh, capture_output=True, timeout=600).stdout.decode(errors="replace")


def run_edits(input_path: str | Path, workdir: Path, strategies: list[str], edits: list[str], seed: int = 0,
              parts: str = "auto", workers: int = 2, opt: int = 2, link_args: list[str] | None = None,
              stdin: Path | None = None, progress=None) -> EditsReport:
    """The experiment (see the module doc); builds go under `workdir`."""
    from pcodegen.ir.load import load_module

    for e in edits:
        if e not in EDIT_KINDS:
            raise UsageError(f"unknown edit {e!r}; choose from {', '.join(EDIT_KINDS)}")
    text = load_module(input_path).text
    rng = random.Random(seed)
    edited = {kind: apply_edit(text, kind, random.Random(rng.random())) for kind in edits}
    program = stdin is not None
    link_args = link_args or []
    report = EditsReport(str(input_path), seed, strategies, edits)
    # The serial build of each edited module, once: the validator's reference and, for a
    # program, the output every strategy's build must print.
    refs: dict[str, tuple[Path, str | None]] = {}
    for kind in edits:
        src = workdir / "serial" / f"{kind}.ll"
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(edited[kind][0])
        out = workdir / "serial" / kind
        args: list[object] = ["compile", src, "--serial", "--opt", opt, "-q"]
        args += (["--link", "exe", *(f"--link-arg={a}" for a in link_args), "-o", out]) if program else ["-o", out]
        proc = _cli(*args)
        if proc.returncode != 0:
            raise UsageError(f"the serial build of the {kind} edit failed: "
                             f"{(proc.stderr.strip().splitlines() or ['no output'])[-1]}")
        obj = (Path(f"{out}.parts") if program else out) / "serial.o"
        refs[kind] = (obj, _run(out, stdin) if program and stdin is not None else None)
    for strategy in strategies:
        base = workdir / strategy
        base.mkdir(parents=True, exist_ok=True)
        src = base / "module.ll"  # one input name: the cache's last plan is each rebuild's previous plan
        src.write_text(text)
        cache = base / "cache"
        cold, cold_s = _build(src, base / "cold", cache, strategy, parts, workers, opt, link_args, program)
        for kind in edits:
            new_text, target = edited[kind]
            src.write_text(new_text)
            reference, expected = refs[kind]
            valid, behaves, misses = True, None if expected is None else True, {}
            for fresh in (True, False):  # each against its own copy of the cold build's cache
                mode = "fresh" if fresh else "kept"
                warm = base / f"cache-{kind}-{mode}"
                shutil.copytree(cache, warm)
                out = base / f"edit-{kind}-{mode}"
                rep, wall = _build(src, out, warm, strategy, parts, workers, opt, link_args, program, fresh)
                misses[fresh] = rep["cache"]["misses"]
                objdir = Path(f"{out}.parts") if program else out
                valid &= _cli("validate", objdir, "--input", src, "--reference", reference).returncode == 0
                if expected is not None and stdin is not None:
                    behaves = behaves and _run(out, stdin) == expected
            report.results.append(EditResult(strategy, kind, target, rep["plan"]["parts"], misses[False],
                                             misses[True], wall, cold_s, valid, behaves,
                                             "" if (rep.get("stability") or {}).get("used") == "previous"
                                             else "plan made afresh"))
            if progress is not None:
                progress(report.results[-1])
        src.write_text(text)
    return report


def table_lines(report: EditsReport) -> list[str]:
    """The experiment's table: per strategy and edit, what the rebuild cost."""
    out = ["| strategy | edit | edited | recompiled, plan kept | recompiled, fresh plan | rebuild s (kept) | "
           "of the cold build | validates | behaves |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in report.results:
        behaves = "n/a" if r.behaves is None else ("yes" if r.behaves else "NO")
        out.append(f"| {r.strategy} | {r.edit} | {r.target} | {r.recompiled} of {r.parts} | "
                   f"{r.recompiled_fresh} of {r.parts} | {r.rebuild_s:.2f} | {r.rebuild_share:.0%} | "
                   f"{'yes' if r.validates else 'NO'} | {behaves} |")
    return out
