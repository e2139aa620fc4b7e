"""Every HTML e-mail as the mail clients' own support tables read it: doiuse-email checks the
sent HTML (after CSS inlining) against the caniemail.com data for Gmail, Outlook (Windows, Mac,
web, phones) and Apple Mail.

Marked ``engines``: deselected by default, run by ``.ci/run``, which installs doiuse-email with
npm and says where in ``DOIUSE_EMAIL``.
"""

from __future__ import annotations

import email
import json
import os
import subprocess
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from conftest import ClubFolder

pytestmark = pytest.mark.engines

SCRIPT = Path(__file__).with_name("engines") / "email_support.mjs"
# Every HTML document has a <body>; Outlook's phone apps replace it and drop its styles, so the
# templates keep theirs on a wrapping <div class="page">. Windows Mail ignores that div's
# role="main" (the landmark screen readers jump to elsewhere): harmless, so allowed too.
ALLOWED = (
    "`<body> element` is not supported by ",
    "`role attribute` is not supported by `outlook.windows-mail`",
)


def sent_html(club: ClubFolder, folder: Path, *command: str) -> list[Path]:
    before = set(club.folder.glob("outbox/**/*.eml"))
    result = club.run(*command, env={"SHEETMENTOR_NOW": "2026-12-01T15:00"})
    assert result.exit_code == 0, result.stderr
    pages = []
    for number, path in enumerate(sorted(set(club.folder.glob("outbox/**/*.eml")) - before)):
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        assert isinstance(message, EmailMessage)
        page = folder / f"{command[0]}-{number}.html"
        page.write_text(message.get_body(("html",)).get_content(), encoding="utf-8")
        pages.append(page)
    assert pages, f"{command} wrote no message"
    return pages


def test_every_e_mail_uses_only_what_gmail_outlook_and_apple_mail_support(
    demo: ClubFolder, tmp_path: Path
) -> None:
    library = os.environ.get("DOIUSE_EMAIL")
    assert library and Path(library).is_file(), (
        "set DOIUSE_EMAIL to doiuse-email's index.js (npm install doiuse-email), as .ci/run does"
    )
    pages = [
        *sent_html(demo, tmp_path, "recap", "--send", "--as-of", "2026-12-01T15:00"),
        *sent_html(demo, tmp_path, "nudge", "--send", "--as-of", "2026-12-14T09:00"),
        *sent_html(demo, tmp_path, "agenda", "--send", "--as-of", "2026-12-14"),
    ]
    run = subprocess.run(
        ["node", str(SCRIPT), *map(str, pages)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    verdicts = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(verdicts) == len(pages) >= 3 * 6
    unsupported = {
        Path(v["file"]).name: [e for e in v["errors"] if not e.startswith(ALLOWED)]
        for v in verdicts
    }
    assert unsupported == {Path(v["file"]).name: [] for v in verdicts}
