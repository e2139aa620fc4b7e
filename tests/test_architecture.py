"""The import rules of ARCHITECTURE.md hold: a module imports only modules listed above it.

The order is read from ARCHITECTURE.md itself, so the document and the code cannot drift apart:
a new module needs its line there, and an import that runs back up the flow fails here. The
rule holds at every level: between the top-level units (a package counts as one), and inside
each package between its own modules — so there is no import cycle anywhere.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "sheetmentor"
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
PACKAGES = sorted(p.parent for p in PACKAGE.rglob("__init__.py"))


def dotted(path: Path) -> str:
    """``sheetmentor/sheet/sources`` is ``sheet.sources``; the package itself is ``""``."""
    return ".".join(path.relative_to(PACKAGE).parts)


def listed(package: Path) -> list[str]:
    """The names ARCHITECTURE.md lists for ``package``'s own units (``- `name` — …`` lines),
    in order: ``clock`` at the top level, ``sheet.layout`` inside ``sheet``."""
    prefix = dotted(package) + "." if package != PACKAGE else ""
    names = re.findall(r"^- `([\w.]+)` — ", ARCHITECTURE, flags=re.M)
    inside = [n.removeprefix(prefix) for n in names if n.startswith(prefix)]
    return [n for n in inside if "." not in n]


def units(package: Path) -> set[str]:
    """The modules and sub-packages of ``package``."""
    found = {p.stem for p in package.glob("*.py")}
    return found | {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}


def imports(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports (lazy ones too), as dotted names relative
    to ``sheetmentor``; ``from sheetmentor import clock`` is ``clock``, a name of the public API
    is ``__init__``."""
    here = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            module = ".".join([*base, node.module] if node.module else base)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module != "sheetmentor" and not module.startswith("sheetmentor."):
                continue
            module = module.removeprefix("sheetmentor").removeprefix(".")
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("sheetmentor.")
                for a in node.names
                if a.name.startswith("sheetmentor.")
            )
            continue
        else:
            continue
        folder = PACKAGE.joinpath(*module.split(".")) if module else PACKAGE
        for alias in node.names:
            child = folder / alias.name
            if child.with_suffix(".py").is_file() or (child / "__init__.py").is_file():
                found.add(f"{module}.{alias.name}".lstrip("."))
            else:
                found.add(module or "__init__")
    return found


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: dotted(p) or "sheetmentor")
def test_every_module_has_its_line(package: Path) -> None:
    missing = sorted(units(package) - set(listed(package)))
    assert not missing, f"add a line for each of these modules to ARCHITECTURE.md: {missing}"


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: dotted(p) or "sheetmentor")
def test_imports_flow_one_way(package: Path) -> None:
    order = listed(package)
    prefix = dotted(package)
    wrong = []
    for path in sorted(package.rglob("*.py")):
        mine = path.relative_to(package).with_suffix("").parts[0]
        for target in imports(path):
            if prefix and target != prefix and not target.startswith(prefix + "."):
                continue
            rest = target.removeprefix(prefix).removeprefix(".")
            theirs = rest.split(".")[0] if rest else "__init__"
            if theirs != mine and order.index(theirs) > order.index(mine):
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert not wrong, "imports that run back up the flow:\n" + "\n".join(wrong)


def test_the_emulator_is_not_in_the_package() -> None:
    """The Sheets emulator is test support: the installed package never carries or imports it."""
    assert not (PACKAGE / "testing").exists()
    users = [
        str(p.relative_to(ROOT))
        for p in PACKAGE.rglob("*.py")
        if "sheetmentor_testing" in {n.split(".")[0] for n in _all_imports(p)}
    ]
    assert not users


def _all_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names
