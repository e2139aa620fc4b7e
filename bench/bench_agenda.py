"""``sheetmentor agenda`` on the demo club against the import floor of the libraries it uses.

    python bench/bench_agenda.py [--runs 7] [--format markdown] [--language fr]

The floor is a fresh ``python -c "import pandas, jinja2, …"`` of exactly the third-party
packages the agenda run imports (read from a ``-X importtime`` run of the command, so the list
follows the code). Each of ``--runs`` pairs runs the floor, then the full command on a copy of
the demo club (the copy's meeting history was made by a warm-up run, so every timed run does the
same work: read, compare with the history, render, record). Prints the medians of wall time and
of CPU time (user + system, which other work on the machine barely moves) and their ratios; the
target is 1.1× or less. With ``--language``, each pair also runs the agenda of a second copy
of the demo club whose ``club.language`` is that language (its catalog read, Babel's dates and
numbers), and prints its medians against the English agenda's (the target is 1.05× or less).
Exits non-zero only when a run fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo-club"
NOT_LIBRARIES = {"sheetmentor", "sitecustomize", "usercustomize"}
LINE = re.compile(r"import time:\s+\d+\s+\|\s+\d+\s+\|\s*(\S+)$")


def agenda_code(config: Path, format: str) -> str:
    argv = ["sheetmentor", "--config", str(config), "agenda", "--as-of", "2026-11-30"]
    argv += ["--format", format]
    return f"import sys; sys.argv={argv!r}; from sheetmentor.cli import main; main()"


def libraries(code: str) -> list[str]:
    """The top-level third-party modules ``code`` imports (not stdlib, not sheetmentor)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"the agenda run failed:\n{done.stderr[-2000:]}")
    found = []
    for line in done.stderr.splitlines():
        match = LINE.match(line)
        if match:
            top = match.group(1).split(".")[0]
            if top.startswith("_") or top in sys.stdlib_module_names or top in NOT_LIBRARIES:
                continue
            if importlib.util.find_spec(top) is not None:  # `org`: a failed probe by `copy`
                found.append(top)
    return sorted(set(found))


def timed(code: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system, from the child's own rusage) of one fresh run.
    CPU time barely moves when other work shares the machine; wall time does."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: python -c {code!r}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--format", default="markdown", choices=["markdown", "html", "text"])
    parser.add_argument("--language", help="also time the agenda in this club.language (fr)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        club = Path(folder) / "demo-club"
        shutil.copytree(DEMO, club, ignore=shutil.ignore_patterns(".sheetmentor", "outbox"))
        command = agenda_code(club / "sheetmentor.yaml", options.format)
        imported = libraries(command)  # also the warm-up: it starts the meeting history
        floor_code = f"import {', '.join(imported)}"
        spoken = None
        if options.language:
            other = Path(folder) / f"demo-club-{options.language}"
            shutil.copytree(DEMO, other, ignore=shutil.ignore_patterns(".sheetmentor", "outbox"))
            config = other / "sheetmentor.yaml"
            text = config.read_text(encoding="utf-8")
            config.write_text(
                text.replace("club:\n", f"club:\n  language: {options.language}\n", 1)
            )
            spoken = agenda_code(config, options.format)
            libraries(spoken)  # its warm-up
        floors, fulls, others = [], [], []
        for _ in range(options.runs):
            floors.append(timed(floor_code))
            fulls.append(timed(command))
            if spoken:
                others.append(timed(spoken))
    print(f"python {sys.version.split()[0]}, {options.runs} paired runs, --format {options.format}")
    print(f"import floor: {floor_code}")
    for label, index in (("wall", 0), ("CPU", 1)):
        floor = statistics.median(run[index] for run in floors)
        full = statistics.median(run[index] for run in fulls)
        print(
            f"{label:>4}: floor {floor * 1000:.0f} ms, agenda {full * 1000:.0f} ms (medians): "
            f"{full / floor:.2f}x (target: 1.10x or less)"
        )
        if others:
            spoken_median = statistics.median(run[index] for run in others)
            print(
                f"{label:>4}: agenda in {options.language} {spoken_median * 1000:.0f} ms against "
                f"English {full * 1000:.0f} ms: {spoken_median / full:.3f}x (target: 1.05x or less)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
