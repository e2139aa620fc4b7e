"""Send what is due, exactly once: the functions behind ``recap --send`` and ``agenda --send``.

Cron runs ``sheetmentor recap --send`` every hour, and that command only calls :func:`send_due`.
One run:

1. reads the sheet once (:class:`~sheetmentor.run.Run`; ``send-due``'s recap and nudges share
   one read);
2. opens the ledger for sending — refusing when the ledger file is gone but earlier sends are on
   record (:class:`~sheetmentor.errors.LedgerMissingError`, overridden by ``new_ledger``);
3. takes the send lock, and under it decides what is due
   (:func:`~sheetmentor.outbound.plan.due_recap`:
   a recap is due until every message planned for it is sent or failed for good);
4. builds the meeting memory and renders one message per member;
5. plans every key in the ledger, then delivers (:func:`~sheetmentor.outbound.transport.deliver`);
6. records the sheet in the meeting history, once per run, after every part of the run consulted
   it (:meth:`~sheetmentor.run.Run.record`).

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from sheetmentor import clock
from sheetmentor.commands import memory_block
from sheetmentor.errors import ConfigError
from sheetmentor.i18n import in_club_language
from sheetmentor.outbound.ledger import (
    LEDGER_NAME,
    QUEUE_LIFETIME,
    Ledger,
    Planned,
    State,
    expired_detail,
)
from sheetmentor.outbound.plan import ClubChat, Mailing, due_recap, email_settings, mailing_name
from sheetmentor.outbound.transport import (
    DeliveryReport,
    Outcome,
    Transport,
    deliver,
    transport_for,
)
from sheetmentor.render.contexts import render_template
from sheetmentor.run import Run
from sheetmentor.storage import state_folder
from sheetmentor.words import plural

if TYPE_CHECKING:
    from sheetmentor.config import Config, EmailConfig
    from sheetmentor.memory import MeetingMemory
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


@in_club_language
def send_due(
    config: Config,
    now: dt.datetime,
    *,
    new_ledger: bool = False,
    transport: Transport | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> DeliveryReport:
    """Cron's hourly run: send whatever is due at ``now`` (an aware datetime, e.g.
    :func:`sheetmentor.clock.now`), once — the recap after a meeting
    (:func:`send_recap`), the nudges before the next (:func:`send_nudges`).

    Returns an empty report when nothing is due (its ``notices`` say why when a person should
    know: a recap too old to send). Raises what :func:`send_recap` raises.

    Both parts share one :class:`~sheetmentor.run.Run`: the sheet is read once, and recorded
    once, after both.
    """
    with _recording(config, now, None) as run:
        options = dict(new_ledger=new_ledger, transport=transport, lock_timeout=lock_timeout)
        # The recap first: on a new installation the nudges' plan must not make a recap that
        # was never due for it look missed.
        recap = send_recap(config, now=now, run=run, **options)  # type: ignore[arg-type]
        missed = _close_missed_nudges(config, now, lock_timeout)
        if missed.outcomes:
            recap = _merged([recap, missed], recap.mailing)
        if not config.meetings.nudge_before:
            return recap
        nudges = send_nudges(config, now=now, due_only=True, run=run, **options)  # type: ignore[arg-type]
    return _merged([recap, nudges], nudges.mailing or recap.mailing)


def _close_missed_nudges(config: Config, now: dt.datetime, lock_timeout: float) -> SendReport:
    """Nudges still deferred or planned when their meeting started will never be due again:
    each is recorded ``failed`` and reported (exit 1), never dropped without a word."""
    if not (Path(config.state) / LEDGER_NAME).exists():
        return SendReport()
    settings = config.meetings
    outcomes = []
    with Ledger.open(config.state) as ledger, ledger.send_lock(lock_timeout):
        for name in ledger.unfinished("nudge"):
            try:
                day = dt.date.fromisoformat(name.rpartition("/")[2])
            except ValueError:
                continue
            if now < dt.datetime.combine(day, settings.time, tzinfo=settings.zone):
                continue
            why = f"not sent before the meeting of {day.isoformat()} started"
            for entry in ledger.history(kind="nudge"):
                if entry.mailing != name or entry.state in (State.SENT, State.FAILED):
                    continue
                detail = f"{why}; last error: {entry.error}" if entry.error else why
                ledger.mark_failed(entry.key, detail)
                outcomes.append(
                    Outcome(
                        entry.key,
                        entry.kind,
                        entry.recipients,
                        "failed",
                        entry.message_id,
                        detail=detail,
                    )
                )
    return SendReport(tuple(outcomes))


def _merged(reports: list[DeliveryReport], mailing: str | None) -> SendReport:
    """One report of several runs' outcomes, notices and chat outcomes, in order."""
    return SendReport(
        tuple(outcome for report in reports for outcome in report.outcomes),
        mailing,
        tuple(notice for report in reports for notice in report.notices),
        tuple(outcome for report in reports for outcome in getattr(report, "chat", ())),
    )


def _finish_older_recaps(
    config: Config, now: dt.datetime, current: str | None, options: dict, run: Run
) -> list[DeliveryReport]:
    """The recaps of earlier meetings that some run started and that still have a message
    deferred or planned: each is sent to those recipients only (nobody new gets an old
    recap), until it goes or :data:`~sheetmentor.outbound.ledger.QUEUE_LIFETIME` runs out."""
    if not (Path(config.state) / LEDGER_NAME).exists():
        return []
    with Ledger.open(config.state) as ledger:
        older = [name for name in ledger.unfinished("recap") if name != current]
    return [
        send_recap(
            config,
            dt.date.fromisoformat(name.rpartition("/")[2]),
            now=now,
            only_unfinished=True,
            run=run,
            **options,
        )
        for name in older
    ]


@in_club_language
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
    run: Run | None = None,
) -> DeliveryReport:
    """Send each member the nudge before ``meeting`` (default: the next meeting at ``as_of``),
    once per meeting and member (``nudge/DATE/ADDRESS``), and the club's nudge to the chats.

    ``due_only`` (cron): only from ``meetings.nudge_before`` before the meeting until it starts,
    and not at all when ``nudge_before`` is 0. Members who updated their row since the last
    meeting are left out unless ``meetings.nudge_updated`` (see
    :func:`~sheetmentor.outbound.plan.to_nudge`); ``member`` sends to that member only.
    ``run`` is the :class:`~sheetmentor.run.Run` it is part of (``send-due``), which then
    records the sheet; without one, this call is its own run.
    """
    moment, day = _moment(config, now, as_of)

    def choose(ledger: Ledger, schedule: Schedule) -> tuple[Meeting | None, str | None]:
        from sheetmentor.outbound.plan import clock_behind, due_nudge, nudge_meeting

        if due_only:
            due = due_nudge(config, schedule, moment)
            behind = None if due is None else clock_behind(config, ledger, "nudge", due, moment)
            return (None, behind) if behind else (due, None)
        return (schedule.on(meeting) if meeting else nudge_meeting(schedule, moment)), None

    def build(club: Club, schedule: Schedule, chosen: Meeting, memory: MeetingMemory) -> Prepared:
        from sheetmentor.outbound.plan import NudgeContexts, nudge_chat, nudge_messages

        contexts = NudgeContexts(
            config, club, schedule, chosen, as_of=day, memory=memory
        )  # once, for the e-mails and the chat message
        mailing = None
        if config.email is not None:
            mailing = nudge_messages(
                config,
                club,
                schedule,
                chosen,
                as_of=day,
                memory=memory,
                member=member,
                contexts=contexts,
            )
        chat = (
            None
            if member
            else nudge_chat(config, club, schedule, chosen, moment, memory, contexts=contexts)
        )
        return Prepared(mailing, chat)

    with _recording(config, now, run) as this:
        return _send(
            this,
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


@in_club_language
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
    run: Run | None = None,
    only_unfinished: bool = False,
) -> DeliveryReport:
    """Send the recap of ``meeting`` (a date), or of the meeting that is due at ``as_of``.

    ``now`` is the clock (:func:`sheetmentor.clock.now`, or any aware datetime, in any zone:
    the club's day is found from it; a naive one raises
    :class:`~sheetmentor.errors.NaiveTimeError`); ``as_of`` (default ``now``, aware too) is the
    moment the recap is computed and judged due for. Without ``meeting``, ``retry_failed`` picks
    the latest recap with a failed message and sends its failed messages again. The sheet must
    have no errors unless ``force``. ``run``: as for :func:`send_nudges`. ``only_unfinished``
    sends only the messages an earlier run planned and that are not sent or failed yet (cron
    finishing an older recap).

    Raises :class:`~sheetmentor.errors.SheetProblemsError`, ``LedgerMissingError``,
    ``LedgerError``, ``SendLockBusy`` (exit 1) and ``ServiceError`` (exit 3); what happened to
    each message is in the report (:meth:`DeliveryReport.raise_for_problems`).
    """
    moment, day = _moment(config, now, as_of)

    def choose(ledger: Ledger, schedule: Schedule) -> tuple[Meeting | None, str | None]:
        if meeting is not None and only_unfinished:
            return _still_scheduled(ledger, schedule, meeting)
        if meeting is not None:
            return schedule.on(meeting), None
        if retry_failed:
            name = ledger.latest_with_failures("recap")
            if name is None:
                return None, "no recap has a failed message to send again"
            return schedule.on(dt.date.fromisoformat(name.rpartition("/")[2])), None
        due = due_recap(config, schedule, moment, ledger)
        return due.meeting, due.notice

    def build(club: Club, schedule: Schedule, chosen: Meeting, memory: MeetingMemory) -> Prepared:
        from sheetmentor.outbound.plan import club_chat, recap_messages, revealed_context

        context = revealed_context(config, "recap", club, schedule, chosen, day, memory)
        mailing = None
        if config.email is not None:
            mailing = recap_messages(
                config, club, schedule, chosen, as_of=day, memory=memory, context=context
            )
        chat = club_chat(config, "recap", club, schedule, chosen, moment, memory, context=context)
        return Prepared(mailing, chat)

    options = dict(
        force=force,
        retry_failed=retry_failed,
        new_ledger=new_ledger,
        transport=transport,
        lock_timeout=lock_timeout,
    )
    with _recording(config, now, run) as this:
        report = _send(
            this,
            "recap",
            moment,
            choose,
            build,
            only_unfinished=only_unfinished,
            **options,  # type: ignore[arg-type]
        )
        if meeting is not None or retry_failed:
            return report
        older = _finish_older_recaps(config, now, report.mailing, options, this)
    return _merged([report, *older], report.mailing) if older else report


@in_club_language
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
    run: Run | None = None,
) -> DeliveryReport:
    """Send the agenda of the meeting on ``date`` (default: the next one at ``as_of``), once:
    with the same guarantees as :func:`send_recap`; an agenda already sent to everyone is not
    sent again."""
    moment, day = _moment(config, now, as_of)

    def choose(ledger: Ledger, schedule: Schedule) -> tuple[Meeting | None, str | None]:
        from sheetmentor.render.contexts import agenda_meeting

        chosen = agenda_meeting(schedule, day, date)
        if ledger.complete(mailing_name("agenda", chosen)) and not retry_failed:
            log.info("the agenda of %s was sent already", chosen.date)
            return None, None
        return chosen, None

    def build(club: Club, schedule: Schedule, chosen: Meeting, memory: MeetingMemory) -> Prepared:
        from sheetmentor.outbound.plan import agenda_messages, club_chat, revealed_context

        context = revealed_context(config, "agenda", club, schedule, chosen, day, memory)
        mailing = None
        if config.email is not None:
            mailing = agenda_messages(
                config, club, schedule, chosen, as_of=day, memory=memory, context=context
            )
        chat = club_chat(config, "agenda", club, schedule, chosen, moment, memory, context=context)
        return Prepared(mailing, chat)

    with _recording(config, now, run) as this:
        return _send(
            this,
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


@contextmanager
def _recording(config: Config, now: dt.datetime, run: Run | None) -> Iterator[Run]:
    """``run``, or a new run of ``config`` at ``now`` that records the sheet in the meeting
    history when it ends — also when sending failed: the sheet was seen all the same."""
    if run is not None:
        yield run
        return
    own = Run.start(config, now)
    try:
        yield own
    finally:
        if own.read:
            own.record()


def _send(
    run: Run,
    kind: Literal["agenda", "recap", "nudge"],
    moment: dt.datetime,
    choose: Callable[[Ledger, Schedule], tuple[Meeting | None, str | None]],
    build: Callable[[Club, Schedule, Meeting, MeetingMemory], Prepared],
    *,
    force: bool,
    retry_failed: bool,
    new_ledger: bool,
    transport: Transport | None,
    lock_timeout: float,
    only_unfinished: bool = False,
) -> SendReport:
    """The steps every sending run shares (see the module docstring) but the recording, which
    the :class:`Run` does once when it ends."""
    config = run.config
    if config.email is None and config.chat is None:
        email_settings(config)  # raises: nowhere to send
    email = config.email
    state_folder(config.state)
    club = run.club
    schedule = run.schedule(clock.club_day(moment, config.meetings.zone))
    ledger_clock = functools.partial(clock.now, config.meetings.zone)
    with (
        _open_ledger(config, email, new_ledger=new_ledger, ledger_clock=ledger_clock) as ledger,
        ledger.send_lock(lock_timeout),
    ):
        chosen, notice = choose(ledger, schedule)
        if chosen is None:
            return SendReport(notices=(notice,) if notice else ())
        for problem in [*club.warnings, *club.recipient_errors]:
            log.warning("%s", problem)
        if not force:
            club.raise_for_errors()
        # The memory is recalled before this run's snapshot is stored (the run stores it when
        # it ends): a snapshot taken now must not become the baseline it is compared with. A
        # missing store is the recording's warning to give.
        memory = memory_block(
            config,
            club,
            schedule,
            chosen,
            moment,
            kind="recap" if kind == "recap" else "agenda",
            expect_history=False,
        )
        prepared = build(club, schedule, chosen, memory)
        name = mailing_name(kind, chosen)
        if only_unfinished:
            prepared = _unfinished(ledger, prepared)
        give_up_before = ledger_clock() - QUEUE_LIFETIME
        posts = _plan_chat(ledger, name, kind, prepared.chat, only_unfinished=only_unfinished)
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
                    give_up_before=give_up_before,
                    lock_timeout=lock_timeout,
                )
            outcomes = report.outcomes
        chat = (
            _post_chat(
                config, ledger, posts, retry_failed=retry_failed, give_up_before=give_up_before
            )
            if posts
            else ()
        )
    return SendReport(outcomes, mailing=name, chat=chat)


def _still_scheduled(
    ledger: Ledger, schedule: Schedule, date: dt.date
) -> tuple[Meeting | None, str | None]:
    """The meeting of an older unfinished recap; when the schedule no longer has it (its
    Meetings row was removed), its messages left are recorded failed, said once."""
    try:
        return schedule.on(date), None
    except ConfigError as error:
        name = f"recap/{date.isoformat()}"
        why = f"not sent: {error.message}, so its recap cannot be rendered any more"
        count = ledger.fail_unfinished(name, why)
        return None, f"{name}: {plural(count, 'message')} {why}"


def _unfinished(ledger: Ledger, prepared: Prepared) -> Prepared:
    """Only the e-mails an earlier run planned and that are not sent or failed yet."""
    mailing = prepared.mailing
    if mailing is None:
        return prepared

    def open_(key: str) -> bool:
        entry = ledger.get(key)
        return entry is not None and entry.state not in (State.SENT, State.FAILED)

    kept = Mailing(
        mailing.name,
        mailing.kind,
        [message for message in mailing.messages if open_(message.key)],
        [item for item in mailing.unsendable if open_(item.key)],
    )
    return Prepared(kept, prepared.chat)


def _plan_chat(
    ledger: Ledger,
    mailing: str,
    kind: str,
    chat: ClubChat | None,
    *,
    only_unfinished: bool = False,
) -> list[ChatPost]:
    """Plan every chat message in the ledger, under the mailing of the e-mails, before anything
    is sent: the mailing is complete only when the chats have theirs too.

    A post an earlier run split otherwise (the content changed since) is not posted again in
    its new parts once one of its old parts was posted — that would repeat it in the channel;
    its old parts not posted are closed as ``failed``, saying why. ``only_unfinished``: only
    the parts planned before and not posted yet (nothing is planned anew)."""
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
    if only_unfinished:
        return [
            post
            for post in posts
            if post.part_key in earlier
            and earlier[post.part_key].state not in (State.SENT, State.FAILED)
        ]
    ledger.plan(
        mailing,
        kind,
        [Planned(post.part_key, f"chat:{post.digest}", (post.platform,)) for post in posts],
    )
    return posts


def _post_chat(
    config: Config,
    ledger: Ledger,
    posts: list[ChatPost],
    *,
    retry_failed: bool,
    give_up_before: dt.datetime | None = None,
) -> tuple[ChatOutcome, ...]:
    """Post each planned chat message not yet posted, recording it in the ledger around each
    request: ``sending`` right before the request goes (one part at a time, after any wait),
    ``sent``/``failed``/``deferred`` after; a part the platform answered 429/5xx for is
    ``deferred`` again while the poster waits to retry it.

    Incoming webhooks take no idempotency key, so a part found ``sending`` (its run died during
    its request, after the platform may have posted it) or whose request went unanswered is
    not posted again: it is recorded ``sent`` by the next run, which says so on stderr. Only
    that part is in doubt; the parts after it were never started and are posted as usual. A
    duplicate in the club's channel is what the ledger exists to prevent. A part still
    ``deferred`` that was first planned before ``give_up_before`` is not tried again: it is
    recorded ``failed`` (exit 1), saying why.
    """
    from sheetmentor.outbound.chat import ChatOutcome, WebhookPoster, send_chat_posts

    outcomes: list[ChatOutcome] = []
    stopped: dict[str, ChatOutcome] = {}
    assert config.chat is not None

    def sending(post: ChatPost) -> None:
        ledger.mark_sending(
            post.part_key,
            kind=post.key.split("/")[2],
            message_id=f"chat:{post.digest}",
            recipients=(post.platform,),
        )

    def not_posted(post: ChatPost, why: str) -> None:
        ledger.mark_deferred(post.part_key, why)

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
            if (
                entry is not None
                and entry.state == State.DEFERRED
                and give_up_before is not None
                and entry.created_at < give_up_before
                and not retry_failed
            ):
                detail = expired_detail(entry)
                ledger.mark_failed(post.part_key, detail)
                outcomes.append(ChatOutcome(**base, status="failed-permanently", detail=detail))
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
            (outcome,) = send_chat_posts(
                [post], poster=poster, before_request=sending, before_retry=not_posted
            )
            if outcome.status == "accepted":
                ledger.mark_sent(post.part_key)
            elif outcome.in_doubt:
                ledger.mark_in_doubt(post.part_key, outcome.detail)
                stopped[post.key] = outcome
                stopped[post.webhook.url] = outcome
            elif outcome.status == "failed-permanently":
                ledger.mark_failed(post.part_key, outcome.detail)
                stopped[post.key] = outcome
            else:
                ledger.mark_deferred(post.part_key, outcome.detail)
                stopped[post.key] = outcome
                stopped[post.webhook.url] = outcome
            outcomes.append(outcome)
    return tuple(outcomes)


@in_club_language
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

    moment, day = _moment(config, now, as_of)
    club = read(config, force=force)
    schedule = _schedule(config, club, moment)
    chosen = schedule.on(meeting) if meeting else nudge_meeting(schedule, moment)
    memory = memory_block(config, club, schedule, chosen, moment, kind="agenda")
    names = to_nudge(config, club, memory, member=member)
    if not names:
        who = f"{member} has" if member else "every member has"
        return (
            f"nobody to nudge before {chosen.date.isoformat()}: {who} updated their row since "
            "the last meeting (meetings.nudge_updated: true nudges them anyway)"
        )
    emails = dict(zip(club.active_members["name"], club.active_members["email"], strict=True))
    contexts = NudgeContexts(config, club, schedule, chosen, as_of=day, memory=memory)
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

    return schedule_for(config, club, clock.club_day(moment, config.meetings.zone))


def _moment(
    config: Config, now: dt.datetime, as_of: dt.datetime | None
) -> tuple[dt.datetime, dt.date]:
    """The instant a sending run computes for (``as_of``, else ``now``; aware, any zone — a
    naive one raises :class:`~sheetmentor.errors.NaiveTimeError`) in UTC, and its club day."""
    given, what = (now, "now") if as_of is None else (as_of, "as_of")
    moment = clock.instant(given, what)
    return moment, clock.club_day(moment, config.meetings.zone)


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
    with Ledger.open(path, read_only=True) as ledger:
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
