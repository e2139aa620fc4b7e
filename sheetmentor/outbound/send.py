"""Send what is due, exactly once: the functions behind ``recap --send`` and ``agenda --send``.

Cron runs ``sheetmentor recap --send`` every hour, and that command only calls :func:`send_due`.
One run:

1. reads the sheet and records it in the meeting history;
2. opens the ledger for sending — refusing when the ledger file is gone but earlier sends are on
   record (:class:`~sheetmentor.errors.LedgerMissingError`, overridden by ``new_ledger``);
3. takes the send lock, and under it decides what is due
   (:func:`~sheetmentor.outbound.plan.due_recap`:
   a recap is due until every message planned for it is sent or failed for good);
4. builds the meeting memory and renders one message per member;
5. plans every key in the ledger, then delivers (:func:`~sheetmentor.outbound.transport.deliver`).

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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from sheetmentor import clock
from sheetmentor.commands import memory_block, read_sheet, record_sheet
from sheetmentor.outbound.ledger import LEDGER_NAME, Ledger, Planned, State
from sheetmentor.outbound.plan import ClubChat, Mailing, due_recap, email_settings, mailing_name
from sheetmentor.outbound.transport import DeliveryReport, Transport, deliver, transport_for
from sheetmentor.render.contexts import render_template
from sheetmentor.storage import state_folder

if TYPE_CHECKING:
    from sheetmentor.config import Config, EmailConfig
    from sheetmentor.outbound.chat import ChatOutcome, ChatPost
    from sheetmentor.schedule import Meeting, Schedule
    from sheetmentor.sheet.normalize import Club

__all__ = [
    "SendReport",
    "ledger_lines",
    "preview_nudges",
    "send_agenda",
    "send_due",
    "send_nudges",
    "send_recap",
]

log = logging.getLogger("sheetmentor.outbound.send")

LOCK_TIMEOUT = 60.0


def send_due(
    config: Config,
    now: dt.datetime,
    *,
    new_ledger: bool = False,
    transport: Transport | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> DeliveryReport:
    """Cron's hourly run: send whatever is due at ``now``, once — the recap after a meeting
    (:func:`send_recap`), the nudges before the next (:func:`send_nudges`).

    Returns an empty report when nothing is due (its ``notices`` say why when a person should
    know: a recap too old to send). Raises what :func:`send_recap` raises.
    """
    options = dict(new_ledger=new_ledger, transport=transport, lock_timeout=lock_timeout)
    # The recap first: on a new installation the nudges' plan must not make a recap that was
    # never due for it look missed.
    recap = send_recap(config, now=now, **options)  # type: ignore[arg-type]
    if not config.meetings.nudge_before:
        return recap
    nudges = send_nudges(config, now=now, due_only=True, **options)  # type: ignore[arg-type]
    return SendReport(
        (*recap.outcomes, *nudges.outcomes),
        nudges.mailing or recap.mailing,
        (*recap.notices, *nudges.notices),
        (*getattr(recap, "chat", ()), *getattr(nudges, "chat", ())),
    )


def send_nudges(
    config: Config,
    meeting: dt.date | None = None,
    *,
    now: dt.datetime,
    as_of: dt.datetime | None = None,
    member: str | None = None,
    due_only: bool = False,
    force: bool = False,
    retry_failed: bool = False,
    new_ledger: bool = False,
    transport: Transport | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> DeliveryReport:
    """Send each member the nudge before ``meeting`` (default: the next meeting at ``as_of``),
    once per meeting and member (``nudge/DATE/ADDRESS``), and the club's nudge to the chats.

    ``due_only`` (cron): only from ``meetings.nudge_before`` before the meeting until it starts,
    and not at all when ``nudge_before`` is 0. Members who updated their row since the last
    meeting are left out unless ``meetings.nudge_updated`` (see
    :func:`~sheetmentor.outbound.plan.to_nudge`); ``member`` sends to that member only.
    """
    moment = as_of or now

    def choose(ledger: Ledger, schedule: Schedule) -> tuple[Meeting | None, str | None]:
        from sheetmentor.outbound.plan import due_nudge, nudge_meeting

        if due_only:
            return due_nudge(config, schedule, moment), None
        return (schedule.on(meeting) if meeting else nudge_meeting(schedule, moment)), None

    def build(club: Club, schedule: Schedule, chosen: Meeting, memory: dict) -> Prepared:
        from sheetmentor.outbound.plan import nudge_chat, nudge_messages

        mailing = None
        if config.email is not None:
            mailing = nudge_messages(
                config, club, schedule, chosen, as_of=moment.date(), memory=memory, member=member
            )
        chat = None if member else nudge_chat(config, club, schedule, chosen, moment, memory)
        return Prepared(mailing, chat)

    return _send(
        config,
        "nudge",
        moment,
        choose,
        build,
        force=force,
        retry_failed=retry_failed,
        new_ledger=new_ledger,
        transport=transport,
        lock_timeout=lock_timeout,
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

    def build(club: Club, schedule: Schedule, chosen: Meeting, memory: dict) -> Prepared:
        from sheetmentor.outbound.plan import club_chat, recap_messages

        mailing = None
        if config.email is not None:
            mailing = recap_messages(
                config, club, schedule, chosen, as_of=moment.date(), memory=memory
            )
        chat = club_chat(config, "recap", club, schedule, chosen, moment, memory)
        return Prepared(mailing, chat)

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
        from sheetmentor.render.contexts import agenda_meeting

        chosen = agenda_meeting(schedule, moment.date(), date)
        if ledger.complete(mailing_name("agenda", chosen)) and not retry_failed:
            log.info("the agenda of %s was sent already", chosen.date)
            return None, None
        return chosen, None

    def build(club: Club, schedule: Schedule, chosen: Meeting, memory: dict) -> Prepared:
        from sheetmentor.outbound.plan import agenda_messages, club_chat

        mailing = None
        if config.email is not None:
            mailing = agenda_messages(
                config, club, schedule, chosen, as_of=moment.date(), memory=memory
            )
        return Prepared(
            mailing, club_chat(config, "agenda", club, schedule, chosen, moment, memory)
        )

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


@dataclass(frozen=True)
class Prepared:
    """What one run sends: the e-mails (None without an ``email`` block) and the club-level
    chat message with the members' chat IDs (None when no chat takes this kind)."""

    mailing: Mailing | None
    chat: ClubChat | None


@dataclass(frozen=True, slots=True)
class SendReport(DeliveryReport):
    """A :class:`DeliveryReport` for e-mail plus one
    :class:`~sheetmentor.outbound.chat.ChatOutcome` per
    chat message (``chat``)."""

    chat: tuple[ChatOutcome, ...] = ()

    @property
    def ok(self) -> bool:
        return DeliveryReport.ok.fget(self) and all(o.ok for o in self.chat)  # type: ignore[attr-defined]

    def raise_for_problems(self) -> None:
        """E-mail problems first (:meth:`DeliveryReport.raise_for_problems`), then chat ones
        (:func:`~sheetmentor.outbound.chat.raise_for_outcomes`: refused → exit 1, unavailable →
        3)."""
        from sheetmentor.outbound.chat import raise_for_outcomes

        if not DeliveryReport.ok.fget(self):  # type: ignore[attr-defined]
            DeliveryReport.raise_for_problems(self)
        raise_for_outcomes(self.chat)


def _send(
    config: Config,
    kind: Literal["agenda", "recap", "nudge"],
    moment: dt.datetime,
    choose: Callable[[Ledger, Schedule], tuple[Meeting | None, str | None]],
    build: Callable[[Club, Schedule, Meeting, dict], Prepared],
    *,
    force: bool,
    retry_failed: bool,
    new_ledger: bool,
    transport: Transport | None,
    lock_timeout: float,
) -> SendReport:
    """The steps every sending run shares (see the module docstring)."""
    if config.email is None and config.chat is None:
        email_settings(config)  # raises: nowhere to send
    email = config.email
    expect_history = config.state.is_dir()
    state_folder(config.state)
    club = read_sheet(config)
    schedule = _schedule(config, club, moment)
    ledger_clock = functools.partial(clock.now, config.meetings.zone)
    with (
        _open_ledger(config, email, new_ledger=new_ledger, ledger_clock=ledger_clock) as ledger,
        ledger.send_lock(lock_timeout),
    ):
        chosen, notice = choose(ledger, schedule)
        if chosen is None:
            record_sheet(config, club, expect_history=expect_history)
            return SendReport(notices=(notice,) if notice else ())
        for problem in [*club.warnings, *club.recipient_errors]:
            log.warning("%s", problem)
        if not force:
            club.raise_for_errors()
        # The memory is recalled before this run's snapshot is stored (memory_block stores it
        # after): a snapshot taken now must not become the baseline it is compared with.
        memory = memory_block(
            config,
            club,
            schedule,
            chosen,
            moment,
            kind="recap" if kind == "recap" else "agenda",
            expect_history=expect_history,
        )
        prepared = build(club, schedule, chosen, memory)
        name = mailing_name(kind, chosen)
        posts = _plan_chat(ledger, name, kind, prepared.chat)
        outcomes: tuple = ()
        if prepared.mailing is not None and email is not None:
            with transport or transport_for(email) as opened:
                report = deliver(
                    prepared.mailing.messages,
                    opened,
                    ledger,
                    email=email,
                    club_name=config.club.name,
                    unsendable=prepared.mailing.unsendable,
                    mailing=name,
                    retry_failed=retry_failed,
                    lock_timeout=lock_timeout,
                )
            outcomes = report.outcomes
        chat = _post_chat(config, ledger, posts, retry_failed=retry_failed) if posts else ()
    return SendReport(outcomes, mailing=name, chat=chat)


def _plan_chat(ledger: Ledger, mailing: str, kind: str, chat: ClubChat | None) -> list[ChatPost]:
    """Plan every chat message in the ledger, under the mailing of the e-mails, before anything
    is sent: the mailing is complete only when the chats have theirs too.

    A post an earlier run split otherwise (the content changed since) is not posted again in
    its new parts once one of its old parts was posted — that would repeat it in the channel;
    its old parts not posted are closed as ``failed``, saying why."""
    from sheetmentor.outbound.chat import plan_chat_posts

    if chat is None:
        return []
    posts = plan_chat_posts(chat.config, chat.message, member_ids=chat.member_ids)
    if not posts:
        return []
    wanted = {post.part_key for post in posts}
    earlier = {
        entry.key: entry
        for entry in ledger.history(kind=kind)
        if entry.mailing == mailing and entry.key.startswith("chat/")
    }
    resplit = {key for key in earlier if key not in wanted}
    posted = {key.split("/part-")[0] for key in resplit if earlier[key].state == State.SENT}
    for key in resplit:
        if earlier[key].state not in (State.SENT, State.FAILED):
            ledger.mark_failed(key, "not posted: the message was split differently in a later run")
    posts = [post for post in posts if post.key not in posted]
    ledger.plan(
        mailing,
        kind,
        [Planned(post.part_key, f"chat:{post.digest}", (post.platform,)) for post in posts],
    )
    return posts


def _post_chat(
    config: Config, ledger: Ledger, posts: list[ChatPost], *, retry_failed: bool
) -> tuple[ChatOutcome, ...]:
    """Post each planned chat message not yet posted, recording it in the ledger around the
    request: ``sending`` before, ``sent``/``failed``/``deferred`` after.

    Incoming webhooks take no idempotency key, so a message found ``sending`` (its run died
    during the request, after the platform may have posted it) is not posted again: it is
    recorded ``sent`` and the run says so on stderr. A duplicate in the club's channel is what
    the ledger exists to prevent.
    """
    from sheetmentor.outbound.chat import ChatOutcome, WebhookPoster, send_chat_posts

    outcomes: list[ChatOutcome] = []
    stopped: dict[str, ChatOutcome] = {}
    assert config.chat is not None
    with WebhookPoster.from_config(config.chat) as poster:
        for post in posts:
            entry = ledger.get(post.part_key)
            base = dict(
                key=post.key,
                part_key=post.part_key,
                platform=post.platform,
                part=post.part,
                parts=post.parts,
                digest=post.digest,
            )
            if entry is not None and entry.state == State.SENDING:
                doubt = "in doubt: the run stopped while posting; not posted again"
                ledger.mark_sent(post.part_key)
                log.warning("%s: %s", post.part_key, doubt)
                outcomes.append(ChatOutcome(**base, status="skipped", detail=doubt, in_doubt=True))
                continue
            if entry is not None and entry.state == State.SENT:
                outcomes.append(ChatOutcome(**base, status="skipped", detail="already posted"))
                continue
            if entry is not None and entry.state == State.FAILED and not retry_failed:
                detail = f"failed in an earlier run: {entry.error}"
                outcomes.append(ChatOutcome(**base, status="failed-permanently", detail=detail))
                continue
            earlier = stopped.get(post.key) or stopped.get(post.webhook.url)
            if earlier is not None:
                detail = f"not posted: {earlier.detail}"
                ledger.mark_deferred(post.part_key, detail)
                outcomes.append(ChatOutcome(**base, status="failed-temporarily", detail=detail))
                continue
            ledger.mark_sending(
                post.part_key,
                kind=post.key.split("/")[2],
                message_id=f"chat:{post.digest}",
                recipients=(post.platform,),
            )
            (outcome,) = send_chat_posts([post], poster=poster)
            if outcome.status == "accepted":
                ledger.mark_sent(post.part_key)
            elif outcome.status == "failed-permanently":
                ledger.mark_failed(post.part_key, outcome.detail)
                stopped[post.key] = outcome
            else:
                ledger.mark_deferred(post.part_key, outcome.detail)
                stopped[post.key] = outcome
                stopped[post.webhook.url] = outcome
            outcomes.append(outcome)
    return tuple(outcomes)


def preview_nudges(
    config: Config,
    meeting: dt.date | None = None,
    *,
    now: dt.datetime,
    as_of: dt.datetime | None = None,
    member: str | None = None,
    force: bool = False,
) -> str:
    """``nudge`` without ``--send``: each nudge as it would be mailed (To, Subject, text), or a
    line saying why nobody would get one. Sends nothing, plans nothing."""
    from sheetmentor.commands import read
    from sheetmentor.outbound.plan import NudgeContexts, nudge_meeting, to_nudge
    from sheetmentor.privacy import guard

    moment = as_of or now
    expect_history = config.state.is_dir()
    club = read(config, force=force)
    schedule = _schedule(config, club, moment)
    chosen = schedule.on(meeting) if meeting else nudge_meeting(schedule, moment)
    memory = memory_block(
        config, club, schedule, chosen, moment, kind="agenda", expect_history=expect_history
    )
    names = to_nudge(config, club, memory, member=member)
    if not names:
        who = f"{member} has" if member else "every member has"
        return (
            f"nobody to nudge before {chosen.date.isoformat()}: {who} updated their row since "
            "the last meeting (meetings.nudge_updated: true nudges them anyway)"
        )
    emails = dict(zip(club.active_members["name"], club.active_members["email"], strict=True))
    contexts = NudgeContexts(config, club, schedule, chosen, as_of=moment.date(), memory=memory)
    parts = []
    for name in names:
        context = contexts.context(name)
        subject = render_template("nudge.subject.j2", context, config.templates).strip()
        text = render_template("nudge.txt.j2", context, config.templates).strip("\n")
        address = emails.get(name)
        to = f"{' '.join(name.split())} <{address.strip()}>" if isinstance(address, str) else name
        parts.append(guard(f"To: {to}\nSubject: {subject}\n\n{text}\n", name))
    return "\n".join(parts)


def _schedule(config: Config, club: Club, moment: dt.datetime) -> Schedule:
    from sheetmentor.render.contexts import schedule_for

    return schedule_for(config, club, moment.date())


def _open_ledger(
    config: Config,
    email: EmailConfig | None,
    *,
    new_ledger: bool,
    ledger_clock: Callable[[], dt.datetime],
) -> Ledger:
    outbox = email.outbox if email is not None and email.smtp is None else None
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
