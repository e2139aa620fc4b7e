"""A fake clock for retry tests: time moves only when the code under test sleeps.

Retries are tested without waiting and without timed assertions: the test reads the waits the
code asked for (``sleeps``) and what the emulator received.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sheetmentor.sheet.sources.google import RetryPolicy


@dataclass
class FakeClock:
    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def policy(self, budget: float, seed: int = 3) -> RetryPolicy:
        """A retry policy on this clock, with seeded jitter."""
        return RetryPolicy(
            budget=budget, clock=self.clock, sleep=self.sleep, rng=random.Random(seed)
        )
