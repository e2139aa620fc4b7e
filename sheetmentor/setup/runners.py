"""Sending on schedule without a server of one's own: a GitHub Actions workflow, or a systemd
user timer, written from the config and checked against it.

**GitHub Actions keeps no files between runs**, so the state folder (the ledger and the meeting
history) lives on a branch of the club's repository, ``sheetmentor-state``, created once at
setup. Each run:

1. *claims* the state: fetches the branch, checks it out as the state folder, and pushes a
   commit naming the run on top of it. Git moves a branch only from the commit the pusher saw,
   so of two runs that start together exactly one claim lands; the other sees the claim and
   stops without sending. A claim younger than an hour that never finished (a run still
   sending, or a runner that died) also stops a run; an older one is said and passed over.
2. runs ``send-due``, the same command cron runs: the ledger says what is sent already;
3. *keeps* the state, whatever ``send-due`` said: commits the state folder and pushes it,
   retrying a refused push.

A missing state branch is the missing-ledger case: the run refuses, naming how to restore it or
how to create it for a club that never sent, instead of a fresh ledger that would send everyone
everything again. GitHub starts scheduled runs late under load, or skips some: a late run sends
what is due then, once, as a late cron run does.

**A systemd user timer** (``Persistent=true``) runs ``send-due`` every 15 minutes while the
machine is up, and once at wake-up for the runs a sleeping laptop missed.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sheetmentor.errors import ConfigError, ScheduleStale

if TYPE_CHECKING:
    from sheetmentor.config import Config

STATE_BRANCH = "sheetmentor-state"
CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2"
SETUP_PYTHON = "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065  # v5.6.0"
CLAIM_HOURS = 1
CREATE_STATE_BRANCH = (
    f'git push origin "$(git commit-tree "$(git hash-object -t tree /dev/null)" '
    f'-m "sheetmentor state")":refs/heads/{STATE_BRANCH}'
)
"""Creates the state branch empty, from any clone (the README's setup step)."""

Runner = Literal["github", "systemd"]


@dataclass(frozen=True)
class ScheduleFile:
    """A file a runner needs, where it goes, and what it must hold."""

    path: Path
    text: str


def secrets_needed(config: Config) -> list[str]:
    """The environment variables the config reads secrets from (SMTP password, webhooks)."""
    names = []
    smtp = config.email.smtp if config.email else None
    if smtp and smtp.password_env:
        names.append(smtp.password_env)
    if config.chat:
        for hook in (config.chat.slack, config.chat.discord, config.chat.teams):
            if hook is not None:
                names.append(hook.webhook_env)
    return names


def repository_of(path: Path) -> Path:
    """The git work tree holding ``path``."""
    for folder in (path.resolve().parent, *path.resolve().parents):
        if (folder / ".git").exists():
            return folder
    raise ConfigError(
        f"{path} is not in a git repository: GitHub Actions runs from one. Put the club's "
        "folder in a repository (git init, git add, git commit, then push it to GitHub)"
    )


def _inside(path: Path, root: Path, what: str) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        raise ConfigError(f"{what} {path} is outside the repository {root}") from None


def _install_command(root: Path) -> str:
    pyproject = root / "pyproject.toml"
    if pyproject.exists() and re.search(
        r'^name\s*=\s*"sheetmentor"', pyproject.read_text(encoding="utf-8"), re.M
    ):
        return "python -m pip install ."
    try:
        return f'python -m pip install "sheetmentor=={version("sheetmentor")}"'
    except PackageNotFoundError:  # pragma: no cover - a checkout that was never installed
        return "python -m pip install sheetmentor"


def github_workflow(config: Config, *, every_minutes: int = 15) -> ScheduleFile:
    """``.github/workflows/sheetmentor.yml`` for the repository holding the config."""
    if not 5 <= every_minutes <= 60 or 60 % every_minutes:
        raise ConfigError("--every: minutes that divide an hour, 5 to 60 (5, 10, 15, 20, 30, 60)")
    root = repository_of(config.path)
    config_path = _inside(config.path, root, "the config")
    state = _inside(config.state, root, "the state folder (state:)")
    minutes = ",".join(str(m) for m in range(7 % every_minutes, 60, every_minutes))
    secrets = "".join(
        f"          {name}: ${{{{ secrets.{name} }}}}\n" for name in secrets_needed(config)
    )
    text = WORKFLOW.format(
        config=config_path,
        state=state,
        branch=STATE_BRANCH,
        minutes=minutes,
        every=every_minutes,
        checkout=CHECKOUT,
        setup_python=SETUP_PYTHON,
        install=_install_command(root),
        secrets=secrets or "          {}\n",
        claim_seconds=CLAIM_HOURS * 3600,
        create=CREATE_STATE_BRANCH,
    )
    if not secrets:
        text = text.replace("        env:\n          {}\n", "")
    return ScheduleFile(root / ".github" / "workflows" / "sheetmentor.yml", text)


def systemd_units(config: Config, *, unit_dir: Path | None = None) -> list[ScheduleFile]:
    """A user ``.service`` and ``.timer`` pair that runs ``send-due`` every 15 minutes."""
    from sheetmentor.outbound.mime import slugify

    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    if unit_dir is None:
        unit_dir = base / "systemd" / "user"
    name = f"sheetmentor-{slugify(config.club.name)}"
    program = Path(sys.executable).parent / "sheetmentor"
    command = f"{program} --config {config.path} send-due"
    if " " in str(program) or " " in str(config.path):
        raise ConfigError(f"a path with a space cannot go in a systemd unit as it is: {command}")
    secrets = secrets_needed(config)
    environment = ""
    if secrets:
        env_file = base / "sheetmentor" / f"{name}.env"
        environment = (
            f"# {', '.join(secrets)}: one NAME=value line each, in this file (chmod 600)\n"
            f"EnvironmentFile={env_file}\n"
        )
    service = SERVICE.format(club=config.club.name, command=command, environment=environment)
    timer = TIMER.format(club=config.club.name)
    return [
        ScheduleFile(unit_dir / f"{name}.service", service),
        ScheduleFile(unit_dir / f"{name}.timer", timer),
    ]


def schedule_files(
    runner: Runner, config: Config, *, every_minutes: int = 15, unit_dir: Path | None = None
) -> list[ScheduleFile]:
    if runner == "github":
        return [github_workflow(config, every_minutes=every_minutes)]
    return systemd_units(config, unit_dir=unit_dir)


def write_schedule(files: list[ScheduleFile], *, overwrite: bool = False) -> list[Path]:
    """Write each file; an existing file with other contents only with ``overwrite``."""
    for file in files:
        if file.path.exists() and not overwrite and file.path.read_text("utf-8") != file.text:
            raise ConfigError(f"{file.path} already exists (use --force to overwrite)")
    for file in files:
        file.path.parent.mkdir(parents=True, exist_ok=True)
        file.path.write_text(file.text, encoding="utf-8")
    return [file.path for file in files]


def check_schedule(files: list[ScheduleFile], runner: Runner) -> None:
    """Raise :class:`ScheduleStale` naming each file on disk that does not match the config."""
    problems = []
    for file in files:
        if not file.path.exists():
            problems.append(f"{file.path} is missing")
        elif file.path.read_text(encoding="utf-8") != file.text:
            problems.append(f"{file.path} does not match the config")
    if problems:
        raise ScheduleStale(
            "\n".join(problems) + f"\nwrite it again with: sheetmentor schedule {runner} --force"
        )


WORKFLOW = """\
# Written by `sheetmentor schedule github` from {config}; `sheetmentor schedule github --check`
# says whether it still matches. Sends what is due (nudges, recaps) once, as cron would.
# The ledger and meeting history live on the branch {branch} (see the README: "Run it
# without a server").
name: sheetmentor

on:
  schedule:
    - cron: "{minutes} * * * *"  # every {every} minutes (UTC); GitHub may start it late
  workflow_dispatch:

concurrency:
  group: sheetmentor-send
  cancel-in-progress: false

permissions:
  contents: write

jobs:
  send-due:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: {checkout}

      - name: Claim the state branch
        id: claim
        env:
          RUN: ${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}
        run: |
          set -euo pipefail
          git config user.name "sheetmentor"
          git config user.email "sheetmentor@users.noreply.github.com"
          if ! git ls-remote --exit-code --heads origin {branch} >/dev/null; then
            echo "::error::The state branch {branch} (the ledger of what was sent) is missing." \\
              "If it was deleted, push it back from a clone that has it" \\
              "(git push origin <commit>:refs/heads/{branch}); a new one would send every" \\
              "recap again. For a club that never sent from GitHub, create it empty:" \\
              '{create}'
            exit 1
          fi
          for attempt in 1 2 3 4 5; do
            git fetch --quiet --depth=1 origin {branch}
            rm -rf "{state}"
            git worktree prune
            git worktree add --quiet --detach "{state}" FETCH_HEAD
            if [ -f "{state}/claimed-by" ]; then
              age=$(( $(date +%s) - $(git -C "{state}" log -1 --format=%ct) ))
              if [ "$age" -lt {claim_seconds} ]; then
                echo "::notice::run $(cat "{state}/claimed-by") claimed the state ${{age}}s ago" \\
                  "and has not finished; this run sends nothing"
                echo "stop=true" >> "$GITHUB_OUTPUT"
                exit 0
              fi
              echo "::warning::run $(cat "{state}/claimed-by") claimed the state ${{age}}s ago" \\
                "and never finished; what it sent after its claim is not in the ledger"
            fi
            echo "$RUN" > "{state}/claimed-by"
            git -C "{state}" add claimed-by
            git -C "{state}" commit --quiet -m "run $RUN: sending"
            if git -C "{state}" push --quiet origin HEAD:refs/heads/{branch}; then
              echo "stop=false" >> "$GITHUB_OUTPUT"
              exit 0
            fi
            echo "::notice::the state branch moved (push refused); fetching it again"
            sleep $(( attempt * 3 ))
          done
          echo "::error::could not claim the state branch {branch} after 5 tries"
          exit 1

      - uses: {setup_python}
        if: steps.claim.outputs.stop == 'false'
        with:
          python-version: "3.12"

      - name: Install sheetmentor
        id: install
        if: steps.claim.outputs.stop == 'false'
        run: {install}

      - name: Send what is due
        id: send
        if: steps.claim.outputs.stop == 'false'
        env:
{secrets}        run: sheetmentor --config "{config}" send-due

      - name: Keep the state
        if: always() && steps.claim.outputs.stop == 'false'
        env:
          RUN: ${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}
        run: |
          set -euo pipefail
          rm -f "{state}/claimed-by"
          git -C "{state}" add --all
          git -C "{state}" commit --quiet -m "run $RUN: done"
          for attempt in 1 2 3 4 5; do
            if git -C "{state}" push --quiet origin HEAD:refs/heads/{branch}; then
              exit 0
            fi
            echo "::warning::push of the state refused (try $attempt of 5)"
            sleep $(( attempt * 5 ))
          done
          echo "::error::could not push the state branch {branch}: what this run sent is not" \\
            "recorded there; push {state} by hand before the next run"
          exit 1
"""

SERVICE = """\
# Written by `sheetmentor schedule systemd`; `sheetmentor schedule systemd --check` says whether
# it still matches the config.
[Unit]
Description=sheetmentor: send what is due for {club}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
{environment}ExecStart={command}
"""

TIMER = """\
# Written by `sheetmentor schedule systemd`. Enable with:
#   systemctl --user daemon-reload && systemctl --user enable --now <this file's name>
[Unit]
Description=sheetmentor every 15 minutes for {club}

[Timer]
OnCalendar=*:0/15
Persistent=true
RandomizedDelaySec=60

[Install]
WantedBy=timers.target
"""
