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

The `plots`, `plotutils` and `jll` presets are not measurements: they are smaller
workloads with the same proportions (about 1% duplicates, 24% constant-return, 72%
duplicate workqueue references), sized so the experiments run in seconds.

Shapes: sizes are Pareto distributed (many small functions, a few large ones);
callees always come earlier in submission order and mostly near their caller
(serialization order keeps call neighbourhoods together), with a share of popular
callees (preferential attachment, as `getindex` or `convert` are in real code);
runtime objects and runtime functions are Zipf-like popular.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass

from pcodegen.errors import UsageError
from pcodegen.julia.codegen import runtime_functions
from pcodegen.julia.workload import CodeInstance, RuntimeObject, Workload


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

    @property
    def compiled(self) -> int:
        return self.submitted - self.duplicates - self.const_return - self.no_source

    @property
    def unique_callees(self) -> int:
        return self.workqueue_items - self.duplicate_references

    def figures(self) -> dict[str, int]:
        return {
            "submitted": self.submitted, "duplicates": self.duplicates, "const_return": self.const_return,
            "no_source": self.no_source, "compiled": self.compiled, "workqueue_items": self.workqueue_items,
            "duplicate_references": self.duplicate_references,
        }


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

PRESETS: dict[str, Preset] = {
    "glmakie": Preset(
        "glmakie", "GLMakie precompile (the seed's measured figures)",
        submitted=10_347, duplicates=104, const_return=2_530, no_source=3,
        workqueue_items=9_970, duplicate_references=7_142,
        objects=5_400, globals_per_ci=1.6, externals_per_ci=0.7,
        vocabulary=_BASE_WORDS + _MAKIE_WORDS),
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
    if p.compiled < 2 or not (0 < p.unique_callees <= p.compiled - 1) or p.duplicate_references < 0:
        raise UsageError(f"preset {p.name}: inconsistent figures")
    rng = random.Random(f"pcodegen-synth:{p.name}:{seed}")
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

    return Workload(cis, objects, p.name, seed)


_POPULAR_FNS = [
    "jl_box_int64", "jl_apply_generic", "jl_alloc_array_1d", "jl_gc_pool_alloc", "jl_f_getfield",
    "jl_get_binding_or_error", "jl_f_tuple", "jl_throw", "jl_invoke", "jl_array_grow_end",
    "jl_box_float64", "jl_isa", "jl_subtype", "jl_new_structv", "jl_eqtable_get",
]
