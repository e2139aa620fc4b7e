"""Sending on schedule without a server: the GitHub Actions workflow and the systemd timer that
`sheetmentor schedule` writes.

The workflow's own steps run here as GitHub would run them: each run in a fresh clone of a bare
"remote" repository, its ``${{ … }}`` expressions filled in, the ledger carried between runs on
the state branch only (pushed and fetched), with an SMTP server on loopback. Runs race, a push is
refused once, a run is killed after its claim, the state branch goes missing: every recap goes
out once, none is lost.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_faults import MEETING_ENDED, ROOT, WAIT, write_club
from conftest import run_cli
from smtp_servers import Server, smtp_server

from sheetmentor.setup.runners import CREATE_STATE_BRANCH, STATE_BRANCH

pytestmark = pytest.mark.slow
GIT = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
GIT |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
        timeout=WAIT,
    )
    return done.stdout


class Club:
    """A club's repository on GitHub: a bare remote, set up as the README says."""

    def __init__(self, folder: Path, server: Server, *, state_branch: bool = True) -> None:
        self.folder = folder
        self.remote = folder / "remote.git"
        self.runs = 0
        git("init", "--quiet", "--bare", "--initial-branch=main", str(self.remote), cwd=folder)
        setup = folder / "setup"
        git("clone", "--quiet", str(self.remote), str(setup), cwd=folder)
        smtp = {"host": server.host, "port": server.port, "security": "none", "timeout": "10s"}
        write_club(setup, smtp, count=3)
        result = run_cli("--config", str(setup / "sheetmentor.yaml"), "schedule", "github")
        assert result.exit_code == 0, result.stderr
        git("add", "--all", cwd=setup)
        git("commit", "--quiet", "-m", "the club", cwd=setup)
        git("push", "--quiet", "origin", "HEAD:main", cwd=setup)
        if state_branch:
            subprocess.run(
                ["bash", "-c", CREATE_STATE_BRANCH],
                cwd=setup,
                env={**os.environ, **GIT},
                check=True,
                capture_output=True,
            )
        self.bin = folder / "bin"
        self.bin.mkdir()
        shim = self.bin / "sheetmentor"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sheetmentor "$@"\n')
        shim.chmod(0o755)

    def refuse_pushes(self, count: int) -> None:
        """The remote refuses the next ``count`` pushes (a pre-receive hook)."""
        counter = self.folder / "refusals"
        counter.write_text(str(count))
        hook = self.remote / "hooks" / "pre-receive"
        hook.write_text(
            f'#!/bin/sh\nn=$(cat "{counter}")\n'
            f'if [ "$n" -gt 0 ]; then echo $((n - 1)) > "{counter}"; '
            'echo "refused for the test" >&2; exit 1; fi\n'
        )
        hook.chmod(0o755)

    def run(self, now: str, *, kill_after: str | None = None) -> dict[str, Any]:
        """One workflow run at ``now``; ``kill_after`` a step's id: kill -9 the run there."""
        self.runs += 1
        number = self.runs
        clone = self.folder / f"run-{number}"
        git("clone", "--quiet", "--branch", "main", str(self.remote), str(clone), cwd=self.folder)
        workflow = yaml.safe_load((clone / ".github/workflows/sheetmentor.yml").read_text())
        outputs: dict[str, dict[str, str]] = {}
        seen: dict[str, Any] = {"steps": [], "log": ""}
        failed = False
        for step in workflow["jobs"]["send-due"]["steps"]:
            if "run" not in step or step.get("id") == "install":
                continue
            if not _condition(step.get("if", ""), outputs, failed):
                continue
            output_file = self.folder / f"output-{number}-{len(seen['steps'])}"
            output_file.write_text("")
            env = {
                **os.environ,
                "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
                "PYTHONPATH": str(ROOT),
                "SHEETMENTOR_NOW": now,
                "GITHUB_OUTPUT": str(output_file),
                **{k: _fill(str(v), number) for k, v in (step.get("env") or {}).items()},
            }
            done = subprocess.run(
                ["bash", "-e", "-c", _fill(step["run"], number)],
                cwd=clone,
                env=env,
                capture_output=True,
                text=True,
                timeout=WAIT,
            )
            seen["log"] += done.stdout + done.stderr
            seen["steps"].append((step.get("id") or step["name"], done.returncode))
            lines = output_file.read_text().splitlines()
            outputs[step.get("id", "")] = dict(line.split("=", 1) for line in lines if line)
            failed = failed or done.returncode != 0
            if kill_after and step.get("id") == kill_after:
                seen["killed"] = True
                break
        seen["failed"] = failed
        return seen

    def state_files(self) -> list[str]:
        listing = git("ls-tree", "-r", "--name-only", STATE_BRANCH, cwd=self.remote)
        return listing.split()


def _fill(text: str, run: int) -> str:
    text = text.replace("${{ github.run_id }}", str(1000 + run))
    return text.replace("${{ github.run_attempt }}", "1")


def _condition(expression: str, outputs: dict[str, dict[str, str]], failed: bool) -> bool:
    """The subset of GitHub's ``if:`` the workflow uses: ``always()`` and output equality."""
    ok = "always()" in expression or not failed
    for step, name, value in re.findall(r"steps\.(\w+)\.outputs\.(\w+) == '(\w+)'", expression):
        ok = ok and outputs.get(step, {}).get(name) == value
    return ok


@pytest.fixture
def server() -> Any:
    with smtp_server() as running:
        yield running


def recipients(server: Server) -> list[str]:
    return sorted(r.rcpt_tos[0] for r in server.recorder.received)


EVERYONE = ["m1@example.org", "m2@example.org", "m3@example.org"]


def test_each_recap_once_across_runs_a_refused_push_and_a_race(tmp_path: Path, server) -> None:
    club = Club(tmp_path, server)
    club.refuse_pushes(1)  # the first claim is refused: fetched again, claimed again
    first = club.run(MEETING_ENDED)
    assert not first["failed"], first["log"]
    assert "the state branch moved (push refused); fetching it again" in first["log"]
    assert recipients(server) == EVERYONE
    assert "ledger.sqlite3" in club.state_files() and "claimed-by" not in club.state_files()
    # Two runs at once, an hour later (one claims and the other stops, or they run one after
    # the other): nothing is sent again.
    results: list[dict[str, Any]] = []
    runs = [threading.Thread(target=lambda: results.append(club.run("2026-11-17T15:00")))]
    runs.append(threading.Thread(target=lambda: results.append(club.run("2026-11-17T15:01"))))
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    assert not any(result["failed"] for result in results), [r["log"] for r in results]
    assert recipients(server) == EVERYONE


def test_two_runs_racing_for_the_first_send_send_it_once(tmp_path: Path, server) -> None:
    club = Club(tmp_path, server)
    results: list[dict[str, Any]] = []
    threads = [
        threading.Thread(target=lambda: results.append(club.run(MEETING_ENDED))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not any(result["failed"] for result in results), [r["log"] for r in results]
    assert recipients(server) == EVERYONE  # once each, whichever run sent
    stopped = [r for r in results if "this run sends nothing" in r["log"]]
    sent = [r for r in results if ("send", 0) in r["steps"]]
    # One claims and the other stops, or (when the first finished before the second claimed)
    # the second finds the recap sent: either way every member got it once, above.
    assert len(stopped) + len(sent) == 2


def test_a_run_killed_after_its_claim_holds_later_runs_for_an_hour(tmp_path: Path, server) -> None:
    club = Club(tmp_path, server)
    killed = club.run(MEETING_ENDED, kill_after="claim")
    assert killed.get("killed") and server.recorder.received == []
    held = club.run("2026-11-17T14:15")
    assert "has not finished; this run sends nothing" in held["log"]
    assert server.recorder.received == []
    # An hour later the claim is passed over (said), and the recap goes out once.
    setup = tmp_path / "old-claim"
    git("clone", "--quiet", "--branch", STATE_BRANCH, str(club.remote), str(setup), cwd=tmp_path)
    two_hours_ago = "@" + str(int(git("log", "-1", "--format=%ct", cwd=setup)) - 7200) + " +0000"
    dated = {"GIT_COMMITTER_DATE": two_hours_ago}
    git("commit", "--quiet", "--amend", "--no-edit", cwd=setup, env=dated)
    git("push", "--quiet", "--force", "origin", f"HEAD:{STATE_BRANCH}", cwd=setup)
    late = club.run("2026-11-17T16:00")
    assert not late["failed"], late["log"]
    assert "never finished" in late["log"]
    assert recipients(server) == EVERYONE
    again = club.run("2026-11-17T16:15")
    assert not again["failed"] and recipients(server) == EVERYONE


def test_a_missing_state_branch_is_refused_never_a_resend(tmp_path: Path, server) -> None:
    club = Club(tmp_path, server, state_branch=False)
    result = club.run(MEETING_ENDED)
    assert result["failed"] and server.recorder.received == []
    assert (
        "The state branch sheetmentor-state (the ledger of what was sent) is missing"
        in (result["log"])
    )
    assert "git commit-tree" in result["log"]  # how to create it, ready to paste


def test_check_says_whether_the_files_match_the_config(tmp_path: Path, server) -> None:
    club = Club(tmp_path, server)
    setup = tmp_path / "setup"
    config = str(setup / "sheetmentor.yaml")
    assert run_cli("--config", config, "schedule", "github", "--check").exit_code == 0
    text = (setup / "sheetmentor.yaml").read_text()
    (setup / "sheetmentor.yaml").write_text(
        text.replace("email:\n", "chat:\n  slack: {webhook_env: CLUB_SLACK}\nemail:\n", 1)
    )
    stale = run_cli("--config", config, "schedule", "github", "--check")
    assert stale.exit_code == 1
    assert "does not match the config" in stale.stderr and "--force" in stale.stderr
    refused = run_cli("--config", config, "schedule", "github")
    assert refused.exit_code == 2 and "already exists" in refused.stderr
    assert run_cli("--config", config, "schedule", "github", "--force").exit_code == 0
    workflow = (setup / ".github/workflows/sheetmentor.yml").read_text()
    assert "CLUB_SLACK: ${{ secrets.CLUB_SLACK }}" in workflow
    assert club.runs == 0


def test_systemd_timer_catches_up_after_sleep(tmp_path: Path, server) -> None:
    Club(tmp_path, server)
    config = str(tmp_path / "setup" / "sheetmentor.yaml")
    units = tmp_path / "units"
    result = run_cli("--config", config, "schedule", "systemd", "--unit-dir", str(units))
    assert result.exit_code == 0, result.stderr
    (service,) = units.glob("*.service")
    (timer,) = units.glob("*.timer")
    assert service.stem == timer.stem == "sheetmentor-test-club"
    assert "Persistent=true" in timer.read_text()
    assert f"--config {config} send-due" in service.read_text()
    again = run_cli(
        "--config", config, "schedule", "systemd", "--unit-dir", str(units), "--check"
    )  # fmt: skip
    assert again.exit_code == 0
