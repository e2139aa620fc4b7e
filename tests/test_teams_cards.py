"""Teams cards as the official Adaptive Cards renderer reads them: every element and value
known to it, in version 1.4, for short and long messages and sheet text full of markdown.

Marked ``engines``: deselected by default, run by ``.ci/run``, which installs the npm package
``adaptivecards`` and says where in ``ADAPTIVECARDS``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from sheetmentor.outbound.chat import ChatMessage, Section, teams_payloads

pytestmark = pytest.mark.engines
SCRIPT = Path(__file__).with_name("engines") / "adaptive_cards.cjs"


def renderer_problems(payloads: list[dict]) -> list[str]:
    library = os.environ.get("ADAPTIVECARDS")
    assert library and Path(library).is_file(), (
        "set ADAPTIVECARDS to the npm package adaptivecards' dist/adaptivecards.js, as .ci/run does"
    )
    run = subprocess.run(
        ["node", str(SCRIPT)],
        input=json.dumps(payloads),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "ADAPTIVECARDS": library},
    )
    return json.loads(run.stdout)


def test_the_checker_catches_what_teams_would_refuse() -> None:
    card = teams_payloads(ChatMessage(kind="recap", date=dt.date(2026, 12, 8), title="Recap"))[0]
    broken = json.loads(json.dumps(card))
    body = broken["attachments"][0]["content"]["body"]
    body.append({"type": "RichTextBlok", "inlines": ["x"]})
    body.append(
        {
            "type": "RichTextBlock",
            "inlines": [{"type": "TextRun", "text": "x", "weight": "Boldest"}],
        }
    )
    found = renderer_problems([broken])
    assert any("RichTextBlok" in problem for problem in found)
    assert any("Boldest" in problem for problem in found)


@pytest.mark.parametrize("lines", [3, 900])
def test_every_card_is_one_the_renderer_knows(lines: int) -> None:
    sheet_text = "[click](https://evil.example) **now** _it_ <at>Ada</at> # not a heading"
    sections = [
        Section(f"Member {m} {sheet_text}", [f"- goal {i}: {sheet_text}" for i in range(lines)])
        for m in range(3)
    ]
    message = ChatMessage(
        kind="recap",
        date=dt.date(2026, 12, 8),
        title=f"Recap {sheet_text}",
        intro=["Attended: Ada · Missed: Bo"],
        sections=sections,
    )
    payloads = teams_payloads(message)
    assert (len(payloads) > 1) == (lines > 3)
    assert renderer_problems(payloads) == []
