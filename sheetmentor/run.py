"""One command run, built once at its start and handed down: the config, the clock's "now",
whether the state folder existed, and — each made the first time a stage asks — the club read
from the sheet, its schedule and its figures.

Cron's ``send-due`` is a recap run and a nudge run in one: built on one :class:`Run`, the two
read the sheet once (one Sheets request, not two) and the sheet is recorded in the meeting
history once, after both consulted it, so that neither compares the sheet with itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sheetmentor import clock

if TYPE_CHECKING:
    from sheetmentor.analysis import Completion
    from sheetmentor.config import Config
    from sheetmentor.schedule import Schedule
    from sheetmentor.sheet.normalize import Club

__all__ = ["Run", "read_sheet"]

log = logging.getLogger("sheetmentor.run")


@dataclass
class Run:
    """What one command run knows; make it with :meth:`start`."""

    config: Config
    now: dt.datetime
    """The clock at the start of the run (aware, club time): what the history records."""
    state_existed: bool
    """The state folder existed before the run: a missing history store is then worth a
    warning (someone removed it), not a first run."""
    _club: Club | None = field(default=None, repr=False)
    _schedules: dict[dt.date, Schedule] = field(default_factory=dict, repr=False)
    _figures: Completion | None = field(default=None, repr=False)

    @classmethod
    def start(cls, config: Config, now: dt.datetime | None = None) -> Run:
        """A run of ``config`` at ``now`` (default: :func:`sheetmentor.clock.now`)."""
        zone = config.meetings.zone
        now = clock.instant(clock.now(zone) if now is None else now, "now").astimezone(zone)
        return cls(config=config, now=now, state_existed=config.state.is_dir())

    @property
    def club(self) -> Club:
        """The sheet, read and normalized the first time it is asked for, never again."""
        if self._club is None:
            self._club = read_sheet(self.config)
        return self._club

    def schedule(self, as_of: dt.date) -> Schedule:
        """The club's schedule as of ``as_of`` (built once per day asked for)."""
        if as_of not in self._schedules:
            from sheetmentor.render.contexts import schedule_for

            self._schedules[as_of] = schedule_for(self.config, self.club, as_of)
        return self._schedules[as_of]

    @property
    def figures(self) -> Completion:
        """Completion per tier and category of :attr:`club` (computed once)."""
        if self._figures is None:
            from sheetmentor.analysis import completion_by_tier

            self._figures = completion_by_tier(self.club)
        return self._figures

    @property
    def read(self) -> bool:
        """Whether this run has read the sheet."""
        return self._club is not None

    def record(self) -> bool:
        """Record the club in the meeting history as seen at :attr:`now` — never an
        ``--as-of`` — unless it has errors (a ``--force`` run must not store half-read goals).
        Returns whether a new snapshot was stored (:func:`sheetmentor.memory.remember`)."""
        club = self.club
        if club.sheet_errors:
            return False
        from sheetmentor.memory import remember

        return remember(
            self.config.state,
            club,
            self.schedule(clock.club_day(self.now, self.config.meetings.zone)),
            self.now,
            expect_history=self.state_existed,
        )


def read_sheet(config: Config) -> Club:
    """The sheet read and normalized, with every goal the meeting history ever recorded private
    still private (:func:`sheetmentor.memory.with_private_history`): every command reads the
    club through here, so no output can forget a goal's private past, and
    :func:`sheetmentor.privacy.guard` knows what to look for in every text that leaves."""
    from sheetmentor.memory import with_private_history
    from sheetmentor.privacy import private_goals, watch
    from sheetmentor.sheet.normalize import read_club

    club = with_private_history(config.state, read_club(config))
    watch(private_goals(club))
    return club
