"""Run one ``deliver`` in its own process, for the concurrency and ``kill -9`` tests.

    python tests/delivery_driver.py CONFIG --count N [--ready FILE] [--pause-at STAGE:K FILE]

It reads a real sheetmentor config (SMTP server, state folder), sends N small recaps
(``recap/2026-11-24/m<i>@example.org``) and prints the report as JSON. The pause points live
here, not in the library: ``--pause-at send:K FILE`` stops just before the K-th message goes to
the server (its ledger row says ``planned``), ``--pause-at mark:K FILE`` just before the K-th
row is marked ``sending``, at the handover (the server has said 354 to DATA; the earlier rows
are ``sent``). On reaching the point the driver
creates FILE and waits to be killed. ``--ready FILE`` is created right before ``deliver`` runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from sheetmentor.config import load_config
from sheetmentor.outbound.ledger import Entry, Ledger
from sheetmentor.outbound.mime import Outgoing, address
from sheetmentor.outbound.transport import Accepted, Envelope, Transport, deliver, transport_for


def outgoings(count: int) -> list[Outgoing]:
    return [
        Outgoing(
            key=f"recap/2026-11-24/m{i}@example.org",
            to=(address(f"Member {i}", f"m{i}@example.org"),),
            subject=f"Recap for member {i}",
            text=f"Hello member {i}\n",
            html=f"<html><head><style>p{{color:#333}}</style></head><body><p>Hi {i}</p></body>",
        )
        for i in range(count)
    ]


def wait_to_be_killed(sentinel: Path) -> None:
    sentinel.touch()
    threading.Event().wait()


class PausingTransport(Transport):
    """Delegates to the real transport; stops before the ``pause``-th send."""

    def __init__(self, inner: Transport, pause: int, sentinel: Path) -> None:
        self.inner, self.pause, self.sentinel, self.calls = inner, pause, sentinel, 0

    def open(self) -> None:
        self.inner.open()

    def send(self, envelope: Envelope, handover: Callable[[], None] | None = None) -> Accepted:
        self.calls += 1
        if self.calls == self.pause:
            wait_to_be_killed(self.sentinel)
        return self.inner.send(envelope, handover)

    def close(self) -> None:
        self.inner.close()


class PausingLedger(Ledger):
    """Stops before the ``pause``-th ``mark_sending``."""

    pause = 0
    sentinel = Path()
    calls = 0

    def mark_sending(self, key: str, **kwargs: object) -> Entry:
        self.calls += 1
        if self.calls == self.pause:
            wait_to_be_killed(self.sentinel)
        return super().mark_sending(key, **kwargs)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("config", type=Path)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--pause-at", nargs=2, metavar=("STAGE:K", "FILE"))
    parser.add_argument("--lock-timeout", type=float, default=60.0)
    args = parser.parse_args()

    config = load_config(args.config)
    assert config.email is not None
    transport = transport_for(config.email)
    ledger: Ledger = Ledger.open(config.state)
    if args.pause_at:
        stage, _, number = args.pause_at[0].partition(":")
        sentinel = Path(args.pause_at[1])
        if stage == "send":
            transport = PausingTransport(transport, int(number), sentinel)
        else:
            ledger.close()
            ledger = PausingLedger.open(config.state)
            ledger.pause, ledger.sentinel = int(number), sentinel  # type: ignore[attr-defined]
    if args.ready:
        args.ready.touch()
    with ledger, transport:
        report = deliver(
            outgoings(args.count),
            transport,
            ledger,
            email=config.email,
            club_name=config.club.name,
            lock_timeout=args.lock_timeout,
            backoff=0.0,
        )
    summary = {
        status: [o.key for o in report.outcomes if o.status == status]
        for status in ("sent", "skipped", "held", "failed", "deferred")
    }
    summary["resent"] = [o.key for o in report.outcomes if o.resent]
    json.dump(summary, sys.stdout)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
