"""Headless Chromium driven over the DevTools protocol (``--remote-debugging-pipe``: JSON
messages ending in NUL on file descriptors 3 and 4), so a page can be laid out as a phone lays
it out (``mobile: true`` honours ``<meta name="viewport">``; a desktop window ignores it) and
measured by a script, and a screenshot taken for a person to look at."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    pytest.fail("Chromium is needed for the layout tests: apt-get install -y chromium")


def _onto_3_and_4(reading: int, writing: int) -> None:
    """In the child: the browser reads commands on fd 3 and writes answers on fd 4."""
    commands, answers = os.dup(reading), os.dup(writing)
    os.dup2(commands, 3)
    os.dup2(answers, 4)


class Browser:
    """One headless Chromium; use as a context manager."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        their_commands, our_commands = os.pipe()
        our_answers, their_answers = os.pipe()
        self._process = subprocess.Popen(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=lambda: _onto_3_and_4(their_commands, their_answers),
        )
        os.close(their_commands)
        os.close(their_answers)
        self._commands = os.fdopen(our_commands, "wb")
        self._answers = our_answers
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._commands.close()
        os.close(self._answers)
        self._process.kill()
        self._process.wait(timeout=30)

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise AssertionError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        wanted = self._next_id
        message: dict[str, Any] = {"id": wanted, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._commands.write(json.dumps(message).encode() + b"\0")
        self._commands.flush()
        while (answer := self._read()).get("id") != wanted:
            self._events.append(answer)
        if "error" in answer:
            raise AssertionError(f"{method}: {answer['error']}")
        return answer["result"]

    def _wait_for(self, event: str, session: str) -> None:
        while True:
            message = self._events.pop(0) if self._events else self._read()
            if message.get("method") == event and message.get("sessionId") == session:
                return

    def measure(
        self,
        page: Path,
        probe: str,
        *,
        width: int,
        height: int,
        mobile: bool,
        screenshot: Path | None = None,
        library: Path | None = None,
    ) -> Any:
        """What the JavaScript expression ``probe`` returns (a promise is awaited) on ``page``
        once it has loaded in a ``width``×``height`` viewport (a phone's when ``mobile``), with
        the script ``library`` (axe-core, say) run in the page first."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        session_id = session["sessionId"]
        self.send("Page.enable", session=session_id)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": mobile}
        self.send("Emulation.setDeviceMetricsOverride", metrics, session=session_id)
        self.send("Page.navigate", {"url": page.as_uri()}, session=session_id)
        self._wait_for("Page.loadEventFired", session_id)
        if library is not None:
            source = {"expression": library.read_text(encoding="utf-8")}
            self.send("Runtime.evaluate", source, session=session_id)
        expression = {"expression": probe, "returnByValue": True, "awaitPromise": True}
        value = self.send("Runtime.evaluate", expression, session=session_id)["result"]["value"]
        if screenshot is not None:
            shot = self.send("Page.captureScreenshot", {"format": "png"}, session=session_id)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        self.send("Target.closeTarget", {"targetId": target})
        return value
