"""`pcodegen validate` passes real outputs and catches outputs broken on purpose."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import build, needs_clang, run_cli
from pcodegen.validate.symbols import symbols_of_object


def _compile(bc: Path, out: Path, parts: int = 3) -> Path:
    proc = run_cli("compile", bc, "--parts", parts, "--strategy", "round-robin", "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out


@needs_clang
@pytest.mark.slow
def test_clean_output_validates(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    bc = sample_modules["registry"]
    out = _compile(bc, tmp_path / "ok")
    proc = run_cli("validate", out, "--input", bc, "--json")
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["ok"] is True


@needs_clang
@pytest.mark.slow
def test_deleted_partition_is_reported(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    bc = sample_modules["registry"]
    out = _compile(bc, tmp_path / "broken")
    victim = out / "part-001.o"
    lost = {s for s, i in symbols_of_object(victim.read_bytes()).defined.items() if i.binding != "local"}
    victim.unlink()
    proc = run_cli("validate", out, "--input", bc, "--json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert not report["ok"]
    missing = {s for s, _ in report["undefined"]} | set(report["lost"])
    assert missing and missing <= lost | {s for s in missing if ".pcg." in s}
    assert "problem" in run_cli("validate", out, "--input", bc).stderr


@needs_clang
@pytest.mark.slow
def test_duplicated_partition_is_reported(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    bc = sample_modules["registry"]
    out = _compile(bc, tmp_path / "dup")
    shutil.copy(out / "part-000.o", out / "part-000-copy.o")
    proc = run_cli("validate", out, "--input", bc, "--json")
    assert proc.returncode == 1
    dups = dict((s, by) for s, by in json.loads(proc.stdout)["duplicates"])
    strong = {s for s, i in symbols_of_object((out / "part-000.o").read_bytes()).defined.items() if i.binding == "global"}
    assert set(dups) == strong
    assert all(by == ["part-000-copy.o", "part-000.o"] for by in dups.values())


@needs_clang
@pytest.mark.parametrize("triple", ["x86_64-linux-gnu", "i686-linux-gnu"])
def test_symbol_reader_agrees_with_pyelftools(tmp_path: Path, triple: str) -> None:
    """The bulk symbol-table reader gives what pyelftools' per-symbol API gives, for
    64- and 32-bit ELF: bindings, visibility, undefined references."""
    from elftools.elf.elffile import ELFFile

    src = tmp_path / "s.c"
    src.write_text("extern int ext(int); static int hidden_local(int x) { return ext(x) + 1; }\n"
                   "__attribute__((weak)) int weak_one(void) { return 2; }\n"
                   "__attribute__((visibility(\"hidden\"))) int hid(int x) { return hidden_local(x); }\n"
                   "__attribute__((visibility(\"protected\"))) int prot = 3;\nint plain(void) { return prot; }\n")
    obj = tmp_path / "s.o"
    subprocess.run([build.find_tool("clang-19"), "--target=" + triple, "-O1", "-fPIC", "-c", str(src), "-o", str(obj)],
                   check=True)
    data = obj.read_bytes()
    expected_defined, expected_undefined = {}, set()
    for sym in ELFFile(io.BytesIO(data)).get_section_by_name(".symtab").iter_symbols():
        if not sym.name or sym["st_info"]["type"] in ("STT_FILE", "STT_SECTION"):
            continue
        if sym["st_shndx"] == "SHN_UNDEF":
            expected_undefined.add(sym.name)
        else:
            expected_defined[sym.name] = (sym["st_info"]["bind"][4:].lower(),
                                          sym["st_other"]["visibility"][4:].lower())
    table = symbols_of_object(data)
    assert {k: (v.binding, v.visibility) for k, v in table.defined.items()} == expected_defined
    assert table.undefined == expected_undefined and "ext" in expected_undefined
    assert expected_defined["weak_one"] == ("weak", "default") and expected_defined["hid"][1] == "hidden"


@needs_clang
def test_object_with_extended_section_numbering(tmp_path: Path) -> None:
    """Past 65,280 sections ELF keeps the section count in section 0 and a symbol's
    section in `.symtab_shndx`; the validator must follow both, or every symbol of a
    high section looks like one address (a destructor read as the constructor beside it)."""
    from pcodegen.validate.program import object_facts

    src = tmp_path / "many.c"
    src.write_text("\n".join(f"int g{i} = {i};" for i in range(65300)) + "\nint zeroed;\n"
                   "__attribute__((constructor(200))) static void early(void) {}\n"
                   "__attribute__((destructor)) static void late(void) {}\n")
    obj = tmp_path / "many.o"
    subprocess.run([build.find_tool("clang-19"), "-c", "-O0", "-fdata-sections", "-ffunction-sections", str(src),
                    "-o", str(obj)], check=True)
    data = obj.read_bytes()
    facts = object_facts(data, obj.name)
    assert [(s.list, s.priority, s.function) for s in facts.structors] == [("ctors", 200, "early"),
                                                                            ("dtors", 65535, "late")]
    assert facts.symbols["g65299"].section_kind == "data" and facts.symbols["zeroed"].section_kind == "bss"
    assert facts.symbols["early"].at != facts.symbols["late"].at
    assert len({facts.symbols[f"g{i}"].at for i in range(65300)}) == 65300
    table = symbols_of_object(data)
    assert {f"g{i}" for i in range(65300)} <= set(table.defined) and table.defined["late"].binding == "local"


@needs_clang
@pytest.mark.slow
def test_truncated_object_is_one_line(sample_modules: dict[str, Path], tmp_path: Path) -> None:
    """An object cut short after its ELF header (its section table past the end) is
    named in one line with exit 2, by the symbol check and the program check alike."""
    bc = sample_modules["registry"]
    out = _compile(bc, tmp_path / "cut")
    victim = out / "part-001.o"
    victim.write_bytes(victim.read_bytes()[:256])
    for extra in ([], ["--symbols-only"]):
        proc = run_cli("validate", out, "--input", bc, *extra)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "part-001.o: a truncated or corrupt ELF object" in lines[0], lines


@needs_clang
def test_corrupt_group_section_is_one_line(tmp_path: Path) -> None:
    """A comdat group whose contents lie past the end of the object is reported as a
    corrupt object by name, not as a traceback from the raw read."""
    import struct

    from pcodegen.errors import UsageError
    from pcodegen.validate.program import object_facts
    from pcodegen.validate.symbols import open_elf, section_headers

    src = tmp_path / "g.cpp"
    src.write_text("inline int f() { return 1; }\nint g() { return f(); }\n")
    obj = tmp_path / "g.o"
    subprocess.run([build.find_tool("clang-19"), "-x", "c++", "-c", str(src), "-o", str(obj)], check=True)
    data = bytearray(obj.read_bytes())
    assert object_facts(bytes(data), obj.name).groups  # _Z1fv's group
    group = next(i for i, s in enumerate(section_headers(open_elf(bytes(data), obj.name), bytes(data))) if s.type == 17)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    struct.pack_into("<Q", data, shoff + 64 * group + 24, len(data) + 4096)  # Elf64_Shdr.sh_offset
    with pytest.raises(UsageError, match=r"^g\.o: a truncated or corrupt ELF object \(its comdat groups"):
        object_facts(bytes(data), obj.name)
