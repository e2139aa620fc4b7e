"""What gets mailed, to whom, and when: recaps and agendas as messages for the delivery stage.

Cron runs ``sheetmentor recap --send`` every hour; :func:`due_recap` decides on its own whether a
recap is due: the most recent meeting that has ended (start + duration + ``meetings.recap_delay``),
not older than ``meetings.recap_max_age`` (a cron broken for a month must not mail old recaps),
whose recap is not complete in the ledger. The ledger keys are stable per meeting and recipient
(``recap/2026-11-24/ada@example.org``; ``recap/2026-11-24/group`` in group mode), so however often
cron runs, each message goes once.

A member whose row cannot be mailed (a line break in the name, an e-mail that is not an address,
an address another member already has) becomes an :class:`~sheetmentor.outbound.mime.Unsendable`:
that
recipient fails alone, everyone else gets theirs.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sheetmentor import clock
from sheetmentor.errors import ConfigError, UnsafeHeaderError
from sheetmentor.i18n import _, current
from sheetmentor.outbound.ledger import Ledger
from sheetmentor.outbound.mime import Outgoing, Pending, Unsendable, address, parse_address
from sheetmentor.privacy import guard, hide_private, private_goals
from sheetmentor.render.calendar import meetings_ics
from sheetmentor.render.contexts import agenda_context, pct, recap_context, render_template
from sheetmentor.words import status_label

if TYPE_CHECKING:
    from email.headerregistry import Address

    from sheetmentor.config import ChatConfig, Config, EmailConfig
    from sheetmentor.memory import MeetingMemory
    from sheetmentor.outbound.chat import ChatMessage
    from sheetmentor.schedule import Meeting, Schedule
    from sheetmentor.sheet.normalize import Club

log = logging.getLogger("sheetmentor.outbound.plan")


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
    """What one run sends: ``name`` (``recap/2026-11-24``) is the ledger's mailing. A message to
    one member is :class:`Pending`: rendered when delivery sends it, not before."""

    name: str
    kind: str
    messages: list[Outgoing | Pending]
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
    earlier member, a cell that is not one address)."""
    active = club.active_members
    good: list[Recipient] = []
    bad: list[Unreachable] = []
    seen: dict[str, str] = {}
    for name, email in zip(active["name"], active["email"], strict=True):
        shown = " ".join(name.split())  # a line break in a cell stays out of the report
        if name in club.unusable_addresses:
            written, why = club.unusable_addresses[name]
            bad.append(Unreachable(shown, written, f"cannot mail {shown}: {why}"))
            continue
        if not isinstance(email, str) or not email.strip():
            continue
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
    memory: MeetingMemory | None = None,
    context: dict[str, Any] | None = None,
) -> Mailing:
    """The recap of ``meeting``: one message per member (personal mode) or one to the group.

    ``context`` is the recap's context with private goals revealed, when the caller built it
    already (a sending run builds it once for its e-mails and its chat message)."""
    email = email_settings(config)
    following = schedule.following(meeting)
    calendar = meetings_ics(club, schedule, [following]) if following else None

    raw = context or revealed_context(config, "recap", club, schedule, meeting, as_of, memory)
    private = private_goals(club)
    shared = hide_private(raw, private)
    own = {person["name"]: person for person in raw["members"]}

    def render(recipient: str | None) -> tuple[str, str, str]:
        # The club's part is computed once; each member's own section (their private goals
        # named) goes first: linear work per message, not the whole recap again.
        if recipient is None:
            return _three("recap", shared, config)
        mine = hide_private(own[recipient], private, recipient)
        others = [p for p in shared["members"] if p["name"] != recipient]
        people = [mine, *others]
        wins = [win for person in people for win in person["wins"]]  # their own named too
        context = shared | {"members": people, "recipient": mine, "wins": wins}
        return _three("recap", context, config)

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
    memory: MeetingMemory | None = None,
    context: dict[str, Any] | None = None,
) -> Mailing:
    """The agenda of ``meeting`` for every member (or the list address), the .ics attached.

    ``context``: the agenda's context with private goals revealed, as for
    :func:`recap_messages`; the club's copy, private goals masked, is what members get."""
    email = email_settings(config)
    context = hide_private(
        context or revealed_context(config, "agenda", club, schedule, meeting, as_of, memory),
        private_goals(club),
    )
    text = render_template("agenda.txt.j2", context, config.templates)
    html = render_template("agenda.html.j2", context, config.templates)
    subject = _("%(club)s agenda — %(date)s") % {
        "club": club.name,
        "date": current().weekday_date(meeting.date),
    }
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


class NudgeContexts:
    """What the nudge templates receive (``templates/README.md``): the agenda's variables for
    ``meeting``, computed once for the club, with each member's own entry swapped in as
    ``recipient`` — their private goals named to them alone — and ``updated``."""

    def __init__(
        self,
        config: Config,
        club: Club,
        schedule: Schedule,
        meeting: Meeting,
        *,
        as_of: dt.date,
        memory: MeetingMemory | None,
    ) -> None:
        raw = revealed_context(config, "agenda", club, schedule, meeting, as_of, memory)
        self.private = private_goals(club)
        self.shared = hide_private(raw, self.private)
        self.people = {person["name"]: person for person in raw["members"]}
        self.memory = memory

    def context(self, recipient: str | None = None) -> dict[str, Any]:
        """The context of ``recipient``'s nudge (None: the club's, as chat shows it)."""
        own = self.people.get(recipient) if recipient else None
        return self.shared | {
            "recipient": hide_private(own, self.private, recipient) if own else None,
            "updated": updated_since(self.memory, recipient),
        }


def updated_since(memory: MeetingMemory | None, name: str | None) -> bool | None:
    """Whether the meeting memory saw ``name`` change something since the last meeting; None
    when it does not hold the sheet as it was then."""
    changes = memory.changes if memory is not None else None
    if changes is None or name is None:
        return None
    return name in changes.updated


def to_nudge(
    config: Config, club: Club, memory: MeetingMemory | None, *, member: str | None = None
) -> list[str]:
    """The active members a nudge goes to, in sheet order: everyone (or just ``member``), less
    those the meeting memory saw update their row since the last meeting — unless
    ``meetings.nudge_updated``. Without that memory nobody is assumed to have updated."""
    from sheetmentor.sheet.normalize import named_member

    names = [str(name) for name in club.active_members["name"]]
    if member is not None:
        chosen = named_member(names, member)
        if chosen is None:
            listing = ", ".join(names) or "none"
            raise ConfigError(f"--member: no active member named {member!r}; active: {listing}")
        names = [chosen]
    if config.meetings.nudge_updated:
        return names
    return [name for name in names if not updated_since(memory, name)]


def nudge_messages(
    config: Config,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    *,
    as_of: dt.date,
    memory: MeetingMemory | None = None,
    member: str | None = None,
    contexts: NudgeContexts | None = None,
) -> Mailing:
    """One personal nudge per member who has not updated their row since the last meeting
    (:func:`to_nudge`), keyed ``nudge/2026-11-24/ada@example.org``; a nudge is personal even
    when ``email.mode`` is ``group``. ``contexts``: built once by a run that also posts."""
    email = email_settings(config)
    if contexts is None:
        contexts = NudgeContexts(config, club, schedule, meeting, as_of=as_of, memory=memory)

    def render(recipient: str | None) -> tuple[str, str, str]:
        context = contexts.context(recipient)
        return _three("nudge", context, config)

    return _addressed(
        email,
        club,
        mailing_name("nudge", meeting),
        "nudge",
        None,
        render,
        personal=True,
        only=to_nudge(config, club, memory, member=member),
    )


@dataclass(frozen=True)
class ClubChat:
    """The club-level chat message of a mailing, with what posting it needs."""

    config: ChatConfig
    message: ChatMessage
    member_ids: dict[str, dict[str, str]]


def member_chat_ids(club: Club) -> dict[str, dict[str, str]]:
    """``{"slack": {NAME: ID}, "discord": {…}}`` from the Members tab's ``Slack`` and ``Discord``
    columns (any case), for members with an ID there."""
    extras = club.extra_columns.get("members", [])
    ids: dict[str, dict[str, str]] = {}
    active = club.active_members
    for platform in ("slack", "discord"):
        column = next((c for c in extras if str(c).strip().casefold() == platform), None)
        if column is None:
            continue
        ids[platform] = {
            str(name): str(value).strip()
            for name, value in zip(active["name"], active[column], strict=True)
            if isinstance(value, str | int) and str(value).strip()
        }
    return ids


def _goal_line(goal: dict[str, Any]) -> str:
    if goal.get("private"):
        return f"- {goal['goal']}"  # "1 private goal (done)" says its status already
    status = goal["status"]
    progress = goal["progress"] if status == "open" else 0
    label = _("%(label)s:") % {"label": goal["goal"]}  # "goal : fait" in French
    return f"- {label} {status_label(status)}" + (f", {pct(progress)}" if progress else "")


def club_chat(
    config: Config,
    kind: Literal["agenda", "recap"],
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    now: dt.datetime,
    memory: MeetingMemory | None,
    context: dict[str, Any] | None = None,
) -> ClubChat | None:
    """The agenda or recap of ``meeting`` as one club-level chat message (None when no chat
    takes ``kind``): a section per member with the two-week goals due at the meeting; a recap
    also says who came and who was missed, the wins, each member's commitments and carried goals
    (with how often carried), and the next meeting with its place and facilitator. ``context``:
    the context with private goals revealed, as for :func:`recap_messages`."""
    if config.chat is None or kind not in config.chat.post:
        return None
    from sheetmentor.outbound.chat import ChatMessage, Section

    context = hide_private(
        context
        or revealed_context(config, kind, club, schedule, meeting, schedule.day(now), memory),
        private_goals(club),
    )
    names = {"club": club.name, "date": current().weekday_date(meeting.date)}
    title = (
        _("%(club)s agenda — %(date)s") if kind == "agenda" else _("%(club)s recap — %(date)s")
    ) % names
    intro = []
    sections = []
    if kind == "agenda":
        facilitator = context["facilitator"] or _("to be decided")
        intro.append(_("Facilitator: %(name)s") % {"name": facilitator})
    else:
        intro += _recap_intro(context)
        if context["wins"]:
            wins = [
                "- " + _("%(member)s: %(goal)s") % {"member": win["member"], "goal": win["goal"]}
                for win in context["wins"]
            ]
            sections.append(Section(_("Wins"), wins))
    for person in context["members"]:
        lines = [_goal_line(goal) for goal in person["due"]]
        lines += [
            _("%(goal)s (carried over)") % {"goal": _goal_line(goal)}
            for goal in person.get("carried", [])
        ]
        if kind == "recap":
            lines += [
                _("%(goal)s (carried %(count)d×)")
                % {"goal": _goal_line(goal), "count": goal["carried"]}
                for goal in person["carrying"]
            ]
            lines += [
                _("%(goal)s (for next time)") % {"goal": _goal_line(goal)}
                for goal in person["next_due"]
            ]
        sections.append(Section(person["name"], lines or [_("no goal due")]))
    if kind == "recap" and context["next"]:
        sections.append(Section(_("Next meeting"), _next_meeting_lines(context)))
    message = ChatMessage(kind=kind, date=meeting.date, title=title, intro=intro, sections=sections)
    return _club_message(club, config.chat, message)


def _recap_intro(context: dict[str, Any]) -> list[str]:
    """Who came and who was missed, where the Meetings tab says."""
    if context["attended"] is None:
        return []
    came = ", ".join(context["attended"]) or _("nobody recorded")
    if context["absent"]:
        names = {"came": came, "missed": ", ".join(context["absent"])}
        return [_("Attended: %(came)s · Missed: %(missed)s") % names]
    return [_("Attended: %(came)s") % {"came": came}]


def _next_meeting_lines(context: dict[str, Any]) -> list[str]:
    following = context["next"]
    start, end = following["start"], following["end"]
    when = f"{current().longdate(following['date'])}, {start:%H:%M}–{end:%H:%M}"
    place = f" · {following['location']}" if following["location"] else ""
    facilitator = context["next_facilitator"] or _("to be decided")
    return [f"{when} ({start.tzname()}){place}", _("Facilitator: %(name)s") % {"name": facilitator}]


def nudge_chat(
    config: Config,
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    now: dt.datetime,
    memory: MeetingMemory | None,
    contexts: NudgeContexts | None = None,
) -> ClubChat | None:
    """The club's nudge as one chat message naming each member to nudge (mentioned where the
    Members tab has their chat ID), with their goals due at ``meeting`` and the sheet's link."""
    if config.chat is None or "nudge" not in config.chat.post:
        return None
    from sheetmentor.outbound.chat import ChatMessage, Section

    if contexts is None:
        contexts = NudgeContexts(
            config, club, schedule, meeting, as_of=schedule.day(now), memory=memory
        )
    context = contexts.context()
    names = set(to_nudge(config, club, memory))
    sections = [
        Section(
            person["name"],
            [_goal_line(goal) for goal in person["due"]]
            + [
                _("%(goal)s (carried over)") % {"goal": _goal_line(goal)}
                for goal in person["carried"]
            ]
            or [_("no goal due")],
            member=person["name"],
        )
        for person in context["members"]
        if person["name"] in names
    ]
    if not sections:
        return None
    sheet = context["sheet"]
    where = sheet["url"] or sheet["name"]
    when = current().weekday_date(meeting.date)
    message = ChatMessage(
        kind="nudge",
        date=meeting.date,
        title=_("%(club)s: please update your row before %(date)s")
        % {"club": club.name, "date": when},
        intro=[_("Update your goals in %(sheet)s before the meeting.") % {"sheet": where}],
        sections=sections,
    )
    return _club_message(club, config.chat, message)


def revealed_context(
    config: Config,
    kind: Literal["agenda", "recap"],
    club: Club,
    schedule: Schedule,
    meeting: Meeting,
    as_of: dt.date,
    memory: MeetingMemory | None,
) -> dict[str, Any]:
    """The agenda or recap context of ``meeting`` with every private goal named: figures and
    goals computed once, for a run's e-mails and chat message alike, each masking what its
    reader may not see."""
    build = agenda_context if kind == "agenda" else recap_context
    return build(
        club,
        schedule,
        meeting,
        as_of=as_of,
        cap=config.club.cap,
        memory=memory,
        config=config,
        reveal_private=True,
    )


def _three(name: str, context: dict[str, Any], config: Config) -> tuple[str, str, str]:
    """The subject, text and HTML of template set ``name`` for ``context``."""
    return tuple(  # type: ignore[return-value]
        render_template(f"{name}{suffix}", context, config.templates).strip("\n") + end
        for suffix, end in ((".subject.j2", ""), (".txt.j2", "\n"), (".html.j2", "\n"))
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
    only: list[str] | None = None,
) -> Mailing:
    """One message to the group (``<key>/group``), or one per member with an email
    (``<key>/<address>``), rendered for that member when ``personal``. Members that cannot be
    mailed become :class:`Unsendable` under ``<key>/<address>`` (``<key>/<address> (<name>)``
    when an earlier member has that address). ``only`` (names) sends one message to each of
    those members, whatever ``email.mode`` says."""
    people, unreachable = addressees(club)
    if only is not None:
        wanted = set(only)
        people = [person for person in people if person.name in wanted]
        unreachable = [member for member in unreachable if member.name in wanted]
    if email.mode == "group" and email.to and only is None:
        unreachable = []  # the list address stands for everyone
    taken = {person.address.addr_spec.lower() for person in people}
    unsendable = []
    for member in unreachable:
        where = member.email.lower()
        unsendable_key = f"{key}/{where} ({member.name})" if where in taken else f"{key}/{where}"
        unsendable.append(Unsendable(unsendable_key, (member.email,), member.reason, kind))
    if email.mode == "group" and only is None:
        subject, text, html = _guarded(render(None), None)
        to = _group_addresses(email, people)
        message = Outgoing(f"{key}/group", to, subject, text, html, calendar, kind)
        return Mailing(key, kind, [message], unsendable)
    messages: list[Outgoing | Pending] = []
    for person in people:
        address_key = f"{key}/{person.address.addr_spec.lower()}"
        to = (person.address,)
        made = functools.partial(
            _outgoing, render, person.name if personal else None, address_key, to, calendar, kind
        )
        messages.append(Pending(address_key, to, kind, made))
    if messages:
        # A broken template breaks every message: the first is rendered now, so that error
        # stops the run before anything is planned or sent.
        messages[0] = messages[0].outgoing()
    return Mailing(key, kind, messages, unsendable)


def _outgoing(
    render: Callable[[str | None], tuple[str, str, str]],
    recipient: str | None,
    key: str,
    to: tuple[Address, ...],
    calendar: bytes | None,
    kind: str,
) -> Outgoing:
    """One member's message, rendered now (for :class:`Pending`) and guarded for its reader."""
    subject, text, html = _guarded(render(recipient), recipient)
    return Outgoing(key, to, subject, text, html, calendar, kind)


def _guarded(parts: tuple[str, str, str], reader: str | None) -> tuple[str, str, str]:
    """Subject, text and HTML of one message, each through :func:`sheetmentor.privacy.guard`
    for its one reader (None: everyone on the list)."""
    subject, text, html = (guard(part, reader) for part in parts)
    return subject, text, html


def _club_message(club: Club, config: ChatConfig, message: ChatMessage) -> ClubChat:
    """A club-level chat message, every line through :func:`sheetmentor.privacy.guard` (the
    channel is the club's)."""
    from sheetmentor.outbound.chat import ChatMessage, Section

    guarded = ChatMessage(
        kind=message.kind,
        date=message.date,
        title=guard(message.title),
        intro=[guard(line) for line in message.intro],
        sections=[
            Section(guard(s.heading), [guard(line) for line in s.lines], s.member)
            for s in message.sections
        ],
    )
    return ClubChat(config, guarded, member_chat_ids(club))


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
    now = clock.instant(now, "now")
    meeting = schedule.last_ended(now - settings.recap_delay)
    if meeting is None:
        return Due(None)
    due_from = clock.later(meeting.end, settings.recap_delay)
    name = mailing_name("recap", meeting)
    if ledger.complete(name):
        log.info("the recap of %s was sent already", meeting.date)
        return Due(None)
    behind = clock_behind(config, ledger, "recap", meeting, now)
    if behind is not None:
        return Due(None, behind)
    age = now - due_from
    if age > settings.recap_max_age and not ledger.planned(name):
        old = _age_in_words(age)
        log.info("the recap of %s is %s old, more than meetings.recap_max_age", meeting.date, old)
        if not _installed_before(ledger, due_from):
            return Due(None)  # an installation newer than this recap has missed nothing
        if not ledger.expire(name, "recap"):
            return Due(None)  # said once
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


def clock_behind(
    config: Config, ledger: Ledger, kind: str, meeting: Meeting, now: dt.datetime
) -> str | None:
    """Why cron must not send ``kind`` for ``meeting`` at ``now``: the ledger already has the
    recap (or the nudges) of a later meeting, so the clock went back (``SHEETMENTOR_NOW``, or a
    system clock reset). None when ``meeting`` is not older than what was sent."""
    same = ledger.newest_meeting(kind)
    later = same if same is not None and same > meeting.date else None
    if kind == "nudge":
        recap = ledger.newest_meeting("recap")  # a meeting with a recap needs no reminder
        if recap is not None and recap >= meeting.date:
            later = max(later or recap, recap)
    if later is None:
        return None
    what = "recap" if kind == "recap" else "nudges"
    command = f"sheetmentor {kind} --send --meeting {meeting.date.isoformat()}"
    if config.path is not None:
        command = f"sheetmentor --config {shlex.quote(str(config.path))} {kind} --send " + (
            f"--meeting {meeting.date.isoformat()}"
        )
    return (
        f"the {what} of {meeting.date.isoformat()} not sent: the clock says "
        f"{clock.local(now, config.meetings.zone):%Y-%m-%d %H:%M}, but the ledger has already "
        f"sent for the meeting of {later.isoformat()}; is the clock right? To send it anyway: "
        f"{command}"
    )


def _age_in_words(age: dt.timedelta) -> str:
    """``age`` as a reader says it: "9 days", or hours when under a day ("5 hours")."""
    if age.days:
        return f"{age.days} day{'s' if age.days != 1 else ''}"
    hours = max(1, age.seconds // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def nudge_meeting(schedule: Schedule, now: dt.datetime) -> Meeting:
    """The meeting a nudge at ``now`` is for: the first that has not started yet."""
    moment = clock.instant(now, "now")
    meeting = schedule.next_meeting(schedule.day(moment))
    while meeting.start <= moment:
        following = schedule.following(meeting)
        if following is None:
            raise ConfigError(f"no meeting scheduled after {schedule.day(moment).isoformat()}")
        meeting = following
    return meeting


def due_nudge(config: Config, schedule: Schedule, now: dt.datetime) -> Meeting | None:
    """The meeting whose nudges cron should send now: the next one, from
    ``meetings.nudge_before`` before it starts until it starts, unless its nudges are complete
    in the ledger. ``nudge_before: 0`` turns nudges off. Decide it under the send lock."""
    before = config.meetings.nudge_before
    if not before:
        return None
    meeting = nudge_meeting(schedule, now)
    return None if clock.instant(now, "now") < clock.later(meeting.start, -before) else meeting


def _installed_before(ledger: Ledger, moment: dt.datetime) -> bool:
    """Some message was planned in this ledger before ``moment``: the installation was there."""
    if not ledger.ever_planned():
        return False
    oldest = ledger.history()
    return bool(oldest) and oldest[0].created_at <= moment


def crontab_line(config: Config, minute: int) -> str:
    """An hourly crontab entry with absolute paths; cron mails its output, which is only errors.

    A club with nowhere to send (no ``email`` or ``chat`` block) gets ``record`` instead of
    ``send-due``: its previews then compare with the sheet as it was at each meeting, which
    only a recording run stores. It runs with ``-q``, which keeps ``record``'s line for a person
    at a terminal out of cron's mail; errors still reach it."""
    beside_python = Path(sys.executable).parent / "sheetmentor"
    if beside_python.exists():
        program = [str(beside_python)]
    elif shutil.which("sheetmentor"):
        program = [str(Path(shutil.which("sheetmentor")).resolve())]
    else:
        program = [sys.executable, "-m", "sheetmentor"]
    sends = config.email is not None or config.chat is not None
    action = ["send-due"] if sends else ["-q", "record"]
    command = [*program, "--config", str(config.path), *action]
    lines = []
    smtp = config.email.smtp if config.email else None
    if smtp and smtp.password_env:
        lines.append(f"# {smtp.password_env} must be set for cron, e.g. in the crontab's header")
    lines.append(f"{minute % 60} * * * * {shlex.join(command)}")
    return "\n".join(lines)
