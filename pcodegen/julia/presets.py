"""Synthetic Julia codegen workloads whose accounting reproduces measured figures.

`synthesize(preset, seed)` is deterministic for a seed (only `random.Random(seed)`
is used). Each preset fixes the figures Julia's codegen statistics report:

* submitted CodeInstances, of which duplicates (skipped), constant-return (no code),
  without source (skipped) and compiled;
* workqueue items (one per call from a compiled CodeInstance to another) and how many
  of them are duplicate references (the callee was already referenced).

The seed figures are GLMakie's precompile workload: 10,347 submitted, 104 duplicates,
2,530 constant-return, 7,710 compiled; 9,970 workqueue items, 7,142 (72%) duplicate
references. 10,347 - 104 - 2,530 = 7,713, three more than the 7,710 compiled: the
model accounts for them as three CodeInstances without source (their inferred code
was discarded, so codegen has nothing to emit and skips them, as `jl_emit_codeinst`
does when there is no source). With that, every figure holds exactly.

The `sysimage` preset is sized from Julia's system-image figures (a 188 MB image whose
function-pointer list is 0.3 MB and whose global-variable list is 0.08 MB); what is
derived and what is assumed:

* derived, compiled functions: one list entry per compiled function, an 8-byte x86-64
  pointer each (the list as Julia >= 1.12 emits it, `jl_fvar_ptrs`, an array of
  pointers; Julia 1.9-1.11 stored 32-bit offsets, `jl_fvar_offsets`, which would make
  0.3 MB 75,000 entries). 0.3 MB / 8 B = 37,500, short of 40,000. Assumed: the 0.3 MB is
  rounded to one significant figure from 0.32 MB (anything from 0.25 to 0.35 MB prints
  as 0.3), so 320,000 B / 8 B = 40,000 compiled functions. In Julia a CodeInstance with
  a specialised signature contributes two entries (its specsig function and its jlcall
  wrapper); the model emits one function per CodeInstance, so list entries = compiled
  CodeInstances here.
* derived, global slots: 0.08 MB / 8 B = 10,000. Julia's global-variable list holds
  the global targets and the PLT GOT slots alike; the model has one GOT slot per
  runtime function (42, runtime.c), so 9,958 global targets, the object pool, every one
  of them used (and every runtime function called) so that the slots come to 10,000.
* assumed, in GLMakie's proportions: submitted = 40,000 x 10,347 / 7,713 = 53,660 (the
  compiled-or-sourceless share of GLMakie's submissions), of which 539 duplicates
  (104 / 10,347) and 13,121 constant-return (2,530 / 10,347); no CodeInstance without
  source (GLMakie's 3 close a gap in its measured figures, there is none here);
  workqueue items = 40,000 x 9,970 / 7,710 = 51,725, of which 37,053 duplicate
  references (7,142 / 9,970 = 72%); sizes, global targets and runtime calls per
  function as GLMakie's. The 188 MB (serialised heap and native code together) sizes
  nothing.

Measured on 2 shared cores (details and the experiments: docs/design.md, "The Julia
codegen model"): `pcodegen synth --preset sysimage` 1.8 s, 126 MB max RSS; `pcodegen
emit` of it (40,000 functions, 50 MB of IR text, 20 MB of bitcode) 20-31 s, 745 MB max
RSS (2.2 GB and 55 s before emission streamed its function bodies as text).

The `plots`, `plotutils` and `jll` presets are not measurements: they are smaller
workloads with the same proportions (about 1% duplicates, 24% constant-return, 72%
duplicate workqueue references), sized so the experiments run in seconds.

`scaled(preset, F)` (`pcodegen synth --scale F`) multiplies every count of a preset
(submitted, duplicates, constant-return, without source, workqueue items, duplicate
references, the object pool) by F, rounded half up, and keeps the rates and shapes
(global targets and runtime calls per function, sizes); the runtime functions stay
42. A scaled workload is as deterministic for a seed as any other: its random stream
is named by the preset and the scale (`sysimage@0.25`).

Shapes: sizes are Pareto distributed (many small functions, a few large ones);
callees always come earlier in submission order and mostly near their caller
(serialization order keeps call neighbourhoods together), with a share of popular
callees (preferential attachment, as `getindex` or `convert` are in real code);
runtime objects and runtime functions are Zipf-like popular.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import random
from dataclasses import dataclass

from pcodegen.errors import ParameterError, UsageError
from pcodegen.julia.codegen import runtime_functions
from pcodegen.julia.workload import MAX_OBJECTS, CodeInstance, RuntimeObject, Workload


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    submitted: int
    duplicates: int
    const_return: int
    no_source: int
    workqueue_items: int
    duplicate_references: int
    objects: int  # size of the runtime object pool
    globals_per_ci: float  # mean global targets per compiled CodeInstance
    externals_per_ci: float  # mean runtime functions per compiled CodeInstance
    size_min: int = 6  # Pareto scale (instructions)
    size_alpha: float = 1.6  # Pareto shape: smaller is heavier-tailed
    size_max: int = 2500
    vocabulary: tuple[str, ...] = ()
    all_slots_used: bool = False  # every object and runtime function referenced: slots are exact
    scale: float = 1.0  # the factor `scaled` applied (1: the preset as defined)

    @property
    def compiled(self) -> int:
        return self.submitted - self.duplicates - self.const_return - self.no_source

    @property
    def unique_callees(self) -> int:
        return self.workqueue_items - self.duplicate_references

    @property
    def label(self) -> str:
        """The name, with the scale when there is one (`sysimage@0.25`)."""
        return self.name if self.scale == 1 else f"{self.name}@{self.scale:g}"

    def figures(self) -> dict[str, int]:
        """The counts a workload synthesized from this preset has exactly."""
        out = {
            "submitted": self.submitted, "duplicates": self.duplicates, "const_return": self.const_return,
            "no_source": self.no_source, "compiled": self.compiled, "workqueue_items": self.workqueue_items,
            "duplicate_references": self.duplicate_references,
        }
        if self.all_slots_used:
            out["global_targets"] = self.objects
            out["external_fns"] = len(runtime_functions())
        return out

    def problem(self) -> str | None:
        """Why no workload can have these figures, or None when one can."""
        counts = {"submitted": self.submitted, "duplicates": self.duplicates, "const_return": self.const_return,
                  "no_source": self.no_source, "workqueue_items": self.workqueue_items,
                  "duplicate_references": self.duplicate_references}
        negative = [k for k, v in counts.items() if v < 0]
        if negative:
            return f"a negative {negative[0]} count"
        if self.compiled < 2:
            return f"{self.compiled} compiled CodeInstances (at least 2 are needed)"
        if self.objects < 1:
            return "no runtime objects (at least 1 is needed)"
        if self.objects > MAX_OBJECTS:
            return f"{self.objects:,} runtime objects (the runtime holds at most {MAX_OBJECTS:,})"
        u = self.unique_callees
        if u < 1:
            return f"{u} distinct callees (at least 1 is needed)"
        if u > self.compiled - 1:
            return (f"{u:,} distinct callees among {self.compiled:,} compiled CodeInstances "
                    f"(at most {self.compiled - 1:,})")
        if self.workqueue_items > u * (u + 1) // 2:  # enough distinct (caller, callee) pairs whatever the callees
            return (f"{self.workqueue_items:,} workqueue items on only {u:,} distinct callees "
                    f"(at most {u * (u + 1) // 2:,} distinct calls)")
        return None


_BASE_WORDS = (
    "getindex", "setindex!", "push!", "append!", "convert", "iterate", "length", "similar", "copyto!",
    "map", "broadcast", "materialize", "collect", "show", "print", "string", "hash", "isequal", "get",
    "get!", "haskey", "merge", "filter", "reduce", "mapreduce", "foldl", "sum", "maximum", "minimum",
    "unsafe_getindex", "checkbounds", "resize!", "fill!", "reverse", "sort!", "searchsortedfirst",
    "tuple", "ntuple", "promote", "getproperty", "setproperty!", "Dict", "Vector", "Array", "zip",
)
_MAKIE_WORDS = (
    "plot!", "draw_atomic", "lift", "on", "notify", "update!", "to_color", "attribute_per_char",
    "project", "apply_transform", "boundingbox", "data_limits", "convert_arguments", "to_value",
    "glyph_collection", "layout_text", "render_frame", "cached_robj!", "gl_convert", "texture_buffer",
    "compile_shader", "uniform", "glGenBuffers", "poll_updates", "colorbuffer", "scene_limits",
    "Observable", "connect!", "map_once", "inv_transform", "cameracontrols", "update_cam!",
    "Axis", "Figure", "Scene", "linesegments", "scatter", "lines", "mesh", "surface", "heatmap",
)
_PLOTS_WORDS = (
    "plot!", "_plot!", "recipe", "apply_recipe", "_process_userrecipes", "_preprocess_args",
    "_add_defaults!", "default", "attr!", "_update_axis", "process_axis_arg", "gr_display",
    "gr_draw_series", "gr_set_font", "optimize_ticks", "cgrad", "palette", "RecipeData",
    "series_annotations", "_bin_centers", "_get_series", "axis_limits", "layout_args", "bbox",
)
_PLOTUTILS_WORDS = (
    "optimize_ticks", "optimize_datetime_ticks", "cgrad", "palette", "adapted_grid", "zscale",
    "get_color_palette", "plot_color", "rgba_string", "lighten", "darken", "isdark", "bounds",
    "ticks_step", "postdecimal_digits", "_calc_extrema", "ColorGradient", "ColorPalette",
)
_JLL_WORDS = (
    "__init__", "find_artifact_dir", "artifact_hash", "get_libfoo_path", "get_libfoo", "dlopen",
    "init_libfoo", "is_available", "select_platform", "host_platform", "triplet", "LazyLibrary",
    "adjust_ENV!", "libfoo_path", "generate_wrapper_header",
)
_MODULES = ("Core", "Base", "Base.Broadcast", "Makie", "GLMakie", "GeometryBasics", "Observables",
            "ColorTypes", "FixedPointNumbers", "StaticArrays", "FreeType", "Plots", "PlotUtils", "RecipesBase")
_TYPES = ("Array", "Vector", "Dict", "Tuple", "NamedTuple", "Symbol", "String", "Int64", "Float32", "Float64",
          "Point2f", "Vec3f", "RGBAf", "Observable", "Scene", "Axis", "Attributes", "Rect2f", "Mat4f",
          "GLBuffer", "Texture", "ShaderProgram", "Plot", "Subplot", "Series", "ColorGradient")

_COMPILER_WORDS = (
    "typeinf", "typeinf_edge", "abstract_call_gf_by_type", "abstract_eval_statement", "abstract_call",
    "optimize", "ssa_inlining_pass!", "construct_ssa!", "compact!", "adce_pass!", "sroa_pass!",
    "getfield_elim_pass!", "tmerge", "tmeet", "widenconst", "instanceof_tfunc", "builtin_tfunction",
    "return_type", "specialize_method", "cache_result!", "stmt_effect_flags", "InferenceState", "IRCode",
    "findall", "matching_methods", "jl_type_intersection", "rewrap_unionall", "unwrap_unionall",
    "print_to_string", "string", "show_datatype", "showerror", "display", "include", "require", "eval",
    "read", "write", "open", "readline", "wait", "notify", "schedule", "lock", "unlock", "take!", "put!",
)

# --- the sysimage preset: derived from Julia's system-image figures (module docstring) --
SYSIMAGE_MB = 188.0  # the whole image, serialised heap and native code; sizes nothing
FPTR_LIST_MB = 0.3  # its function-pointer list, as reported (one significant figure)
FPTR_LIST_ASSUMED_MB = 0.32  # assumed: what "0.3 MB" was rounded from
GVAR_LIST_MB = 0.08  # its global-variable list, as reported
POINTER_BYTES = 8  # one x86-64 pointer per list entry
COMPILED_AT_LEAST = 40_000  # what the sysimage preset must compile


_GLMAKIE = Preset(
    "glmakie", "GLMakie precompile (the seed's measured figures)",
    submitted=10_347, duplicates=104, const_return=2_530, no_source=3,
    workqueue_items=9_970, duplicate_references=7_142,
    objects=5_400, globals_per_ci=1.6, externals_per_ci=0.7,
    vocabulary=_BASE_WORDS + _MAKIE_WORDS)


def sysimage_derivation() -> dict[str, int]:
    """The sysimage preset's figures and the arithmetic behind them (module docstring)."""
    g = _GLMAKIE
    as_reported = round(FPTR_LIST_MB * 1e6 / POINTER_BYTES)  # 37,500
    compiled = round(FPTR_LIST_ASSUMED_MB * 1e6 / POINTER_BYTES)  # 40,000
    slots = round(GVAR_LIST_MB * 1e6 / POINTER_BYTES)  # 10,000
    got = len(runtime_functions())
    emitted = g.compiled + g.no_source  # what is neither duplicate nor constant-return: 7,713
    dups = round(compiled * g.duplicates / emitted)
    const = round(compiled * g.const_return / emitted)
    items = round(compiled * g.workqueue_items / g.compiled)
    return {"compiled_as_reported": as_reported, "compiled": compiled,
            "offsets_reading": round(FPTR_LIST_MB * 1e6 / 4), "global_slots": slots, "got_slots": got,
            "global_targets": slots - got, "submitted": compiled + dups + const, "duplicates": dups,
            "const_return": const, "workqueue_items": items,
            "duplicate_references": round(items * g.duplicate_references / g.workqueue_items),
            "glmakie_emitted": emitted}


def _sysimage_preset() -> Preset:
    d = sysimage_derivation()
    description = (
        f"Julia system image, sized from its figures: {SYSIMAGE_MB:g} MB image, {FPTR_LIST_MB:g} MB "
        f"function-pointer list, {GVAR_LIST_MB:g} MB global-variable list. "
        f"Derived: compiled functions = list / {POINTER_BYTES} B per entry (x86-64 pointers, Julia >= 1.12's "
        f"jl_fvar_ptrs; 32-bit offsets would give {d['offsets_reading']:,}); {FPTR_LIST_MB:g} MB / {POINTER_BYTES} B "
        f"= {d['compiled_as_reported']:,}, so assumed: {FPTR_LIST_MB:g} MB is rounded from "
        f"{FPTR_LIST_ASSUMED_MB:g} MB, "
        f"{FPTR_LIST_ASSUMED_MB * 1e6:,.0f} B / {POINTER_BYTES} B = {d['compiled']:,} compiled, one entry each. "
        f"Derived: global slots = {GVAR_LIST_MB:g} MB / {POINTER_BYTES} B = {d['global_slots']:,}: "
        f"{d['got_slots']} PLT GOT slots (one per runtime function) + {d['global_targets']:,} global targets, all used. "
        f"Assumed, GLMakie's proportions: submitted {d['submitted']:,} = {d['compiled']:,} x 10,347 / "
        f"{d['glmakie_emitted']:,}, of which {d['duplicates']:,} duplicates (104 / 10,347) and "
        f"{d['const_return']:,} constant-return (2,530 / 10,347), none without source; workqueue items "
        f"{d['workqueue_items']:,} = {d['compiled']:,} x 9,970 / 7,710, of which {d['duplicate_references']:,} "
        f"duplicate references (7,142 / 9,970 = 72%); sizes and per-function globals and runtime calls as GLMakie's; "
        f"the {SYSIMAGE_MB:g} MB sizes nothing.")
    return Preset(
        "sysimage", description,
        submitted=d["submitted"], duplicates=d["duplicates"], const_return=d["const_return"], no_source=0,
        workqueue_items=d["workqueue_items"], duplicate_references=d["duplicate_references"],
        objects=d["global_targets"], globals_per_ci=1.6, externals_per_ci=0.7,
        vocabulary=_BASE_WORDS + _COMPILER_WORDS, all_slots_used=True)


PRESETS: dict[str, Preset] = {
    "glmakie": _GLMAKIE,
    "sysimage": _sysimage_preset(),
    "plotutils": Preset(
        "plotutils", "PlotUtils-sized (scaled, not measured)",
        submitted=300, duplicates=3, const_return=73, no_source=0,
        workqueue_items=290, duplicate_references=209,
        objects=180, globals_per_ci=1.5, externals_per_ci=0.6, size_max=600,
        vocabulary=_BASE_WORDS + _PLOTUTILS_WORDS),
    "plots": Preset(
        "plots", "Plots-sized (scaled, not measured)",
        submitted=560, duplicates=6, const_return=137, no_source=1,
        workqueue_items=540, duplicate_references=389,
        objects=320, globals_per_ci=1.5, externals_per_ci=0.6, size_max=800,
        vocabulary=_BASE_WORDS + _PLOTS_WORDS),
    "jll": Preset(
        "jll", "a JLL package (scaled, not measured)",
        submitted=56, duplicates=1, const_return=14, no_source=0,
        workqueue_items=52, duplicate_references=36,
        objects=40, globals_per_ci=1.5, externals_per_ci=0.8, size_max=300,
        vocabulary=_JLL_WORDS),
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise UsageError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def scaled(preset: str | Preset, scale: float) -> Preset:
    """`preset` with every count multiplied by `scale` and rounded half up; rates, shapes
    and the runtime functions stay. A ParameterError (`scale ...`) names a bad factor or
    one that leaves too little (or too much) to build a workload from."""
    p = get_preset(preset) if isinstance(preset, str) else preset
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale) or scale <= 0:
        shown = f"{scale:g}" if isinstance(scale, float) else repr(scale)
        raise ParameterError("scale", f"must be a finite number greater than 0, got {shown}")
    if scale == 1:
        return p
    counts = ("submitted", "duplicates", "const_return", "no_source", "workqueue_items", "duplicate_references",
              "objects")
    q = dataclasses.replace(p, scale=p.scale * scale, **{k: _half_up(getattr(p, k) * scale) for k in counts},
                            description=f"{p.description} Scaled by {scale:g}: every count times {scale:g}, "
                                        "rounded half up.")
    problem = q.problem()
    if problem:
        raise ParameterError("scale", f"{scale:g} leaves preset {p.name} with {problem}")
    return q


def _zipf_cum(n: int, s: float = 1.1) -> list[float]:
    acc, out = 0.0, []
    for k in range(n):
        acc += 1.0 / (k + 1) ** s
        out.append(acc)
    return out


def _pick(rng: random.Random, cum: list[float]) -> int:
    return min(len(cum) - 1, bisect.bisect_left(cum, rng.random() * cum[-1]))


def _count(rng: random.Random, mean: float, cap: int) -> int:
    """A small heavy-ish count with the given mean (geometric), at most `cap`."""
    if mean <= 0:
        return 0
    p = 1.0 / (1.0 + mean)
    k = 0
    while rng.random() > p and k < cap:
        k += 1
    return k


def _name(rng: random.Random, vocab: tuple[str, ...], cum: list[float]) -> str:
    word = vocab[_pick(rng, cum)]
    if rng.random() < 0.05:  # keyword sorters and closures: #plot!#12
        return f"#{word}#{rng.randrange(1, 400)}"
    return word


def synthesize(preset: str | Preset, seed: int = 0) -> Workload:
    """Generate the preset's workload; the same seed gives the same workload."""
    p = get_preset(preset) if isinstance(preset, str) else preset
    problem = p.problem()
    if problem:
        raise UsageError(f"preset {p.label}: inconsistent figures: {problem}")
    rng = random.Random(f"pcodegen-synth:{p.label}:{seed}")
    vocab = p.vocabulary or _BASE_WORDS
    vocab_cum = _zipf_cum(len(vocab), 0.9)

    # --- runtime objects -------------------------------------------------------------
    objects = []
    kinds = ("value",) * 8 + ("type",) * 7 + ("method",) * 3 + ("binding",) * 2
    for k in range(p.objects):
        kind = rng.choice(kinds)
        mod = rng.choice(_MODULES)
        if kind == "type":
            name = f"{mod}.{rng.choice(_TYPES)}"
        elif kind == "method":
            name = f"{mod}.{rng.choice(vocab).lstrip('#')}"
        elif kind == "binding":
            name = f"{mod}.{rng.choice(('x', 'cache', 'theme', 'CURRENT', 'defaults', 'lock', 'registry'))}"
        else:
            name = f"value{k}"
        objects.append(RuntimeObject(k, kind, name))

    # --- statuses in submission order ------------------------------------------------
    n = p.submitted
    statuses = ["compiled"] * n
    pool = list(range(n))
    rng.shuffle(pool)
    cut = 0
    for status, count in (("duplicate", p.duplicates), ("const_return", p.const_return), ("no_source", p.no_source)):
        chosen = []
        while len(chosen) < count:
            i = pool[cut]
            cut += 1
            if status == "duplicate" and i == 0:
                pool.append(i)  # nothing earlier to duplicate
                continue
            chosen.append(i)
        for i in chosen:
            statuses[i] = status
    if statuses[0] == "duplicate":  # pragma: no cover - excluded above
        raise AssertionError

    cis: list[CodeInstance] = []
    for i in range(n):
        name = _name(rng, vocab, vocab_cum)
        size = min(p.size_max, int(p.size_min * (1.0 - rng.random()) ** (-1.0 / p.size_alpha)))
        cis.append(CodeInstance(i, name, size))
    for i, st in enumerate(statuses):
        ci = cis[i]
        if st == "const_return":
            ci.const_return = True
            ci.size = rng.randrange(1, 4)
        elif st == "no_source":
            ci.has_source = False

    compiled = [i for i in range(n) if statuses[i] == "compiled"]
    m = len(compiled)
    if m != p.compiled:  # pragma: no cover - arithmetic above
        raise AssertionError((m, p.compiled))

    # --- call edges among compiled CodeInstances (positions in `compiled`) ------------
    U, W = p.unique_callees, p.workqueue_items
    targets = sorted(rng.sample(range(m - 1), U))
    edges: set[tuple[int, int]] = set()
    out: dict[int, list[int]] = {}
    hits: list[int] = []  # one entry per edge: preferential attachment

    def add(c: int, t: int) -> bool:
        if (c, t) in edges or t >= c:
            return False
        edges.add((c, t))
        out.setdefault(c, []).append(t)
        hits.append(t)
        return True

    for t in targets:  # every target is called at least once, by a near caller
        while True:
            c = min(m - 1, t + 1 + int(rng.expovariate(1 / 6.0)))
            if add(c, t):
                break
    # callers of the remaining edges: bigger functions make more calls
    first_t = targets[0]
    callers = [c for c in range(first_t + 1, m)]
    weights, acc = [], 0.0
    for c in callers:
        acc += cis[compiled[c]].size ** 0.7
        weights.append(acc)
    remaining = W - U
    while remaining > 0:
        c = callers[min(len(callers) - 1, bisect.bisect_left(weights, rng.random() * weights[-1]))]
        below = bisect.bisect_left(targets, c)  # targets[:below] are < c
        for _ in range(20):
            if rng.random() < 0.45:
                t = hits[rng.randrange(len(hits))]
            else:
                j = below - 1 - int(rng.expovariate(1 / 8.0))
                t = targets[max(0, j)]
            if t < c and add(c, t):
                remaining -= 1
                break

    # --- fill in compiled CodeInstances ------------------------------------------------
    fns = runtime_functions()
    popular_fns = sorted(fns, key=lambda f: (f not in _POPULAR_FNS, _POPULAR_FNS.index(f) if f in _POPULAR_FNS else 0, f))
    fn_cum = _zipf_cum(len(popular_fns), 1.2)
    obj_cum = _zipf_cum(p.objects, 1.0)
    for pos, i in enumerate(compiled):
        ci = cis[i]
        ci.callees = [compiled[t] for t in sorted(out.get(pos, []), reverse=True)]
        k = _count(rng, p.globals_per_ci, 16)
        globs: list[int] = []
        home = int(pos / m * p.objects)
        while len(globs) < min(k, p.objects):
            if rng.random() < 0.4:
                g = _pick(rng, obj_cum)  # popular objects (low ids)
            else:
                g = min(p.objects - 1, max(0, home + int(rng.gauss(0, 12))))
            if g not in globs:
                globs.append(g)
        ci.globals = globs
        k = _count(rng, p.externals_per_ci, 6)
        exts: list[str] = []
        while len(exts) < k:
            f = popular_fns[_pick(rng, fn_cum)]
            if f not in exts:
                exts.append(f)
        ci.externals = exts
    if p.all_slots_used:
        _use_every_slot(rng, p, cis, compiled)

    # --- duplicates copy an earlier, non-duplicate CodeInstance -----------------------
    for i, st in enumerate(statuses):
        if st != "duplicate":
            continue
        j = rng.randrange(i)
        while statuses[j] == "duplicate":
            j = rng.randrange(i) if j == 0 else j - 1
        orig = cis[j]
        cis[i] = CodeInstance(i, orig.name, orig.size, list(orig.callees), list(orig.globals),
                              list(orig.externals), False, j, True)

    return Workload(cis, objects, p.label, seed)


def _use_every_slot(rng: random.Random, p: Preset, cis: list[CodeInstance], compiled: list[int]) -> None:
    """Give every object of the pool and every runtime function a use, so the workload's
    global slots are exactly the objects plus the runtime functions. An unused object
    goes to the compiled CodeInstance whose neighbourhood it belongs to."""
    m = len(compiled)
    used = {g for i in compiled for g in cis[i].globals}
    for g in range(p.objects):
        if g not in used:
            cis[compiled[min(m - 1, int((g + 0.5) / p.objects * m))]].globals.append(g)
    called = {e for i in compiled for e in cis[i].externals}
    for f in runtime_functions():
        if f not in called:
            cis[compiled[rng.randrange(m)]].externals.append(f)


_POPULAR_FNS = [
    "jl_box_int64", "jl_apply_generic", "jl_alloc_array_1d", "jl_gc_pool_alloc", "jl_f_getfield",
    "jl_get_binding_or_error", "jl_f_tuple", "jl_throw", "jl_invoke", "jl_array_grow_end",
    "jl_box_float64", "jl_isa", "jl_subtype", "jl_new_structv", "jl_eqtable_get",
]
