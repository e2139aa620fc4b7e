"""What gets mailed, to whom, and when: recaps and agendas as messages for the delivery stage.

Cron runs ``sheetmentor recap --send`` every hour; :func:`due_recap` decides on its own whether a
recap is due: the most recent meeting that has ended (start + duration + ``meetings.recap_delay``),
not older than ``meetings.recap_max_age`` (a cron broken for a month must not mail old recaps),
whose recap is not complete in the ledger. The ledger keys are stable per meeting and recipient
(``recap/2026-11-24/ada@example.org``; ``recap/2026-11-24/group`` in group mode), so however often
cron runs, each message goes once.

A member whose row cannot be mailed (a line break in the name, an e-mail that is not an address,
an address another member already has) becomes an :class:`~sheetmentor.mail.Unsendable`: that
recipient fails alone, everyone else gets theirs.
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
from .errors import ConfigError, UnsafeHeaderError
from .ledger import Ledger
from .mail import Outgoing, Unsendable, address, parse_address
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


@dataclass(frozen=True)
class Unreachable:
    """An active member with an e-mail cell that cannot be mailed, and why."""

    name: str
    email: str
    reason: str


@dataclass(frozen=True)
class Mailing:
    """What one run sends: ``name`` (``recap/2026-11-24``) is the ledger's mailing."""

    name: str
    kind: str
    messages: list[Outgoing]
    unsendable: list[Unsendable]


def email_settings(config: Config) -> EmailConfig:
    if config.email is None:
        raise ConfigError("email: the config has no email block; add one to send (see README)")
    return config.email


def recipients(club: Club) -> list[Recipient]:
    """Active members with an email address that can be mailed, in sheet order."""
    return addressees(club)[0]


def addressees(club: Club) -> tuple[list[Recipient], list[Unreachable]]:
    """Active members with an email address, in sheet order: those that can be mailed, and
    those that cannot (a line break in the name, not an address, an address taken by an
    earlier member)."""
    active = club.active_members
    good: list[Recipient] = []
    bad: list[Unreachable] = []
    seen: dict[str, str] = {}
    for name, email in zip(active["name"], active["email"], strict=True):
        if not isinstance(email, str) or not email.strip():
            continue
        shown = " ".join(name.split())  # a line break in a cell stays out of the report
        try:
            recipient = Recipient(name, address(name, email))
        except (UnsafeHeaderError, ValueError) as error:
            reason = getattr(error, "message", None) or str(error)
            bad.append(Unreachable(shown, email.strip(), f"cannot mail {shown}: {reason}"))
            continue
        folded = recipient.address.addr_spec.lower()
        if folded in seen:
            reason = f"cannot mail {shown}: {email.strip()} is also the address of {seen[folded]}"
            bad.append(Unreachable(shown, email.strip(), reason))
            continue
        seen[folded] = name
        good.append(recipient)
    return good, bad


def recap_messages(
    config: Config,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    as_of: dt.date,
    memory: dict[str, Any] | None = None,
) -> Mailing:
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
) -> Mailing:
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
) -> Mailing:
    """One message to the group (``<key>/group``), or one per member with an email
    (``<key>/<address>``), rendered for that member when ``personal``. Members that cannot be
    mailed become :class:`Unsendable` under ``<key>/<address>`` (``<key>/<address> (<name>)``
    when an earlier member has that address)."""
    people, unreachable = addressees(club)
    if email.mode == "group" and email.to:
        unreachable = []  # the list address stands for everyone
    taken = {person.address.addr_spec.lower() for person in people}
    unsendable = []
    for member in unreachable:
        where = member.email.lower()
        unsendable_key = f"{key}/{where} ({member.name})" if where in taken else f"{key}/{where}"
        unsendable.append(Unsendable(unsendable_key, (member.email,), member.reason, kind))
    if email.mode == "group":
        subject, text, html = render(None)
        to = _group_addresses(email, people)
        message = Outgoing(f"{key}/group", to, subject, text, html, calendar, kind)
        return Mailing(key, kind, [message], unsendable)
    messages = []
    for person in people:
        subject, text, html = render(person.name if personal else None)
        address_key = f"{key}/{person.address.addr_spec.lower()}"
        messages.append(
            Outgoing(address_key, (person.address,), subject, text, html, calendar, kind)
        )
    return Mailing(key, kind, messages, unsendable)


def _group_addresses(email: EmailConfig, people: list[Recipient]) -> tuple[Address, ...]:
    if email.to:
        return (parse_address(email.to, setting="email.to"),)
    if not people:
        raise ConfigError("email.to: group mode needs a list address or members with emails")
    return tuple(person.address for person in people)


def mailing_name(kind: str, meeting: Meeting) -> str:
    """``recap/2026-11-24``: the ledger's name for the recap (or agenda) of ``meeting``."""
    return f"{kind}/{meeting.date.isoformat()}"


@dataclass(frozen=True)
class Due:
    """What cron should do about recaps now: send ``meeting``'s, or nothing (``notice`` says
    why, when a person should hear it)."""

    meeting: Meeting | None
    notice: str | None = None


def due_recap(config: Config, schedule: Schedule, now: dt.datetime, ledger: Ledger) -> Due:
    """The meeting whose recap cron should send now. Decide it under the send lock: the
    answer depends on what the ledger says is complete.

    A recap is due from ``meetings.recap_delay`` after its meeting ended until it is complete
    (every planned message sent or failed for good). One older than ``meetings.recap_max_age``
    and never started is not sent; the first run to find it says so, with the command that
    sends it anyway (unless nothing was ever sent: a new installation missed nothing). A recap
    that was started and is not complete is finished whatever its age:
    some members have theirs, the others must too.
    """
    settings = config.meetings
    meeting = schedule.last_ended(now - settings.recap_delay)
    if meeting is None:
        return Due(None)
    name = mailing_name("recap", meeting)
    if ledger.complete(name):
        log.info("the recap of %s was sent already", meeting.date)
        return Due(None)
    age = now - (meeting.end + settings.recap_delay)
    if age > settings.recap_max_age and not ledger.planned(name):
        log.info("the recap of %s is %s old, more than meetings.recap_max_age", meeting.date, age)
        if not ledger.ever_planned() or not ledger.expire(name, "recap"):
            return Due(None)  # a new installation has missed nothing; said once otherwise
        days = age.days
        old = f"{days} day{'s' if days != 1 else ''}" if days else "hours"
        command = f"sheetmentor recap --send --meeting {meeting.date.isoformat()}"
        if config.path is not None:
            command = f"sheetmentor --config {shlex.quote(str(config.path))} recap --send " + (
                f"--meeting {meeting.date.isoformat()}"
            )
        return Due(
            None,
            f"the recap of {meeting.date.isoformat()} was not sent: it is {old} old, more than "
            f"meetings.recap_max_age. To send it anyway: {command}",
        )
    return Due(meeting)


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
