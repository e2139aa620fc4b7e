"""The HTML agenda on a projector: headless Chromium lays it out at 1280×720 and a probe script
writes what it measured into the page, which ``--dump-dom`` returns.

Marked ``browser``: deselected by default (``addopts``), run by ``.ci/run`` (which installs
Chromium when it is missing). Run here with ``pytest -m browser``; without Chromium the test
fails and says how to install it — it never skips.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ClubFolder

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 720
PROBE = """<script>
const first = document.querySelector("section.member");
const goal = first && first.querySelector("li");
document.documentElement.dataset.layout = JSON.stringify({
  width: innerWidth,
  height: innerHeight,
  members: document.querySelectorAll("section.member").length,
  first_top: first ? first.getBoundingClientRect().top : null,
  first_goal_bottom: goal ? goal.getBoundingClientRect().bottom : null,
  round_before_figures: [...document.querySelectorAll("h2")].every(
    (h) => !first || (first.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING)),
  scroll_width: document.documentElement.scrollWidth,
  font_size: parseFloat(getComputedStyle(document.body).fontSize),
});
</script>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    pytest.fail("Chromium is needed for the layout test: apt-get install -y chromium")


def layout(page: Path, profile: Path) -> dict:
    """The probe's measurements of ``page`` in a 1280×720 window."""
    probed = page.with_name("probed.html")
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"))
    done = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{HEIGHT}",
            "--virtual-time-budget=2000",
            "--dump-dom",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    match = re.search(r'data-layout="([^"]*)"', done.stdout)
    assert match, f"Chromium returned no layout (exit {done.returncode}): {done.stderr[-1000:]}"
    return json.loads(html.unescape(match.group(1)))


def test_demo_agenda_fits_a_projector(demo: ClubFolder, tmp_path: Path) -> None:
    page = tmp_path / "agenda.html"
    result = demo.run("agenda", "--as-of", "2026-11-30", "--format", "html", "-o", str(page))
    assert result.exit_code == 0, result.stderr
    seen = layout(page, tmp_path / "profile")
    assert seen["width"] == WIDTH and seen["members"] == 6
    assert seen["round_before_figures"]
    # The first member's section, and its first goal, show without scrolling (the window's
    # inner height is what is left of 720 pixels after the browser's own frame).
    assert 0 < seen["first_top"] < seen["first_goal_bottom"] <= seen["height"] <= HEIGHT
    assert seen["scroll_width"] <= WIDTH  # nothing wider than the screen
    assert seen["font_size"] >= 16  # readable from the back of the room


def test_a_crowded_header_still_leaves_the_round_above_the_fold(
    club: ClubFolder, tmp_path: Path
) -> None:
    """A cap warning, a long note from the last meeting and an absence: the header grows, the
    first member's section still starts on the first screen."""
    notes = "We agreed on a lot of things. " * 20
    meetings = [["Date", "Attended", "Notes"], ["2026-11-17", "Ada Okonkwo", notes]]
    club.write(meetings=meetings, config={"club": {"cap": 1}})
    page = tmp_path / "agenda.html"
    result = club.run("agenda", "--as-of", "2026-11-30", "--format", "html", "-o", str(page))
    assert result.exit_code == 0, result.stderr
    assert "above the club&#39;s cap" in page.read_text(encoding="utf-8")
    seen = layout(page, tmp_path / "profile")
    assert 0 < seen["first_top"] < seen["first_goal_bottom"] <= seen["height"]
    assert seen["scroll_width"] <= WIDTH
