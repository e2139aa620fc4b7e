"""The import rules of ARCHITECTURE.md hold: a module imports only modules listed above it.

The order is read from ARCHITECTURE.md itself, so the document and the code cannot drift apart:
a new module needs its line there, and an import that runs back up the flow fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "sheetmentor"
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def listed(prefix: str = "") -> list[str]:
    """Module names of ARCHITECTURE.md's lists (``- `name` — …``), in order."""
    names = re.findall(r"^- `([\w.]+)` — ", ARCHITECTURE, flags=re.M)
    if prefix:
        return [n.removeprefix(prefix) for n in names if n.startswith(prefix)]
    return [n for n in names if "." not in n]


def unit(path: Path, top: bool) -> str:
    """``memory/store.py`` is ``memory`` at the top level, ``store`` inside ``memory``."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if top:
        return parts[0]
    return parts[-1] if len(parts) > 1 else parts[0]


def imports(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports (relative imports; lazy ones too), as
    dotted names relative to ``sheetmentor``."""
    here = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = here[:-1]  # the package a relative import starts from (``__init__``'s own, too)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            if node.module:
                found.add(".".join([*base, node.module]))
            else:
                found.update(".".join([*base, alias.name]) for alias in node.names)
        elif isinstance(node, ast.Import | ast.ImportFrom) and not getattr(node, "level", 0):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [
                alias.name for alias in node.names
            ]  # fmt: skip
            for name in names:
                if name and name.startswith("sheetmentor."):
                    found.add(name.removeprefix("sheetmentor."))
    return found


def test_every_module_has_its_line() -> None:
    order = listed()
    files = sorted(PACKAGE.rglob("*.py"))
    missing = sorted({unit(f, top=True) for f in files} - set(order))
    assert not missing, f"add a line for each of these modules to ARCHITECTURE.md: {missing}"
    inside = listed("memory.")
    missing = sorted({f.stem for f in (PACKAGE / "memory").glob("*.py")} - set(inside))
    assert not missing, f"add a line for each of these memory modules to ARCHITECTURE.md: {missing}"


def test_imports_flow_one_way() -> None:
    order = listed()
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        mine = unit(path, top=True)
        for target in imports(path):
            theirs = target.split(".")[0]
            if theirs != mine and order.index(theirs) > order.index(mine):
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert not wrong, "imports that run back up the flow:\n" + "\n".join(wrong)


def test_memory_modules_import_in_their_order() -> None:
    order = listed("memory.")
    wrong = []
    for path in sorted((PACKAGE / "memory").glob("*.py")):
        mine = path.stem
        for target in imports(path):
            if target.startswith("memory."):
                theirs = target.split(".")[1]
                if order.index(theirs) > order.index(mine):
                    wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert not wrong, "memory modules that import one listed below them:\n" + "\n".join(wrong)
