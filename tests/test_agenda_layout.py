"""The HTML agenda on a projector and every HTML e-mail on a phone: headless Chromium lays each
out (1280×720; 390×844, an iPhone's viewport, as a phone does) and a probe script measures it.

Marked ``browser``: deselected by default (``addopts``), run by ``.ci/run`` (which installs
Chromium when it is missing). Run here with ``pytest -m browser``; without Chromium the test
fails and says how to install it — it never skips. Each page's screenshot is left beside it in
the test's temporary folder.
"""

from __future__ import annotations

import email
import os
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from browser import Browser
from conftest import ClubFolder

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 720
PHONE_WIDTH, PHONE_HEIGHT = 390, 844
PROBE = """(() => {
const first = document.querySelector(".member");
const goal = first && first.querySelector("li");
return {
  width: innerWidth,
  height: innerHeight,
  members: document.querySelectorAll(".member").length,
  first_top: first ? first.getBoundingClientRect().top : null,
  first_goal_bottom: goal ? goal.getBoundingClientRect().bottom : null,
  round_before_figures: [...document.querySelectorAll("h2:not(.person)")].every(
    (h) => !first || (first.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING)),
  scroll_width: document.documentElement.scrollWidth,
  font_size: parseFloat(getComputedStyle(document.querySelector(".page")).fontSize),
  smallest_text: Math.min(...[...document.body.querySelectorAll("*")]
    .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
    .map((e) => parseFloat(getComputedStyle(e).fontSize))),
  headings: [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => +h.tagName[1]),
};
})()"""


def layout(
    page: Path, profile: Path, width: int = WIDTH, height: int = HEIGHT, *, mobile: bool = False
) -> dict:
    """The probe's measurements of ``page`` in a viewport of that size; next to the page, a
    screenshot of it (``<page>.png``) for a person to look at."""
    with Browser(profile) as browser:
        return browser.measure(
            page,
            PROBE,
            width=width,
            height=height,
            mobile=mobile,
            screenshot=page.with_suffix(".png"),
        )


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


def sent_html(demo: ClubFolder, *commands: tuple[str, ...]) -> dict[str, str]:
    """The HTML part of the first message each command wrote to the demo's outbox, by command."""
    pages = {}
    for command in commands:
        before = set(demo.folder.glob("outbox/**/*.eml"))
        result = demo.run(*command, env={"SHEETMENTOR_NOW": "2026-12-01T15:00"})
        assert result.exit_code == 0, result.stderr
        written = sorted(set(demo.folder.glob("outbox/**/*.eml")) - before)
        assert written, f"{command} wrote no message"
        message = email.message_from_bytes(written[0].read_bytes(), policy=default)
        assert isinstance(message, EmailMessage)
        pages[command[0]] = message.get_body(("html",)).get_content()
    return pages


def every_page(demo: ClubFolder, tmp_path: Path) -> dict[str, str]:
    """The HTML agenda page and the HTML part of the recap, nudge and agenda e-mails."""
    agenda = tmp_path / "agenda.html"
    result = demo.run("agenda", "--as-of", "2026-11-30", "--format", "html", "-o", str(agenda))
    assert result.exit_code == 0, result.stderr
    return {"agenda page": agenda.read_text(encoding="utf-8")} | sent_html(
        demo,
        ("recap", "--send", "--as-of", "2026-12-01T15:00"),
        ("nudge", "--send", "--as-of", "2026-12-14T09:00"),
        ("agenda", "--send", "--as-of", "2026-12-14"),
    )


@pytest.mark.parametrize("language", ["en", "pt-BR", "es", "de"])  # the longest words
def test_every_page_and_e_mail_reads_on_a_phone(
    demo: ClubFolder, tmp_path: Path, language: str
) -> None:
    text = demo.config_path.read_text(encoding="utf-8")
    demo.write_config(text.replace("  cap: 10\n", f"  cap: 10\n  language: {language}\n", 1))
    pages = every_page(demo, tmp_path)
    assert set(pages) == {"agenda page", "recap", "nudge", "agenda"}
    for name, text in pages.items():
        page = tmp_path / f"{name.replace(' ', '-')}.html"
        page.write_text(text, encoding="utf-8")
        profile = tmp_path / f"profile-{page.stem}"
        seen = layout(page, profile, PHONE_WIDTH, PHONE_HEIGHT, mobile=True)
        # The page is laid out at the phone's width (without a viewport, at 980 px and shrunk).
        assert seen["width"] == PHONE_WIDTH, name
        assert seen["scroll_width"] <= PHONE_WIDTH, name  # no sideways scrolling
        assert seen["smallest_text"] >= 14, name
        levels = seen["headings"]
        assert all(b <= a + 1 for a, b in zip([0, *levels], levels, strict=False)), (name, levels)


AXE = """axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]})
  .then((r) => r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`))"""


def test_axe_core_finds_no_accessibility_violation(demo: ClubFolder, tmp_path: Path) -> None:
    """axe-core (what browsers' accessibility audits run) on the agenda page and each e-mail,
    at a phone's width: WCAG 2.1 AA and its best practices (headings in order, a language,
    contrast, landmarks)."""
    library = os.environ.get("AXE_CORE")
    assert library and Path(library).is_file(), (
        "set AXE_CORE to axe-core's axe.min.js (npm install axe-core), as .ci/run does"
    )
    pages = every_page(demo, tmp_path)
    found = {}
    with Browser(tmp_path / "profile") as browser:
        for name, text in pages.items():
            page = tmp_path / f"axe-{name.replace(' ', '-')}.html"
            page.write_text(text, encoding="utf-8")
            found[name] = browser.measure(
                page,
                AXE,
                width=PHONE_WIDTH,
                height=PHONE_HEIGHT,
                mobile=True,
                library=Path(library),
            )
    assert found == {name: [] for name in pages}
