"""What gets mailed, to whom, and when: recaps and agendas as messages for the delivery stage.

Cron runs ``sheetmentor recap --send`` every hour; :func:`due_recap` decides on its own whether a
recap is due: the most recent meeting that has ended (start + duration + ``meetings.recap_delay``),
not older than ``meetings.recap_max_age`` (a cron broken for a month must not mail old recaps),
whose recap is not already in the ledger. The ledger keys are stable per meeting and recipient
(``recap/2026-11-24/ada@example.org``; ``recap/2026-11-24/group`` in group mode), so however often
cron runs, each message goes once.
"""

from __future__ import annotations

import datetime as dt
import logging
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .calendar import meetings_ics
from .errors import ConfigError
from .ledger import Ledger, State
from .mail import Outgoing, address, parse_address
from .render import agenda_context, recap_context, render_template

if TYPE_CHECKING:
    from email.headerregistry import Address

    from .cadence import Meeting, Schedule
    from .config import Config, EmailConfig
    from .schema import Club

log = logging.getLogger("sheetmentor.mailings")


@dataclass(frozen=True)
class Recipient:
    name: str
    address: Address


def email_settings(config: Config) -> EmailConfig:
    if config.email is None:
        raise ConfigError("email: the config has no email block; add one to send (see README)")
    return config.email


def recipients(club: Club) -> list[Recipient]:
    """Active members with an email address, in sheet order."""
    active = club.active_members
    return [
        Recipient(name, address(name, email))
        for name, email in zip(active["name"], active["email"], strict=True)
        if isinstance(email, str)
    ]


def recap_messages(
    config: Config,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    as_of: dt.date,
    memory: dict[str, Any] | None = None,
) -> list[Outgoing]:
    """The recap of ``meeting``: one message per member (personal mode) or one to the group."""
    email = email_settings(config)
    following = schedule.following(meeting)
    calendar = meetings_ics(club, schedule, [following]) if following else None

    def render(recipient: str | None) -> tuple[str, str, str]:
        context = recap_context(
            club,
            schedule,
            meeting,
            as_of=as_of,
            cap=config.club.cap,
            recipient=recipient,
            memory=memory,
            config=config,
        )
        return tuple(  # type: ignore[return-value]
            render_template(name, context, config.templates).strip("\n") + end
            for name, end in (
                ("recap.subject.j2", ""),
                ("recap.txt.j2", "\n"),
                ("recap.html.j2", "\n"),
            )
        )

    return _addressed(
        email, club, f"recap/{meeting.date.isoformat()}", "recap", calendar, render, personal=True
    )


def agenda_messages(
    config: Config,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    as_of: dt.date,
    memory: dict[str, Any] | None = None,
) -> list[Outgoing]:
    """The agenda of ``meeting`` for every member (or the list address), the .ics attached."""
    email = email_settings(config)
    context = agenda_context(
        club, schedule, meeting, as_of=as_of, cap=config.club.cap, memory=memory, config=config
    )
    text = render_template("agenda.txt.j2", context, config.templates)
    html = render_template("agenda.html.j2", context, config.templates)
    subject = f"{club.name} agenda — {meeting.date:%a %b} {meeting.date.day}"
    calendar = meetings_ics(club, schedule, [meeting])
    return _addressed(
        email,
        club,
        f"agenda/{meeting.date.isoformat()}",
        "agenda",
        calendar,
        lambda recipient: (subject, text, html),
        personal=False,
    )


def _addressed(
    email: EmailConfig,
    club: Club,
    key: str,
    kind: str,
    calendar: bytes | None,
    render: Callable[[str | None], tuple[str, str, str]],
    *,
    personal: bool,
) -> list[Outgoing]:
    """One message to the group (``<key>/group``), or one per member with an email
    (``<key>/<address>``), rendered for that member when ``personal``."""
    if email.mode == "group":
        subject, text, html = render(None)
        to = _group_addresses(email, club)
        return [Outgoing(f"{key}/group", to, subject, text, html, calendar, kind)]
    messages = []
    for person in recipients(club):
        subject, text, html = render(person.name if personal else None)
        address_key = f"{key}/{person.address.addr_spec.lower()}"
        messages.append(
            Outgoing(address_key, (person.address,), subject, text, html, calendar, kind)
        )
    return messages


def _group_addresses(email: EmailConfig, club: Club) -> tuple[Address, ...]:
    if email.to:
        return (parse_address(email.to, setting="email.to"),)
    people = recipients(club)
    if not people:
        raise ConfigError("email.to: group mode needs a list address or members with emails")
    return tuple(person.address for person in people)


def due_recap(
    config: Config, schedule: Schedule, now: dt.datetime, ledger: Ledger
) -> Meeting | None:
    """The meeting whose recap cron should send now, or ``None`` when nothing is due."""
    settings = config.meetings
    meeting = schedule.last_ended(now - settings.recap_delay)
    if meeting is None:
        return None
    age = now - (meeting.end + settings.recap_delay)
    if age > settings.recap_max_age:
        log.info(
            "the recap of %s is %s old, more than meetings.recap_max_age; not sending it",
            meeting.date,
            age,
        )
        return None
    if recap_complete(ledger, meeting):
        log.info("the recap of %s was sent already", meeting.date)
        return None
    return meeting


def recap_complete(ledger: Ledger, meeting: Meeting) -> bool:
    """True when the ledger holds the meeting's recap and nothing of it is left to retry."""
    prefix = f"recap/{meeting.date.isoformat()}/"
    entries = [e for e in ledger.history(kind="recap") if e.key.startswith(prefix)]
    return bool(entries) and all(e.state in (State.SENT, State.FAILED) for e in entries)


def crontab_line(config: Config, minute: int) -> str:
    """An hourly crontab entry with absolute paths; cron mails its output, which is only errors."""
    beside_python = Path(sys.executable).parent / "sheetmentor"
    if beside_python.exists():
        program = [str(beside_python)]
    elif shutil.which("sheetmentor"):
        program = [str(Path(shutil.which("sheetmentor")).resolve())]
    else:
        program = [sys.executable, "-m", "sheetmentor"]
    command = [*program, "--config", str(config.path), "recap", "--send"]
    lines = []
    smtp = config.email.smtp if config.email else None
    if smtp and smtp.password_env:
        lines.append(f"# {smtp.password_env} must be set for cron, e.g. in the crontab's header")
    lines.append(f"{minute % 60} * * * * {shlex.join(command)}")
    return "\n".join(lines)
