"""The package layout's rule, checked on the import graph: the core (everything outside
`cli/`, `julia/` and `bench/`) never imports the Julia model, the benchmarking or the
command line; and no module is named like a standard-library one."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pcodegen

PACKAGE = Path(pcodegen.__file__).resolve().parent
PRODUCTS = ("pcodegen.cli", "pcodegen.julia", "pcodegen.bench")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (function-level imports too), absolute."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return out


def _in(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_core_imports_no_product() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    core = [p for p in modules if not _in(_module_name(p), PRODUCTS) and _module_name(p) != "pcodegen.__main__"]
    assert len(core) > 20  # the walk found the package
    bad = {_module_name(p): sorted(m for m in _imports(p) if _in(m, PRODUCTS)) for p in core}
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_products_keep_to_their_rooms() -> None:
    """julia/ and bench/ use the core, never each other or the command line."""
    for product, others in (("pcodegen.julia", ("pcodegen.bench", "pcodegen.cli")),
                            ("pcodegen.bench", ("pcodegen.julia", "pcodegen.cli"))):
        for p in sorted((PACKAGE / product.split(".")[1]).rglob("*.py")):
            assert not [m for m in _imports(p) if _in(m, others)], p


def test_no_module_is_named_like_the_standard_library() -> None:
    names = {p.stem for p in PACKAGE.rglob("*.py")} | {p.name for p in PACKAGE.rglob("*") if p.is_dir()}
    assert not names & set(sys.stdlib_module_names) - {"__init__", "__main__"}
