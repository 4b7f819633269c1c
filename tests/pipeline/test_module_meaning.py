"""Module-level meaning survives the split (issue 10, part 2).

Each construct whose meaning depends on something else in the module has a case
tests/conformance/meaning_<construct>.ll (the conformance test runs every strategy on
it too). Here each case is built serially and partitioned, with every distinct plan
that any strategy makes at 2, 3 and 5 partitions (round-robin at 5 separates nearly
everything), and the programs' outputs and the objects are compared: ctor order,
comdat groups defined once, SHF_LINK_ORDER links, SHF_GNU_RETAIN, section names,
TLS symbol types and relocations, weak references, and so on. docs/module-meaning.md
has the table of what each test proves.
"""

from __future__ import annotations

import functools
import io
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection

from pcodegen.combine import link_objects
from pcodegen.ir.compile import CompileTask, compile_task
from pcodegen.graph import build_graph
from pcodegen.ir.load import load_module
from pcodegen.partition import partition
from pcodegen.partition.compare import strategy_names
from pcodegen.split import split_module

from conftest import run_cli

pytestmark = pytest.mark.slow  # end to end on real modules: `pytest -m "not slow"` leaves it out

CONFORMANCE = Path(__file__).parents[1] / "conformance"
PARTS = (2, 3, 5)
GC = ["-Wl,--gc-sections,-z,start-stop-gc"]
SHF_LINK_ORDER, SHF_GNU_RETAIN, SHF_TLS, GRP_COMDAT = 0x80, 0x200000, 0x400, 1


def case_path(case: str) -> Path:
    return CONFORMANCE / f"meaning_{case}.ll"


@functools.cache
def _loaded(case: str):
    loaded = load_module(case_path(case))
    return loaded, build_graph(loaded.ir, case)


@functools.cache
def plans(case: str) -> list:
    """Every distinct plan (by partition members) any strategy makes at PARTS."""
    _, graph = _loaded(case)
    seen: dict = {}
    for parts in PARTS:
        for strategy in strategy_names():
            plan = partition(graph, parts, strategy, parts)
            seen.setdefault(tuple(map(tuple, plan.members)), plan)
    return list(seen.values())


def _compile(texts: list[str], outdir: Path, opt: int) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(texts):
        res = compile_task(CompileTask(i, f"part-{i:03d}", text, opt=opt))
        assert res.object is not None, res
        path = outdir / f"part-{i:03d}.o"
        path.write_bytes(res.object)
        paths.append(path)
    return paths


def build_serial(case: str, outdir: Path, opt: int = 2) -> list[Path]:
    return _compile([_loaded(case)[0].text], outdir / "serial", opt)


def build_plan(case: str, plan, outdir: Path, opt: int = 2) -> list[Path]:
    name = f"{plan.strategy}-{plan.parts}-{abs(hash(tuple(map(tuple, plan.members)))) % 10**8}"
    return _compile(split_module(_loaded(case)[0].ir, plan), outdir / name, opt)


def run(objects: list[Path], link_args: list[str] = ()) -> str:
    exe = objects[0].parent / "prog"
    link_objects(objects, exe, "exe", list(link_args))
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def every_build(case: str, tmp_path: Path, opt: int = 2):
    """(label, objects) for the serial build, then for every distinct plan."""
    yield "serial", build_serial(case, tmp_path, opt)
    for plan in plans(case):
        yield f"{plan.strategy}/{plan.parts}: {plan.members}", build_plan(case, plan, tmp_path, opt)


def same_behaviour(case: str, tmp_path: Path, link_args: list[str] = (), opt: int = 2) -> str:
    """Run every build; all must print what the serial build prints. Returns that."""
    builds = iter(every_build(case, tmp_path, opt))
    _, serial = next(builds)
    expected = run(serial, link_args)
    for label, objects in builds:
        assert run(objects, link_args) == expected, label
    return expected


def separated(case: str, *names: str) -> bool:
    """Whether some plan puts `names` in pairwise different partitions."""
    return any(len({p.assignment[n] for n in names}) == len(names) for p in plans(case))


# --- ELF helpers -----------------------------------------------------------------

def elf(path: Path) -> ELFFile:
    return ELFFile(io.BytesIO(path.read_bytes()))


def symbols(path: Path, sections: bool = False) -> list[tuple[str, dict, object]]:
    """(name, symbol entry, section name, or the section itself with `sections`; None
    where undefined) of an object."""
    f = elf(path)
    out = []
    for sym in f.get_section_by_name(".symtab").iter_symbols():
        shndx = sym["st_shndx"]
        sec = f.get_section(shndx) if isinstance(shndx, int) and shndx else None
        out.append((sym.name, sym.entry, sec if sections or sec is None else sec.name))
    return out


def defined(objects: list[Path]) -> Counter:
    """Global/weak defined symbol name -> how many objects define it."""
    return Counter(n for o in objects for n, e, sec in symbols(o)
                   if sec and n and e["st_info"]["bind"] != "STB_LOCAL")


# --- constructs --------------------------------------------------------------------

CTOR_CLASSES = ["dg", "be", "acf"]  # by priority 101, 200, 65535; c and g are keyed
CTOR_UNKEYED_ORDER = ["d", "be", "af"]  # list order within a priority (unkeyed)
DTOR_CLASSES = ["wy", "xz"]  # 65535 runs before 300


def _check_structor_log(out: str) -> None:
    m = re.fullmatch(r"ctors ([a-g]+) key 7\n([w-z]+)\n", out)
    assert m, out
    ctors, dtors = m.groups()
    assert sorted(ctors) == sorted("abcdefg"), ctors  # each exactly once, keyed ones too
    at = 0
    for cls, unkeyed in zip(CTOR_CLASSES, CTOR_UNKEYED_ORDER):
        chunk = ctors[at:at + len(cls)]
        assert sorted(chunk) == sorted(cls), (ctors, cls)
        assert "".join(c for c in chunk if c in unkeyed) == unkeyed, (ctors, unkeyed)
        at += len(cls)
    assert sorted(dtors[:2]) == sorted(DTOR_CLASSES[0]) and sorted(dtors[2:]) == sorted(DTOR_CLASSES[1]), dtors


def test_structors_order(tmp_path):
    # At O0 every build runs the real structor lists; at O2 serial folds them at compile
    # time (in LangRef order). Between a keyed and an unkeyed entry of one priority the
    # order depends on how the linker sorts sections of equal priority, so only the
    # defined order is checked: priorities, then list order of the unkeyed entries.
    assert separated("structors", "llvm.global_ctors", "note", "main")
    for opt in (0, 2):
        for label, objects in every_build("structors", tmp_path / f"O{opt}", opt):
            _check_structor_log(run(objects))
    # the keyed lists stay in the object that defines their key's comdat
    for plan in plans("structors"):
        owner = plan.assignment
        assert owner["llvm.global_ctors"] == owner["llvm.global_dtors"] == owner["key_var"]


def _groups(path: Path) -> dict[str, tuple[int, set[str]]]:
    """Group signature -> (flags, names of the member sections)."""
    f = elf(path)
    symtab = f.get_section_by_name(".symtab")
    out = {}
    for sec in f.iter_sections():
        if sec["sh_type"] == "SHT_GROUP":
            sig = symtab.get_symbol(sec["sh_info"]).name
            words = [int.from_bytes(sec.data()[i:i + 4], "little") for i in range(0, len(sec.data()), 4)]
            out[sig] = (words[0], {f.get_section(i).name for i in words[1:]})
    return out


COMDATS = {"any_grp": ("any_fn", "any_data"), "nodup": ("nodup_fn", "nodup_data"), "inline_fn": ("inline_fn",)}


def test_comdat_groups_once(tmp_path):
    assert separated("comdat", "any_fn", "user_any", "user_nodup", "main")
    serial_groups = None
    for label, objects in every_build("comdat", tmp_path):
        seen: dict[str, list] = {}
        for o in objects:
            syms = {n: sec for n, _, sec in symbols(o) if sec}
            for sig, (flags, members) in _groups(o).items():
                seen.setdefault(sig, []).append(flags)
                for sym in COMDATS.get(sig, ()):  # every member in this object's group
                    assert syms.get(sym) in members, (label, sig, sym)
        got = {sig: flags for sig, flags in seen.items() if sig in ("any_grp", "nodup")}
        assert all(len(v) == 1 for v in seen.values()), (label, seen)  # each group once
        if serial_groups is None:
            serial_groups = got
            assert got["any_grp"] == [GRP_COMDAT] and got["nodup"] == [0], got
        assert got == serial_groups, label
    assert same_behaviour("comdat", tmp_path / "run") == "12 102 15 12\n"


def test_blockaddress_behaviour(tmp_path):
    assert same_behaviour("blockaddress", tmp_path) == "20 1\n"
    for plan in plans("blockaddress"):
        owner = plan.assignment
        assert owner["table"] == owner["interp"] == owner["addr_of_dbl"]


def test_alias_ifunc(tmp_path):
    assert separated("alias_ifunc", "impl", "use_aliases", "main")
    # 1 1: alias and aliasee compare equal even where both are only declared
    assert same_behaviour("alias_ifunc", tmp_path / "run") == "707 81 30 102 1 1\n"
    for label, objects in every_build("alias_ifunc", tmp_path):
        by_name = {}
        for o in objects:
            for n, e, sec in symbols(o):
                if sec and n:
                    by_name[n] = (o, sec, e["st_value"], e["st_info"]["type"])
        for alias, target in (("impl_alias", "impl"), ("impl_alias2", "impl"), ("exported", "hidden_impl")):
            a, t = by_name[alias], next(v for k, v in by_name.items() if k.split(".pcg.")[0] == target)
            assert a[:3] == t[:3], (label, alias, a, t)  # same object, section and address
        assert by_name["square"][3] in ("STT_GNU_IFUNC", "STT_LOOS"), label  # 10, as pyelftools names it


def test_used_and_compiler_used(tmp_path):
    # llvm.used keeps reg_a, reg_c through the linker's GC too (SHF_GNU_RETAIN);
    # llvm.compiler.used keeps reg_b only from the compiler; reg_d is in neither.
    assert separated("used", "reg_a", "reg_b", "reg_c")
    assert same_behaviour("used", tmp_path / "gc", GC) == "5 2 0\n"
    assert same_behaviour("used", tmp_path / "nogc") == "7 3 0\n"
    for label, objects in every_build("used", tmp_path):
        flags = {n: sec["sh_flags"] for o in objects for n, _, sec in symbols(o, sections=True)
                 if sec and n in ("reg_a", "reg_b", "reg_c", "reg_d", "used_fn")}
        assert set(flags) == {"reg_a", "reg_b", "reg_c", "used_fn"}, (label, flags)
        assert {n for n, fl in flags.items() if fl & SHF_GNU_RETAIN} == {"reg_a", "reg_c", "used_fn"}, label


def test_explicit_sections(tmp_path):
    assert separated("sections", "one", "h_one") and separated("sections", "two", "main")
    assert same_behaviour("sections", tmp_path / "plain") == "1101 3 3\n"
    assert same_behaviour("sections", tmp_path / "gc", ["-Wl,--gc-sections"]) == "1101 3 3\n"
    where = None
    for label, objects in every_build("sections", tmp_path):
        got = {n.split(".pcg.")[0]: sec for o in objects for n, _, sec in symbols(o)
               if sec and (n in ("one", "two", "h_one", "h_two", "h_three", "config") or n.startswith("three"))}
        where = where or got
        assert got == where == {"one": "pcg_text", "two": "pcg_text", "three": "pcg_text", "h_one": "pcg_handlers",
                                "h_two": "pcg_handlers", "h_three": "pcg_handlers", "config": "pcg_config"}, label


def test_associated_link_order(tmp_path):
    for plan in plans("associated"):  # checked first: apart, LLVM may abort compiling
        owner = plan.assignment
        assert owner["meta_live"] == owner["live"] and owner["meta_dead"] == owner["dead"], plan.members
    for label, objects in every_build("associated", tmp_path):
        links = {}
        for o in objects:
            f = elf(o)
            syms = {n: sec for n, _, sec in symbols(o, sections=True) if sec}
            for name, target in (("meta_live", "live"), ("meta_dead", "dead")):
                if name in syms:
                    sec = syms[name]
                    assert sec["sh_flags"] & SHF_LINK_ORDER, (label, name)
                    # linked to the section holding the associated global, in this object
                    assert sec["sh_link"] and f.get_section(sec["sh_link"]) is not None, (label, name)
                    assert f.get_section(sec["sh_link"]).name == syms[target].name, (label, name)
                    links[name] = target
        assert links == {"meta_live": "live", "meta_dead": "dead"}, label
        # the linker drops a record with its associated global and keeps it with it
        exe = objects[0].parent / "prog"
        assert run(objects, ["-Wl,--gc-sections"]) == "1\n"
        kept = {n for n, _, sec in symbols(exe) if sec}
        assert {"meta_live", "live"} <= kept and not {"meta_dead", "dead"} & kept, (label, kept)


def _linker_requests(objects: list[Path]) -> tuple[set, set]:
    opts, libs = set(), set()
    for o in objects:
        f = elf(o)
        for name, into in ((".linker-options", opts), (".deplibs", libs)):
            sec = f.get_section_by_name(name)
            if sec is not None:
                words = sec.data().split(b"\0")[:-1]
                into |= set(zip(words[::2], words[1::2])) if name == ".linker-options" else set(words)
    return opts, libs


def test_linker_options(tmp_path):
    builds = iter(every_build("linker_options", tmp_path))
    _, serial = next(builds)
    expected = _linker_requests(serial)
    assert expected == ({(b"lib", b"m"), (b"pcg-key", b"pcg-value")}, {b"m", b"pthread"})
    for label, objects in builds:
        assert _linker_requests(objects) == expected, label


def test_dso_local_equivalent_no_cfi(tmp_path):
    assert separated("dso_local_equivalent", "target_a", "rel_table", "main")
    assert same_behaviour("dso_local_equivalent", tmp_path) == "6 50 70 9 90\n"


TLS_RELOCS = {"R_X86_64_TLSGD", "R_X86_64_TLSLD", "R_X86_64_DTPOFF32", "R_X86_64_GOTTPOFF", "R_X86_64_TPOFF32"}


def _tls_view(objects: list[Path]) -> tuple[dict, dict]:
    """(variable -> set of (symbol type, section has SHF_TLS) where defined,
        variable -> set of TLS relocation types against it)."""
    defs: dict = {}
    relocs: dict = {}
    for o in objects:
        f = elf(o)
        symtab = f.get_section_by_name(".symtab")
        for n, e, sec in symbols(o):
            base = n.split(".pcg.")[0]
            if base.startswith("tls_"):
                assert e["st_info"]["type"] == "STT_TLS", (o, n)  # references too
                if sec:
                    defs.setdefault(base, set()).add(bool(f.get_section_by_name(sec)["sh_flags"] & SHF_TLS))
        for sec in f.iter_sections():
            if isinstance(sec, RelocationSection):
                for r in sec.iter_relocations():
                    name = symtab.get_symbol(r["r_info_sym"]).name.split(".pcg.")[0]
                    if name.startswith("tls_"):
                        from elftools.elf.descriptions import describe_reloc_type
                        relocs.setdefault(name, set()).add(describe_reloc_type(r["r_info_type"], f))
    return defs, relocs


def test_tls_models(tmp_path):
    assert separated("tls", "tls_ld", "bump_ld", "total")
    out = same_behaviour("tls", tmp_path / "run")
    assert out == "main 3 33340 30004\nthread 1 11120 10004\nmain 1 44450 40004\n"
    builds = iter(every_build("tls", tmp_path))
    _, serial = next(builds)
    s_defs, s_relocs = _tls_view(serial)
    assert s_defs == {v: {True} for v in ("tls_gd", "tls_ld", "tls_ie", "tls_le")}
    for label, objects in builds:
        defs, relocs = _tls_view(objects)
        assert defs == s_defs, label
        for var in ("tls_ld", "tls_ie", "tls_le"):  # an explicit model is kept everywhere
            assert relocs[var] == s_relocs[var], (label, var)
        assert relocs["tls_gd"] <= TLS_RELOCS, label


def test_tls_dynamic_init_weak_reference(tmp_path):
    assert separated("tls_init", "_ZTW3dyn", "__tls_init", "read_dyn")
    # dyn initialised once per thread (41 then 42), plain never calls its null _ZTH
    assert same_behaviour("tls_init", tmp_path / "run") == "82 5 1\n84 5 2\n82 5 2\n"
    for label, objects in every_build("tls_init", tmp_path):
        refs = [(e["st_info"]["bind"], sec) for o in objects for n, e, sec in symbols(o) if n == "_ZTH5plain"]
        assert refs and all(ref == ("STB_WEAK", None) for ref in refs), (label, refs)


def test_module_asm(tmp_path):
    # the asm names the internal helper_internal: it stays in the asm's partition,
    # renamed in the asm text as well when promoted
    assert any("helper_internal" in p.promoted for p in plans("module_asm"))
    assert same_behaviour("module_asm", tmp_path) == "42 1001 17 8\n"
    for plan in plans("module_asm"):
        texts = split_module(_loaded("module_asm")[0].ir, plan)
        holders = [p for p, t in enumerate(texts) if "module asm" in t]
        owner = plan.assignment
        assert holders == [owner["helper_internal"]] == [owner["read_asm_data"]], plan.members


@pytest.fixture(scope="module")
def ae_object(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("ae")
    (d / "ae.c").write_text("int ae_fn(int x) { return x * 3; }\nint ae_var = 7;\nstatic int n;\n"
                            "int ae_counter(void) { return 100 + ++n; }\n")
    subprocess.run(["cc", "-c", "-fPIC", "-o", str(d / "ae.o"), str(d / "ae.c")], check=True)
    return d / "ae.o"


def test_available_externally(tmp_path, ae_object):
    assert separated("available_externally", "ae_fn", "use_fn")
    assert same_behaviour("available_externally", tmp_path / "run", [str(ae_object)]) == "15 7 101\n"
    for label, objects in every_build("available_externally", tmp_path):
        d = defined(objects)
        assert d["ae_fn"] == d["ae_var"] == 0, label  # never emitted: the real ones are elsewhere


def test_discardable(tmp_path):
    assert separated("discardable", "lo_fn", "user_a", "user_c")
    assert same_behaviour("discardable", tmp_path / "run") == "17 11 3 16\n"
    for label, objects in every_build("discardable", tmp_path):
        d = defined(objects)
        assert all(count == 1 for count in d.values()), (label, d)  # kept once, never twice
        assert not {"lo_unused", "lo_unused_var", "int_unused"} & set(d), label


def test_exceptions_across_partitions(tmp_path):
    assert separated("exceptions", "thrower", "middle", "catcher")
    assert separated("exceptions", "my_personality", "catcher")
    assert same_behaviour("exceptions", tmp_path, ["-lstdc++"]) == "40 -3 0 2\n"


CLI_CASES = {
    "structors": [], "comdat": [], "alias_ifunc": [], "used": GC, "associated": ["-Wl,--gc-sections"], "sections": [],
    "tls": [], "tls_init": [], "module_asm": [], "exceptions": ["-lstdc++"], "discardable": [],
    "dso_local_equivalent": [], "blockaddress": [],
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_serial_and_partitioned_agree(case, tmp_path):
    """The real command line, serial against round-robin at 4 partitions (O2)."""
    outs = []
    for mode in (["--serial"], ["--parts", "4", "--strategy", "round-robin", "--workers", "2"]):
        exe = tmp_path / ("serial" if mode[0] == "--serial" else "parts")
        proc = run_cli("compile", case_path(case), *mode, "--link", "exe", "-o", exe, "-q",
                       *(f"--link-arg={a}" for a in CLI_CASES[case]))
        assert proc.returncode == 0, proc.stderr
        outs.append(subprocess.run([str(exe)], capture_output=True, text=True, timeout=30, check=True).stdout)
    if case == "structors":
        _check_structor_log(outs[0])
        _check_structor_log(outs[1])
    else:
        assert outs[0] == outs[1]
