"""`club.language`: every agenda, recap, nudge, chat post, calendar entry and table of a club
that meets in French, Spanish, Portuguese (Brazil) or German is in its language, with dates and
numbers as a native reader writes them.

The main test renders every output of the demo club over a stretch of its season (a recorded
meeting, a changed sheet, the agenda in three formats, the nudge, agenda and recap e-mails with
their subjects and HTML, the chat posts, ``status``, ``changes``, ``next`` and the calendar) in
English and in each language, and fails on any English word of the English render that is not
sheet text and that the language's own catalog does not use, on any English weekday or month
name, and on any placeholder left. The same check run on the English render must fail: the test
cannot pass on English output.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel import Locale
from babel.messages.pofile import read_po
from chat_servers import chat_servers
from conftest import DEMO, run_cli
from icalendar import Calendar
from openpyxl import load_workbook

import sheetmentor

LANGUAGES = ["fr", "es", "pt-BR", "de", "it", "nl"]
CATALOGS = Path(sheetmentor.__file__).parent / "locale"
CHAT = {
    "slack": {"webhook_env": "TEST_SLACK_WEBHOOK"},
    "discord": {"webhook_env": "TEST_DISCORD_WEBHOOK"},
    "post": ["agenda", "recap", "nudge"],
}
WORD = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W\d_])?")


def words(text: str) -> set[str]:
    """The words of ``text``, case folded (the text agenda writes headings in capitals)."""
    return {word.casefold() for word in WORD.findall(text)}


PLACEHOLDER = re.compile(r"%\(|%[sd]\b|\{\{|\{%|%\}|\}\}|\bNone\b|\bnan\b|\bNaT\b|[{}]")
PLACEHOLDERS = re.compile(r"%\(\w+\)[sd]")


def season(folder: Path, language: str) -> Path:
    """The demo club in ``folder``, speaking ``language``, posting to chat too."""
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns(".sheetmentor", "outbox"))
    config = folder / "sheetmentor.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["club"]["language"] = language
    data["chat"] = CHAT
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return config


def change_the_sheet(book_path: Path) -> None:
    """What members did between the meetings of Nov 17 and Dec 1: progress on one goal, and a
    new two-week commitment."""
    book = load_workbook(book_path)
    goals = book["Goals"]
    goals["F2"] = "80%"
    goals.append(
        [
            "Bruno Tavares",
            "Call three past clients",
            "2-wk",
            "Work",
            None,
            None,
            dt.datetime(2026, 12, 1),
            dt.datetime(2026, 12, 15),
        ]
    )
    book.save(book_path)


def run(config: Path, now: str, env: dict[str, str], *args: str) -> str:
    result = run_cli("--config", str(config), *args, env={**env, "SHEETMENTOR_NOW": now})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def chat_text(payload: Any) -> list[str]:
    """The words a chat post shows: its texts and titles, not its JSON structure."""
    if isinstance(payload, dict):
        found = []
        for key, value in payload.items():
            if key in ("text", "title", "description", "content") and isinstance(value, str):
                found.append(value)
            else:
                found += chat_text(value)
        return found
    if isinstance(payload, list):
        return [text for item in payload for text in chat_text(item)]
    return []


def readable(markup: str) -> str:
    """An HTML part as a reader sees it: no style sheet, no tags, entities decoded."""
    markup = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def every_output(config: Path) -> dict[str, str]:
    """Each output of the club over a stretch of its season, by name, as a reader sees it."""
    outputs: dict[str, str] = {}
    with chat_servers() as servers:
        env = {
            "TEST_SLACK_WEBHOOK": servers["slack"].url,
            "TEST_DISCORD_WEBHOOK": servers["discord"].url,
        }
        run(config, "2026-11-17T09:00", env, "agenda", "--as-of", "2026-11-17")
        change_the_sheet(config.parent / "club.xlsx")
        for fmt in ("markdown", "html", "text"):
            text = run(config, "2026-11-30T09:00", env, "agenda", "--format", fmt)
            outputs[f"agenda {fmt}"] = readable(text) if fmt == "html" else text
        preview = run(config, "2026-11-29T13:00", env, "nudge")
        # The preview shows each e-mail's header fields by their RFC 5322 names.
        outputs["nudge preview"] = re.sub(r"(?m)^(To|Subject): ", "", preview)
        run(config, "2026-11-29T13:00", env, "nudge", "--send")
        run(config, "2026-11-30T09:00", env, "agenda", "--send", "--date", "2026-12-01")
        outputs["recap preview"] = run(config, "2026-12-01T14:00", env, "recap")
        outputs["recap html"] = readable(
            run(config, "2026-12-01T14:00", env, "recap", "--format", "html")
        )
        run(config, "2026-12-01T14:00", env, "recap", "--send")
        outputs["status"] = run(config, "2026-12-01T14:00", env, "status", "--history")
        outputs["changes"] = run(config, "2026-12-01T14:00", env, "changes")
        outputs["next"] = run(config, "2026-12-01T14:00", env, "next")
        ics = Calendar.from_ical(run(config, "2026-12-01T14:00", env, "calendar", "--count", "2"))
        outputs["calendar"] = "\n".join(
            str(event.get(field, ""))
            for event in ics.walk("VEVENT")
            for field in ("SUMMARY", "DESCRIPTION")
        )
        for platform in ("slack", "discord"):
            for number, payload in enumerate(servers[platform].received):
                outputs[f"{platform} post {number}"] = "\n".join(chat_text(payload))
    for path in sorted((config.parent / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        parts = [str(message["Subject"])]
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                parts.append(part.get_content())
            elif part.get_content_type() == "text/html":
                parts.append(readable(part.get_content()))
        outputs[f"mail {path.stem}"] = "\n".join(parts)
    return outputs


def sheet_words(config: Path) -> set[str]:
    """Every word the club wrote itself: its workbook's cells and its config's values."""
    found = words(config.read_text(encoding="utf-8"))
    book = load_workbook(config.parent / "club.xlsx")
    for sheet in book:
        for row in sheet.iter_rows(values_only=True):
            found |= {w for cell in row if isinstance(cell, str) for w in words(cell)}
    return found | {word.upper().casefold() for word in found} | {"est", "edt"}


def translated_words(language: str) -> set[str]:
    """The words the language's catalog itself uses (a French "Club" is no leftover)."""
    path = next(
        CATALOGS / name / "LC_MESSAGES" / "sheetmentor.po"
        for name in (language.replace("-", "_"), language.split("-")[0])
        if (CATALOGS / name / "LC_MESSAGES" / "sheetmentor.po").is_file()
    )
    with path.open("rb") as po:
        catalog = read_po(po)
    found: set[str] = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            found |= words(text or "")
    # The status table heads a category's column with its first four letters ("Prof.").
    return found | {word[:4] for word in found}


def calendar_names(language: str) -> set[str]:
    """A language's weekday and month names, wide and abbreviated (CLDR), case folded."""
    locale = Locale.parse(language.replace("-", "_"))
    found = set()
    for table in (locale.days, locale.months):
        for context in table.values():
            for width in ("wide", "abbreviated"):
                found |= {str(name).rstrip(".").casefold() for name in context[width].values()}
    return found


def leftovers(
    english: dict[str, str], other: dict[str, str], language: str, sheet: set[str]
) -> list[str]:
    """What in ``other`` is still English: an English word of the English render (not sheet
    text, not a word the language's catalog uses), an English weekday or month, a placeholder.
    """
    own = calendar_names(language)  # German writes "November" and "Aug." too
    allowed = sheet | translated_words(language) | own
    months = calendar_names("en") - own
    problems = []
    assert english.keys() == other.keys(), (english.keys(), other.keys())
    for name, text in other.items():
        fixed = words(english[name]) - allowed
        for word in sorted(fixed & words(text)):
            problems.append(f"{name}: English word {word!r}")
        for word in sorted((words(text) - sheet) & months):
            problems.append(f"{name}: English date word {word!r}")
        for match in PLACEHOLDER.finditer(text):
            around = text[max(0, match.start() - 30) : match.end() + 30]
            problems.append(f"{name}: placeholder {match.group()!r} in {around!r}")
    return problems


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], set[str]]:
    config = season(tmp_path_factory.mktemp("en") / "club", "en")
    return every_output(config), sheet_words(config)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_output_is_in_the_clubs_language(
    tmp_path: Path, english: tuple[dict[str, str], set[str]], language: str
) -> None:
    outputs, sheet = english
    assert len([name for name in outputs if name.startswith("mail ")]) >= 3
    assert any(name.startswith("slack post") for name in outputs)
    # The check bites: the English render itself is full of leftovers.
    assert len(leftovers(outputs, outputs, language, sheet)) > 20
    config = season(tmp_path / "club", language)
    translated = every_output(config)
    assert leftovers(outputs, translated, language, sheet) == []


def test_french_dates_numbers_and_plurals_as_a_french_reader_writes_them(
    tmp_path: Path,
) -> None:
    config = season(tmp_path / "club", "fr")
    env = {"SHEETMENTOR_NOW": "2026-11-30T09:00"}
    agenda = run_cli("--config", str(config), "agenda", env=env).stdout
    assert "ordre du jour du mardi 1 décembre 2026" in agenda
    assert "60\u00a0%" in agenda  # CLDR's French percent: a no-break space before the sign
    assert "reporté depuis 1 réunion (prévu le 17 nov.)" in agenda
    assert "reporté depuis 2 réunions (prévu le 3 nov.)" in agenda
    assert "12:05" in agenda
    german = season(tmp_path / "de", "de")
    text = run_cli("--config", str(german), "agenda", "--format", "text", env=env).stdout
    assert "Tagesordnung für Dienstag, 1. Dezember 2026" in text
    assert "60\u00a0%" in text


def test_a_copied_template_keeps_speaking_the_clubs_language(tmp_path: Path) -> None:
    config = season(tmp_path / "club", "es")
    mine = tmp_path / "club" / "my-templates"
    mine.mkdir()
    builtin = Path(sheetmentor.__file__).resolve().parents[1] / "templates"
    source = (builtin / "agenda.md.j2").read_text(encoding="utf-8")
    (mine / "agenda.md.j2").write_text("<!-- our own -->\n" + source, encoding="utf-8")
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["templates"] = "my-templates"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli("--config", str(config), "agenda", env={"SHEETMENTOR_NOW": "2026-11-30"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!-- our own -->")
    assert "orden del día del martes, 1 de diciembre de 2026" in result.stdout
    assert "Ronda de la mesa" in result.stdout


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("klingon-xx-yy", "is not a language tag"),
        ("ja", 'no translation for "ja"'),
        ("", "is not a language tag"),
    ],
)
def test_a_language_sheetmentor_cannot_speak_is_a_config_error(
    tmp_path: Path, value: str, says: str
) -> None:
    config = season(tmp_path / "club", "fr")
    text = config.read_text(encoding="utf-8").replace("language: fr", f"language: '{value}'")
    config.write_text(text, encoding="utf-8")
    result = run_cli("--config", str(config), "agenda")
    assert result.exit_code == 2
    assert "club.language" in result.stderr and says in result.stderr
    assert "line" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_check_stays_english(tmp_path: Path) -> None:
    config = season(tmp_path / "club", "de")
    result = run_cli("--config", str(config), "check")
    assert "active member" in result.stdout


def test_catalogs_are_complete() -> None:
    """Every message of the template (``sheetmentor.pot``) is translated in every catalog,
    none fuzzy, with the same placeholders."""
    with (CATALOGS / "sheetmentor.pot").open("rb") as pot:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    for language in LANGUAGES:
        path = CATALOGS / language.replace("-", "_") / "LC_MESSAGES" / "sheetmentor.po"
        with path.open("rb") as po:
            catalog = read_po(po)
        have = {}
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings) and not message.fuzzy, (language, key)
            for text in strings:
                assert set(PLACEHOLDERS.findall(text)) == set(PLACEHOLDERS.findall(key)), text
            have[key] = strings
        assert set(have) == wanted, (language, wanted ^ set(have))


def test_json_output_is_not_translated(tmp_path: Path) -> None:
    """Machine formats keep their keys and values: only words for people are translated."""
    config = season(tmp_path / "club", "fr")
    result = run_cli("--config", str(config), "status", "--format", "json")
    data = json.loads(result.stdout)
    assert "two-week" in json.dumps(data)


def test_the_library_renders_in_the_configs_language(tmp_path: Path) -> None:
    """``sheetmentor.render_agenda`` (the documented API) speaks ``club.language`` as the CLI
    does, and leaves the caller's language as it was."""
    config = sheetmentor.load_config(season(tmp_path / "club", "pt-BR"))
    club = sheetmentor.read_club(config)
    text = sheetmentor.render_agenda(config, club, as_of=dt.date(2026, 11, 30))
    assert "pauta de terça-feira, 1 de dezembro de 2026" in text
    assert "Rodada da mesa" in text
    english = sheetmentor.load_config(season(tmp_path / "en", "en"))
    again = sheetmentor.render_agenda(english, club, as_of=dt.date(2026, 11, 30))
    assert "agenda for Tuesday, December 1, 2026" in again


def test_the_message_template_holds_every_message_of_the_code(tmp_path: Path) -> None:
    """``sheetmentor.pot`` is what ``pybabel extract`` (templates/README.md's command) finds in
    the code and templates today, so a catalog made from it misses nothing."""
    from babel.messages.frontend import CommandLineInterface

    root = Path(sheetmentor.__file__).resolve().parents[1]
    fresh = tmp_path / "fresh.pot"
    keywords = ["-k", "N_", "-k", "_", "-k", "ngettext:1,2"]
    options = ["--no-location", "--sort-output", "-o", str(fresh), str(root)]
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), *keywords, *options]
    )

    def ids(path: Path) -> set[Any]:
        with path.open("rb") as pot:
            return {message.id for message in read_po(pot) if message.id}

    assert ids(fresh) == ids(CATALOGS / "sheetmentor.pot")


def test_a_damaged_compiled_catalog_is_compiled_again(tmp_path: Path) -> None:
    """The compiled catalog lives in the user's cache folder; a damaged one (a full disk, an
    edit by hand) is replaced, never shown to the reader."""
    config = season(tmp_path / "club", "fr")
    cache = tmp_path / "cache"
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache), "SHEETMENTOR_NOW": "2026-11-30"}
    environment["PYTHONPATH"] = str(Path(sheetmentor.__file__).resolve().parents[1])
    command = [sys.executable, "-m", "sheetmentor", "--config", str(config), "agenda"]
    subprocess.run(command, env=environment, capture_output=True, check=True)  # records history
    first = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    (compiled,) = (cache / "sheetmentor" / "catalogs").glob("fr-*.mo")
    compiled.write_bytes(b"not a catalog")
    again = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    assert again.stdout == first.stdout and "Tour de table" in again.stdout
    assert again.stderr == ""
    assert compiled.read_bytes().startswith(b"\xde\x12\x04\x95")  # a GNU .mo file again


def test_a_french_chat_post_reads_as_french(tmp_path: Path) -> None:
    config = season(tmp_path / "club", "fr")
    with chat_servers() as servers:
        env = {
            "TEST_SLACK_WEBHOOK": servers["slack"].url,
            "TEST_DISCORD_WEBHOOK": servers["discord"].url,
        }
        run(config, "2026-11-30T09:00", env, "agenda", "--send", "--date", "2026-12-01")
        (payload,) = servers["slack"].received
    text = "\n".join(chat_text(payload))
    assert "Personal Branding Club, ordre du jour — mar. 1 déc." in text
    assert "Animation\u00a0: Farid Haddad" in text
    assert "Submit a talk abstract to PyCon\u00a0: fait" in text
    assert "Rewrite LinkedIn headline and About section\u00a0: en cours, 60\u00a0%" in text
