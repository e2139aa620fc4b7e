"""Exactly once, through the CLI: ``python -m sheetmentor … recap --send`` in its own process,
killed, hung, run twice or three times at once, against a real SMTP server on loopback.

Every run reads ``SHEETMENTOR_NOW``, the clock cron would read. The bound these tests hold the
code to: every member gets their recap, under exactly one Message-ID; a member gets a second copy
(same Message-ID) only when the server took the message and the sender never heard it answer —
the in-doubt resend, at most one per message, in a later run.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_faults import (
    DAY_LATER,
    HOUR_LATER,
    MEETING_ENDED,
    Killer,
    finish,
    invoke,
    members,
    smtp_settings,
    start,
    tally,
    write_club,
)
from smtp_servers import Server, drip_server, smtp_server

COUNT = 4
ADDRESSES = members(COUNT)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stage", "points"),
    [
        # MAIL k+1: killed after k messages were sent and committed (k = 0 … n; n = no kill).
        ("MAIL", range(1, COUNT + 2)),
        # DATA k: the server recorded message k, the sender dies before it hears 250.
        ("DATA", range(1, COUNT + 1)),
    ],
    ids=["between-messages", "after-the-server-accepted"],
)
def test_kill_9_at_every_point_then_cron_an_hour_and_a_day_later(
    tmp_path: Path, stage: str, points: range
) -> None:
    """Each point has its own club and server; the first runs (real processes, killed by the
    server) go at once, then cron's runs an hour and a day later (the same CLI, in-process:
    nobody dies there)."""
    with contextlib.ExitStack() as stack:
        scenarios = {}
        for at in points:
            server = stack.enter_context(smtp_server())
            killer = Killer(stage, at)
            killer.attach(server)
            config = write_club(tmp_path / f"{stage}-{at}", smtp_settings(server), count=COUNT)
            process = start(config, "recap", "--send", now=MEETING_ENDED)
            killer.pid = process.pid
            scenarios[at] = (server, killer, config, process)
        for at, (server, killer, config, process) in scenarios.items():
            first = finish(process)
            killed = at <= COUNT
            assert killer.fired == killed, at
            assert first.returncode == (-9 if killed else 0), (at, first.stderr)
            hour = invoke(config, "recap", "--send", now=HOUR_LATER)
            assert hour.returncode == 0, (at, hour.stderr)
            after_an_hour = len(server.recorder.received)
            day = invoke(config, "recap", "--send", now=DAY_LATER)
            assert (day.returncode, day.stderr) == (0, ""), at
            assert len(server.recorder.received) == after_an_hour, at

            found = tally(server.recorder.received, ADDRESSES)
            assert found.missing == 0, (at, found)
            assert found.duplicates == 0, (at, found)
            assert all(len(set(ids)) == 1 for ids in found.per_member.values())
            # The bound: one extra copy, same Message-ID, only for the message the server took
            # while its sender died waiting for the answer.
            assert found.resends == (1 if stage == "DATA" else 0), (at, found)
            assert found.delivered == COUNT + found.resends, (at, found)


@pytest.mark.slow
@pytest.mark.parametrize("runs", [2, 3])
def test_concurrent_runs_send_each_member_one_recap(tmp_path: Path, runs: int) -> None:
    with smtp_server() as server:
        config = write_club(tmp_path, smtp_settings(server), count=COUNT)
        processes = [start(config, "recap", "--send", now=MEETING_ENDED) for _ in range(runs)]
        results = [finish(p) for p in processes]
        assert [r.returncode for r in results] == [0] * runs, [r.stderr for r in results]
        found = tally(server.recorder.received, ADDRESSES)
    assert (found.delivered, found.missing, found.duplicates, found.resends) == (COUNT, 0, 0, 0)


@pytest.fixture
def hanging() -> Iterator[tuple[Server, threading.Event]]:
    """A server that records each message and never answers the end of DATA (until released)."""
    release = threading.Event()
    with smtp_server() as server:
        server.recorder.on_data = lambda received: release.wait(30)
        yield server, release
        release.set()


def test_a_server_that_never_answers_data_gets_each_message_at_most_twice(
    tmp_path: Path, hanging: tuple[Server, threading.Event]
) -> None:
    server, release = hanging
    config = write_club(tmp_path, smtp_settings(server, timeout="1s"), count=COUNT)
    first = invoke(config, "-v", "recap", "--send", now=MEETING_ENDED)
    assert first.returncode == 3, first.stderr
    assert "no answer from" in first.stderr and "the server may have it" in first.stderr
    assert len(server.recorder.received) == 1, first.stderr  # stops at the first silence
    second = invoke(config, "recap", "--send", now=HOUR_LATER)
    assert second.returncode == 3, second.stderr
    assert len(server.recorder.received) == 2, (first.stderr, second.stderr)  # one resend
    release.set()
    server.recorder.on_data = None
    third = invoke(config, "recap", "--send", now="2026-11-17T16:00")
    assert third.returncode == 1  # the first member's message: still in doubt, failed for good
    assert "not sent a third time" in third.stderr and "--retry-failed" in third.stderr
    found = tally(server.recorder.received, ADDRESSES)
    assert (found.missing, found.duplicates, found.resends) == (0, 0, 1)
    assert found.per_member[ADDRESSES[0]] == [found.per_member[ADDRESSES[0]][0]] * 2
    day = invoke(config, "recap", "--send", now=DAY_LATER)
    assert (day.returncode, day.stderr) == (0, "")
    assert tally(server.recorder.received, ADDRESSES).delivered == COUNT + 1


def test_a_deleted_ledger_is_a_refusal_not_a_resend(tmp_path: Path) -> None:
    with smtp_server() as server:
        config = write_club(tmp_path, smtp_settings(server), count=COUNT)
        assert invoke(config, "recap", "--send", now=MEETING_ENDED).returncode == 0
        for suffix in ("", "-wal", "-shm"):
            (tmp_path / ".sheetmentor" / f"ledger.sqlite3{suffix}").unlink(missing_ok=True)
        refused = invoke(config, "recap", "--send", now=HOUR_LATER)
        assert refused.returncode == 1
        assert "ledger" in refused.stderr and "is missing" in refused.stderr
        assert "--new-ledger" in refused.stderr and "Traceback" not in refused.stderr
        assert len(server.recorder.received) == COUNT
        anyway = invoke(config, "recap", "--send", "--new-ledger", now=HOUR_LATER)
        assert anyway.returncode == 0, anyway.stderr
        assert len(server.recorder.received) == 2 * COUNT  # what the override is documented to do


def test_a_deleted_state_folder_is_a_refusal_not_a_resend(tmp_path: Path) -> None:
    """The whole state folder deleted — between two runs, or while a run is sending: no
    member gets the recap twice; the next run refuses, naming --new-ledger."""
    import shutil

    with smtp_server() as server:
        config = write_club(tmp_path, smtp_settings(server), count=COUNT)
        state = tmp_path / ".sheetmentor"
        seen = []

        def delete_the_state_folder() -> None:
            seen.append(1)
            if len(seen) == 2:
                shutil.rmtree(state)

        server.recorder.on_mail = delete_the_state_folder
        during = invoke(config, "recap", "--send", now=MEETING_ENDED)
        assert during.returncode == 0, during.stderr
        assert not (state / "ledger.sqlite3").exists()  # the run records the sheet when it ends
        for when in (HOUR_LATER, DAY_LATER):
            refused = invoke(config, "recap", "--send", now=when)
            assert refused.returncode == 1, refused.stderr
            assert "ledger" in refused.stderr and "is missing" in refused.stderr
            assert "was the state folder deleted?" in refused.stderr
            assert "--new-ledger" in refused.stderr and "Traceback" not in refused.stderr
        found = tally(server.recorder.received, ADDRESSES)
        assert (found.missing, found.duplicates, found.resends) == (0, 0, 0)


def test_a_state_folder_restored_from_an_older_copy_is_a_refusal(tmp_path: Path) -> None:
    """A backup of the state folder taken after the Nov 17 recap, restored after the Dec 1
    recap went out: its ledger does not know the Dec 1 recap, so the run refuses instead of
    sending it again; --new-ledger goes on with it (and sends it again, as documented)."""
    import shutil

    with smtp_server() as server:
        config = write_club(tmp_path, smtp_settings(server), count=2)
        state = tmp_path / ".sheetmentor"
        assert invoke(config, "recap", "--send", now=MEETING_ENDED).returncode == 0
        shutil.copytree(state, tmp_path / "backup")
        assert invoke(config, "recap", "--send", now="2026-12-01T14:00").returncode == 0
        shutil.rmtree(state)
        shutil.copytree(tmp_path / "backup", state)
        refused = invoke(config, "recap", "--send", now="2026-12-01T15:00")
        assert refused.returncode == 1, refused.stderr
        assert "does not know 1 mailing sent from this state folder (recap/2026-12-01)" in (
            refused.stderr
        )
        assert "--new-ledger" in refused.stderr and "Traceback" not in refused.stderr
        assert len(server.recorder.received) == 4
        anyway = invoke(config, "recap", "--send", "--new-ledger", now="2026-12-01T15:00")
        assert anyway.returncode == 0, anyway.stderr
        later = invoke(config, "recap", "--send", now="2026-12-01T16:00")
        assert (later.returncode, later.stderr) == (0, "")
        assert len(server.recorder.received) == 6


# --- faults that end a run, each with its exit code --------------------------------------------


def test_connection_refused_and_unknown_host_are_exit_3(tmp_path: Path) -> None:
    with smtp_server() as server:
        port = server.port
    closed = write_club(tmp_path / "closed", smtp_settings(("127.0.0.1", port)), count=2)
    result = invoke(closed, "recap", "--send", now=MEETING_ENDED)
    assert result.returncode == 3
    assert "cannot connect" in result.stderr and "Traceback" not in result.stderr
    unknown = write_club(tmp_path / "dns", smtp_settings(("mail.invalid", 25)), count=2)
    result = invoke(unknown, "recap", "--send", now=MEETING_ENDED)
    assert result.returncode == 3
    assert "mail.invalid" in result.stderr and "Traceback" not in result.stderr


def test_a_slow_drip_server_is_cut_off_by_the_timeout(tmp_path: Path) -> None:
    with drip_server(interval=0.3) as address:
        config = write_club(tmp_path, smtp_settings(address, timeout="1s"), count=2)
        result = invoke(config, "recap", "--send", now=MEETING_ENDED)
    assert result.returncode == 3
    assert "within 1 s" in result.stderr and "Traceback" not in result.stderr


def test_bad_recipients_fail_alone_and_the_others_get_theirs(tmp_path: Path) -> None:
    rows = [
        ["Member 1", "m1@example.org", "yes"],
        ["Line\nBreak", "lb@example.org", "yes"],
        ["Twin", "M1@example.org", "yes"],
        ["Élodie", "élodie@example.org", "yes"],
        ["Member 2", "m2@example.org", "yes"],
    ]
    with smtp_server(enable_SMTPUTF8=False) as server:
        config = write_club(tmp_path, smtp_settings(server), rows=rows)
        result = invoke(config, "recap", "--send", now=MEETING_ENDED)
        received = sorted(r.rcpt_tos[0] for r in server.recorder.received)
        assert received == ["m1@example.org", "m2@example.org"]
    assert result.returncode == 1, result.stderr
    assert "3 delivery problems" in result.stderr
    assert "line break" in result.stderr
    assert "also the address of Member 1" in result.stderr
    assert "SMTPUTF8" in result.stderr
    assert "Traceback" not in result.stderr
    again = invoke(config, "recap", "--send", now=HOUR_LATER)
    assert (again.returncode, again.stderr) == (0, "")  # reported once, not every hour
    log = (tmp_path / ".sheetmentor" / "mailings.log").read_text()
    assert log.splitlines() == ["2026-11-17T19:00:00+00:00 planned recap/2026-11-17: 5 messages"]
    status = invoke(config, "recap", "--status", now=HOUR_LATER).stdout.splitlines()
    assert status[0] == "times in America/Toronto"
    assert sorted(line.split()[:3] for line in status[1:]) == [
        ["2026-11-17", "14:00", state] for state in ["failed"] * 3 + ["sent"] * 2
    ]
    assert "recap/2026-11-17/m1@example.org (Twin)" in "\n".join(status)


def test_an_address_that_is_not_one_stops_only_that_members_recap(tmp_path: Path) -> None:
    """A typo, a second address or a ``Bcc:`` line smuggled into one member's address cell:
    that member's recap fails (exit 1, the cell named, once); everyone else gets theirs, and
    nothing goes to the smuggled address. ``check`` still reports each cell."""
    rows = [
        ["Member 1", "m1@example.org", "yes"],
        ["Ben Carter", "ben@@example", "yes"],
        ["Smuggler", "sm@example.org\r\nBcc: spy@example.net", "yes"],
        ["Two Boxes", "tb@example.org, spy@example.net", "yes"],
        ["Member 2", "m2@example.org", "yes"],
    ]
    with smtp_server() as server:
        config = write_club(tmp_path, smtp_settings(server), rows=rows)
        check = invoke(config, "check", now=MEETING_ENDED)
        result = invoke(config, "recap", "--send", now=MEETING_ENDED)
        again = invoke(config, "recap", "--send", now=HOUR_LATER)
        received = server.recorder.received
    assert check.returncode == 1, check.stdout + check.stderr
    for cell in ("Members!B3", "Members!B4", "Members!B5"):
        assert f"error: {cell}: " in check.stdout, check.stdout
    assert "has no email address" not in check.stdout + check.stderr
    assert sorted(rcpt for message in received for rcpt in message.rcpt_tos) == [
        "m1@example.org",
        "m2@example.org",
    ]
    assert not any(b"spy@" in message.data for message in received)
    assert result.returncode == 1, result.stderr
    assert "3 delivery problems" in result.stderr
    assert '"ben@@example" is not an email address' in result.stderr
    assert "Members!B4" in result.stderr and "line break" in result.stderr
    assert "\nBcc" not in result.stderr and "Traceback" not in result.stderr
    assert (again.returncode, again.stderr) == (0, "")


def recaps_of(received: list, address: str) -> list[str]:
    """The subjects of the messages ``address`` received, in order."""
    return [r.message["Subject"] for r in received if address in r.rcpt_tos]


def test_a_deferred_recap_is_retried_after_the_next_meeting_ended(tmp_path: Path) -> None:
    """A mailbox full (452) on Nov 17; an extra meeting on Nov 19 ends before the server takes
    mail again: the Nov 19 run sends the Nov 19 recap to everyone *and* the deferred Nov 17
    recap to the one member who has not had it — to nobody else, and only once."""
    with smtp_server() as server:
        config = write_club(tmp_path, smtp_settings(server), count=3)
        from openpyxl import load_workbook

        book = load_workbook(tmp_path / "club.xlsx")
        book["Meetings"].append(["2026-11-19", "Member 1"])
        book.save(tmp_path / "club.xlsx")
        server.recorder.refuse["m2@example.org"] = "452 4.2.2 mailbox full"
        first = invoke(config, "recap", "--send", now=MEETING_ENDED)
        assert first.returncode == 3, first.stderr
        assert "recap/2026-11-17/m2@example.org: deferred" in first.stderr
        del server.recorder.refuse["m2@example.org"]
        later = invoke(config, "recap", "--send", now="2026-11-19T14:00")
        assert (later.returncode, later.stderr) == (0, "")
        again = invoke(config, "recap", "--send", now="2026-11-19T15:00")
        assert (again.returncode, again.stderr) == (0, "")
        received = server.recorder.received
    assert [len(recaps_of(received, a)) for a in members(3)] == [2, 2, 2]
    subjects = " | ".join(recaps_of(received, "m2@example.org"))
    assert "November 17" in subjects and "November 19" in subjects, subjects


def test_a_deferred_recap_whose_meeting_was_removed_is_failed_once(tmp_path: Path) -> None:
    """The extra Nov 19 meeting's recap was deferred for one member, then its Meetings row
    was deleted: the next run cannot render it any more, records it failed and says so once
    (no exit 2 every hour for ever)."""
    from openpyxl import load_workbook

    with smtp_server() as server:
        config = write_club(tmp_path, smtp_settings(server), count=2)
        book = load_workbook(tmp_path / "club.xlsx")
        book["Meetings"].append(["2026-11-19", "Member 1"])
        book.save(tmp_path / "club.xlsx")
        assert invoke(config, "recap", "--send", now=MEETING_ENDED).returncode == 0
        server.recorder.refuse["m2@example.org"] = "452 4.2.2 mailbox full"
        deferred = invoke(config, "recap", "--send", now="2026-11-19T14:00")
        assert deferred.returncode == 3, deferred.stderr
        book = load_workbook(tmp_path / "club.xlsx")
        book["Meetings"].delete_rows(3)
        book.save(tmp_path / "club.xlsx")
        del server.recorder.refuse["m2@example.org"]
        gone = invoke(config, "recap", "--send", now="2026-11-20T14:00")
        assert gone.returncode == 0, gone.stderr
        assert "recap/2026-11-19: 1 message not sent: no meeting on 2026-11-19" in gone.stderr
        quiet = invoke(config, "recap", "--send", now="2026-11-20T15:00")
        assert (quiet.returncode, quiet.stderr) == (0, "")
    status = invoke(config, "recap", "--status", now="2026-11-20T15:00").stdout
    assert "failed    recap/2026-11-19/m2@example.org" in status


def test_a_nudge_still_deferred_when_its_meeting_starts_is_failed_not_dropped(
    tmp_path: Path,
) -> None:
    """452 for one member's nudge before the Dec 1 meeting; once the meeting started it will
    never be due again: cron's next run records it failed and reports it (exit 1), once."""
    with smtp_server() as server:
        config = write_club(tmp_path, smtp_settings(server), count=2)
        server.recorder.refuse["m2@example.org"] = "452 4.2.2 mailbox full"
        nudged = invoke(config, "send-due", now="2026-11-29T13:00")
        assert nudged.returncode == 3, nudged.stderr
        assert "nudge/2026-12-01/m2@example.org: deferred" in nudged.stderr
        del server.recorder.refuse["m2@example.org"]
        after = invoke(config, "send-due", now="2026-12-01T14:00")
        assert after.returncode == 1, after.stderr
        assert (
            "nudge/2026-12-01/m2@example.org: failed: not sent before the meeting of 2026-12-01 "
            "started; last error: RCPT TO m2@example.org: 452 4.2.2 mailbox full"
        ) in after.stderr
        quiet = invoke(config, "send-due", now="2026-12-01T15:00")
        assert (quiet.returncode, quiet.stderr) == (0, "")
        received = server.recorder.received
    assert len(recaps_of(received, "m1@example.org")) == 2  # the nudge and the Dec 1 recap
    assert len(recaps_of(received, "m2@example.org")) == 1  # the Dec 1 recap


def test_a_recap_deferred_past_the_queue_lifetime_is_failed_not_dropped(tmp_path: Path) -> None:
    """452 for one member at every run: retried for five days, then recorded failed and
    reported (exit 1) once — also when the next meeting's recap goes out in that run."""
    with smtp_server() as server:
        config = write_club(tmp_path, smtp_settings(server), count=2)
        server.recorder.refuse["m2@example.org"] = "452 4.2.2 mailbox full"
        for when in (MEETING_ENDED, DAY_LATER, "2026-11-22T13:00"):
            deferred = invoke(config, "recap", "--send", now=when)
            assert deferred.returncode == 3, (when, deferred.stderr)
        after = invoke(config, "recap", "--send", now="2026-12-01T14:00")
        assert after.returncode == 1, after.stderr
        assert "recap/2026-11-17/m2@example.org: failed" in after.stderr
        assert "deferred for more than 5 days since 2026-11-17" in after.stderr
        assert "452 4.2.2 mailbox full" in after.stderr
        assert "recap/2026-12-01/m2@example.org: deferred" in after.stderr
        del server.recorder.refuse["m2@example.org"]
        quiet = invoke(config, "recap", "--send", now="2026-12-01T15:00")
        assert (quiet.returncode, quiet.stderr) == (0, "")
        received = server.recorder.received
    assert len(recaps_of(received, "m1@example.org")) == 2
    assert len(recaps_of(received, "m2@example.org")) == 1  # Dec 1's, once the mailbox had room
    status = invoke(config, "recap", "--status", now="2026-12-01T15:00").stdout
    assert "failed    recap/2026-11-17/m2@example.org" in status


def test_a_clock_set_back_never_sends_an_older_meetings_recap(tmp_path: Path) -> None:
    """The Dec 1 recap went out; then the clock says Nov 17 (a reset system clock, a wrong
    SHEETMENTOR_NOW): the Nov 17 recap and the Dec 1 nudges are not sent, and the run says
    why on stderr, with the command that sends it anyway."""
    config = write_club(tmp_path, None, count=2, config={"meetings": {"nudge_before": "2d"}})
    sent = invoke(config, "send-due", now="2026-12-01T14:00")
    assert (sent.returncode, sent.stderr) == (0, "")
    outbox = tmp_path / "outbox"
    assert len(list(outbox.glob("*.eml"))) == 2
    for command, when in (("recap", MEETING_ENDED), ("send-due", MEETING_ENDED)):
        args = (command, "--send") if command == "recap" else (command,)
        back = invoke(config, *args, now=when)
        assert back.returncode == 0, back.stderr
        assert "the recap of 2026-11-17 not sent: the clock says 2026-11-17 14:00" in back.stderr
        assert "already sent for the meeting of 2026-12-01; is the clock right?" in back.stderr
        assert "recap --send --meeting 2026-11-17" in back.stderr
    nudge = invoke(config, "send-due", now="2026-11-30T09:00")
    assert nudge.returncode == 0, nudge.stderr
    assert "the nudges of 2026-12-01 not sent" in nudge.stderr
    assert sorted(p.name for p in outbox.glob("*.eml")) == [
        "recap_2026-12-01_m1@example.org.eml",
        "recap_2026-12-01_m2@example.org.eml",
    ]


def test_a_corrupted_ledger_is_a_clear_error(tmp_path: Path) -> None:
    config = write_club(tmp_path, None, count=2)
    state = tmp_path / ".sheetmentor"
    state.mkdir()
    (state / "ledger.sqlite3").write_bytes(b"this is not a database, it was overwritten" * 40)
    result = invoke(config, "recap", "--send", now=MEETING_ENDED)
    assert result.returncode == 1
    assert "cannot use the ledger" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "outbox").exists()
    status = invoke(config, "recap", "--status", now=MEETING_ENDED)
    assert status.returncode == 1 and "Traceback" not in status.stderr


def test_state_pointing_at_a_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "state.txt").write_text("not a folder")
    config = write_club(tmp_path, None, count=2, config={"state": "state.txt"})
    result = invoke(config, "recap", "--send", now=MEETING_ENDED)
    assert result.returncode == 2
    assert "state:" in result.stderr and "is a file" in result.stderr
    assert "Traceback" not in result.stderr
    status = invoke(config, "recap", "--status", now=MEETING_ENDED)
    assert status.returncode == 2 and "is a file" in status.stderr


def test_state_is_private_and_outbox_names_are_readable(tmp_path: Path) -> None:
    config = write_club(tmp_path, None, count=2)
    assert invoke(config, "recap", "--send", now=MEETING_ENDED).returncode == 0
    state = tmp_path / ".sheetmentor"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in state.iterdir()}
    assert modes and set(modes.values()) == {0o600}, modes
    assert {"ledger.sqlite3", "send.lock", "mailings.log"} <= set(modes)
    names = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert names == ["recap_2026-11-17_m1@example.org.eml", "recap_2026-11-17_m2@example.org.eml"]


def test_retry_failed_without_meeting_resends_the_failed_ones(tmp_path: Path) -> None:
    with smtp_server() as server:
        server.recorder.refuse["m2@example.org"] = "550 5.1.1 no such user"
        config = write_club(tmp_path, smtp_settings(server), count=3)
        first = invoke(config, "recap", "--send", now=MEETING_ENDED)
        assert first.returncode == 1 and "550 5.1.1" in first.stderr
        assert invoke(config, "recap", "--send", now=HOUR_LATER).returncode == 0  # complete
        del server.recorder.refuse["m2@example.org"]
        retry = invoke(config, "recap", "--send", "--retry-failed", now=DAY_LATER)
        assert (retry.returncode, retry.stderr) == (0, "")
        found = tally(server.recorder.received, members(3))
    assert (found.delivered, found.missing, found.duplicates) == (3, 0, 0)
    nothing = invoke(config, "recap", "--send", "--retry-failed", now=DAY_LATER)
    assert nothing.returncode == 0 and "no recap has a failed message" in nothing.stderr


def test_a_recap_too_old_to_send_is_said_once_with_the_command(tmp_path: Path) -> None:
    config = write_club(tmp_path, None, count=2)
    assert invoke(config, "recap", "--send", now="2026-11-03T14:00").returncode == 0  # sent one
    late = invoke(config, "recap", "--send", now="2026-11-24T10:00")  # Nov 17's is 6 days old
    assert late.returncode == 0 and late.stdout == ""
    assert "the recap of 2026-11-17 was not sent: it is 6 days old" in late.stderr
    assert f"--config {config} recap --send --meeting 2026-11-17" in late.stderr
    again = invoke(config, "recap", "--send", now="2026-11-24T11:00")
    assert (again.returncode, again.stderr) == (0, "")
    anyway = invoke(config, "recap", "--send", "--meeting", "2026-11-17", now="2026-11-24T11:00")
    assert anyway.returncode == 0
    assert len(list((tmp_path / "outbox").glob("recap_2026-11-17_*.eml"))) == 2


def test_agenda_send_goes_once_per_member_and_persists_the_plan(tmp_path: Path) -> None:
    with smtp_server() as server:
        config = write_club(tmp_path, smtp_settings(server), count=3)
        args = ("agenda", "--send", "--date", "2026-12-01")
        processes = [start(config, *args, now="2026-11-30T09:00") for _ in range(2)]
        assert [finish(p).returncode for p in processes] == [0, 0]
        assert invoke(config, *args, now="2026-11-30T10:00").returncode == 0
        found = tally(server.recorder.received, members(3))
    assert (found.delivered, found.missing, found.duplicates) == (3, 0, 0)
    with sqlite3.connect(tmp_path / ".sheetmentor" / "ledger.sqlite3") as db:
        rows = db.execute("SELECT mailing, state FROM messages").fetchall()
    assert rows == [("agenda/2026-12-01", "sent")] * 3
    assert os.stat(tmp_path / ".sheetmentor" / "mailings.log").st_size > 0


def test_a_recap_too_old_to_send_says_its_age_in_words_even_verbose(tmp_path: Path) -> None:
    config = write_club(tmp_path, None, count=2)
    assert invoke(config, "recap", "--send", now="2026-11-03T14:00").returncode == 0  # sent one
    late = invoke(config, "-v", "recap", "--send", now="2026-11-24T10:00")
    assert late.returncode == 0
    assert "the recap of 2026-11-17 is 6 days old" in late.stderr
    assert "days, " not in late.stderr  # not a raw timedelta ("6 days, 19:00:00")
