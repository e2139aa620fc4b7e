"""``sheetmentor --help`` must not import the heavy stack (ARCHITECTURE.md: the CLI imports
the library lazily).

    python bench/bench_help_import.py

Runs ``sheetmentor --help`` under ``python -X importtime`` in a fresh subprocess and reads the
import log on stderr: prints the total import time, the 10 most expensive modules (by their own
time), and a PASS/FAIL line on whether any of pandas, gspread, openpyxl, numpy, google or babel were
imported (exit code 1 on FAIL). For scale it does the same for ``import pandas`` alone, and times
the installed ``sheetmentor --help`` wall-clock (median of 5 runs) against a bare
``python -c pass``.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

FORBIDDEN = ("pandas", "gspread", "openpyxl", "numpy", "google", "babel")
HELP_CODE = (
    "from sheetmentor.cli import main; import sys; sys.argv=['sheetmentor','--help']; main()"
)
LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


@dataclass(frozen=True)
class Import:
    module: str
    self_us: int
    cumulative_us: int
    depth: int


def importtime(code: str) -> tuple[list[Import], subprocess.CompletedProcess]:
    """The modules ``code`` imports, from ``-X importtime`` on a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True
    )
    imports = []
    for line in done.stderr.splitlines():
        match = LINE.match(line)
        if match:
            self_us, cumulative_us, indent, module = match.groups()
            imports.append(Import(module, int(self_us), int(cumulative_us), len(indent) // 2))
    return imports, done


def total_ms(imports: list[Import]) -> float:
    """Every module's own time, summed: the whole import cost of the run."""
    return sum(i.self_us for i in imports) / 1000


def forbidden(imports: list[Import]) -> list[str]:
    return sorted({i.module.split(".")[0] for i in imports if i.module.split(".")[0] in FORBIDDEN})


def median_wall(command: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    help_imports, done = importtime(HELP_CODE)
    if done.returncode != 0 or "Usage:" not in done.stdout:
        print(f"FAIL: `sheetmentor --help` exited {done.returncode}")
        print(done.stderr[-2000:])
        return 1
    pandas_imports, _ = importtime("import pandas")

    print(f"python {sys.version.split()[0]}")
    print(
        f"sheetmentor --help: {len(help_imports)} modules imported, "
        f"{total_ms(help_imports):.0f} ms of import time"
    )
    print(
        f"import pandas (baseline): {len(pandas_imports)} modules, "
        f"{total_ms(pandas_imports):.0f} ms of import time"
    )
    print()
    print("10 most expensive imports of `sheetmentor --help` (own time; cumulative with children)")
    print(f"  {'module':<40} {'self ms':>8} {'cumul. ms':>10}")
    for entry in sorted(help_imports, key=lambda i: i.self_us, reverse=True)[:10]:
        print(
            f"  {entry.module:<40} {entry.self_us / 1000:>8.1f} {entry.cumulative_us / 1000:>10.1f}"
        )
    top_level = [i for i in help_imports if i.depth == 0]
    print()
    print("heaviest top-level imports (cumulative ms):")
    for entry in sorted(top_level, key=lambda i: i.cumulative_us, reverse=True)[:5]:
        print(f"  {entry.module:<40} {entry.cumulative_us / 1000:>8.1f}")

    script = Path(sys.executable).with_name("sheetmentor")
    if not script.exists():
        script = Path(shutil.which("sheetmentor") or "sheetmentor")
    help_wall = median_wall([str(script), "--help"])
    bare_wall = median_wall([sys.executable, "-c", "pass"])
    print()
    print(f"wall clock, median of 5: `sheetmentor --help` {help_wall * 1000:.0f} ms; ", end="")
    print(f"`python -c pass` {bare_wall * 1000:.0f} ms")

    found = forbidden(help_imports)
    print()
    if found:
        print(f"FAIL: `sheetmentor --help` imported {', '.join(found)}")
        return 1
    print(f"PASS: `sheetmentor --help` imported none of {', '.join(FORBIDDEN)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
