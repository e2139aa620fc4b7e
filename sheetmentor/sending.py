"""Send what is due, exactly once: the functions behind ``recap --send`` and ``agenda --send``.

Cron runs ``sheetmentor recap --send`` every hour, and that command only calls :func:`send_due`.
One run:

1. reads the sheet and records it in the meeting history;
2. opens the ledger for sending — refusing when the ledger file is gone but earlier sends are on
   record (:class:`~sheetmentor.errors.LedgerMissingError`, overridden by ``new_ledger``);
3. takes the send lock, and under it decides what is due (:func:`~sheetmentor.mailings.due_recap`:
   a recap is due until every message planned for it is sent or failed for good);
4. builds the meeting memory and renders one message per member;
5. plans every key in the ledger, then delivers (:func:`~sheetmentor.delivery.deliver`).

Because due-ness is decided and the keys are planned under the same lock, two or three runs at
once send each message once, and a run killed between two messages leaves the rest ``planned``
for the next run. The only message that can reach a member twice is one the server took without
answering (or whose run died right after the server took it): it is sent once more, in a later
run, with the same Message-ID, and never a third time.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from . import clock
from .commands import memory_block, record_sheet
from .delivery import DeliveryReport, Transport, deliver, transport_for
from .ledger import LEDGER_NAME, Ledger
from .mailings import Mailing, due_recap, email_settings, mailing_name
from .storage import state_folder

if TYPE_CHECKING:
    from .cadence import Meeting, Schedule
    from .config import Config, EmailConfig
    from .schema import Club

__all__ = ["ledger_lines", "send_agenda", "send_due", "send_recap"]

log = logging.getLogger("sheetmentor.sending")

LOCK_TIMEOUT = 60.0


def send_due(
    config: Config,
    now: dt.datetime,
    *,
    new_ledger: bool = False,
    transport: Transport | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> DeliveryReport:
    """Cron's hourly run: send the recap that is due at ``now``, if any, once.

    Returns an empty report when nothing is due (its ``notices`` say why when a person should
    know: a recap too old to send). Raises what :func:`send_recap` raises.
    """
    return send_recap(
        config, now=now, new_ledger=new_ledger, transport=transport, lock_timeout=lock_timeout
    )


def send_recap(
    config: Config,
    meeting: dt.date | None = None,
    *,
    now: dt.datetime,
    as_of: dt.datetime | None = None,
    force: bool = False,
    retry_failed: bool = False,
    new_ledger: bool = False,
    transport: Transport | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> DeliveryReport:
    """Send the recap of ``meeting`` (a date), or of the meeting that is due at ``as_of``.

    ``now`` is the clock (:func:`sheetmentor.clock.now`); ``as_of`` (default ``now``) is the
    moment the recap is computed and judged due for. Without ``meeting``, ``retry_failed`` picks
    the latest recap with a failed message and sends its failed messages again. The sheet must
    have no errors unless ``force``.

    Raises :class:`~sheetmentor.errors.SheetProblemsError`, ``LedgerMissingError``,
    ``LedgerError``, ``SendLockBusy`` (exit 1) and ``ServiceError`` (exit 3); what happened to
    each message is in the report (:meth:`DeliveryReport.raise_for_problems`).
    """
    moment = as_of or now

    def choose(ledger: Ledger, schedule: Schedule) -> tuple[Meeting | None, str | None]:
        if meeting is not None:
            return schedule.on(meeting), None
        if retry_failed:
            name = ledger.latest_with_failures("recap")
            if name is None:
                return None, "no recap has a failed message to send again"
            return schedule.on(dt.date.fromisoformat(name.rpartition("/")[2])), None
        due = due_recap(config, schedule, moment, ledger)
        return due.meeting, due.notice

    def build(club: Club, schedule: Schedule, chosen: Meeting, memory: dict) -> Mailing:
        from .mailings import recap_messages

        return recap_messages(config, club, schedule, chosen, as_of=moment.date(), memory=memory)

    return _send(
        config,
        "recap",
        moment,
        choose,
        build,
        force=force,
        retry_failed=retry_failed,
        new_ledger=new_ledger,
        transport=transport,
        lock_timeout=lock_timeout,
    )


def send_agenda(
    config: Config,
    date: dt.date | None = None,
    *,
    now: dt.datetime,
    as_of: dt.datetime | None = None,
    force: bool = False,
    retry_failed: bool = False,
    new_ledger: bool = False,
    transport: Transport | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> DeliveryReport:
    """Send the agenda of the meeting on ``date`` (default: the next one at ``as_of``), once:
    with the same guarantees as :func:`send_recap`; an agenda already sent to everyone is not
    sent again."""
    moment = as_of or now

    def choose(ledger: Ledger, schedule: Schedule) -> tuple[Meeting | None, str | None]:
        from .render import agenda_meeting

        chosen = agenda_meeting(schedule, moment.date(), date)
        if ledger.complete(mailing_name("agenda", chosen)) and not retry_failed:
            log.info("the agenda of %s was sent already", chosen.date)
            return None, None
        return chosen, None

    def build(club: Club, schedule: Schedule, chosen: Meeting, memory: dict) -> Mailing:
        from .mailings import agenda_messages

        return agenda_messages(config, club, schedule, chosen, as_of=moment.date(), memory=memory)

    return _send(
        config,
        "agenda",
        moment,
        choose,
        build,
        force=force,
        retry_failed=retry_failed,
        new_ledger=new_ledger,
        transport=transport,
        lock_timeout=lock_timeout,
    )


def _send(
    config: Config,
    kind: Literal["agenda", "recap"],
    moment: dt.datetime,
    choose: Callable[[Ledger, Schedule], tuple[Meeting | None, str | None]],
    build: Callable[[Club, Schedule, Meeting, dict], Mailing],
    *,
    force: bool,
    retry_failed: bool,
    new_ledger: bool,
    transport: Transport | None,
    lock_timeout: float,
) -> DeliveryReport:
    """The steps every sending run shares (see the module docstring)."""
    from .schema import read_club

    email = email_settings(config)
    expect_history = config.state.is_dir()
    state_folder(config.state)
    club = read_club(config)
    schedule = _schedule(config, club, moment)
    record_sheet(config, club, expect_history=expect_history)  # as seen now, not at moment
    ledger_clock = functools.partial(clock.now, config.meetings.zone)
    with (
        _open_ledger(config, email, new_ledger=new_ledger, ledger_clock=ledger_clock) as ledger,
        ledger.send_lock(lock_timeout),
    ):
        chosen, notice = choose(ledger, schedule)
        if chosen is None:
            return DeliveryReport(notices=(notice,) if notice else ())
        for problem in [*club.warnings, *club.recipient_errors]:
            log.warning("%s", problem)
        if not force:
            club.raise_for_errors()
        memory = memory_block(
            config, club, schedule, chosen, moment, kind=kind, expect_history=expect_history
        )
        mailing = build(club, schedule, chosen, memory)
        with transport or transport_for(email) as opened:
            report = deliver(
                mailing.messages,
                opened,
                ledger,
                email=email,
                club_name=config.club.name,
                unsendable=mailing.unsendable,
                mailing=mailing.name,
                retry_failed=retry_failed,
                lock_timeout=lock_timeout,
            )
    return DeliveryReport(report.outcomes, mailing=mailing.name)


def _schedule(config: Config, club: Club, moment: dt.datetime) -> Schedule:
    from .render import schedule_for

    return schedule_for(config, club, moment.date())


def _open_ledger(
    config: Config,
    email: EmailConfig,
    *,
    new_ledger: bool,
    ledger_clock: Callable[[], dt.datetime],
) -> Ledger:
    outbox = email.outbox if email.smtp is None else None
    return Ledger.open_for_sending(
        config.state, new_ledger=new_ledger, outbox=outbox, clock=ledger_clock
    )


def zone_name(zone: ZoneInfo | dt.tzinfo) -> str:
    """``America/Toronto`` (or the zone's own name), for ``recap --status``."""
    return getattr(zone, "key", None) or str(zone)


def ledger_lines(config: Config) -> list[str]:
    """``recap --status``: every ledger row, oldest first, times in the club's time zone (named
    in the first line)."""
    zone = config.meetings.zone
    path = Path(config.state)
    if not path.exists():
        return ["nothing sent yet"]
    state_folder(path)  # state: naming a file is a config error here too
    if not (path / LEDGER_NAME).exists():
        return ["nothing sent yet"]
    with Ledger.open(path) as ledger:
        entries = ledger.history()
    if not entries:
        return ["nothing sent yet"]
    lines = [f"times in {zone_name(zone)}"]
    for entry in entries:
        when = entry.sent_at or entry.updated_at
        local = when.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        line = f"{local}  {entry.state:<8}  {entry.key}"
        if entry.error:
            line += f"  ({' '.join(entry.error.split())})"
        lines.append(line)
    return lines
