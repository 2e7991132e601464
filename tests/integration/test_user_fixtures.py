"""The fixtures a user's own scenarios get from the plugin: `client` and `ws` reach the stack
through its proxy (wss:// trusting the run's CA) and `ws` connections close after the test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USERS_SCENARIO = """
import pytest

pytestmark = pytest.mark.asgi_only


def test_own_scenario(stack, client, ws):
    assert client.get("/health").text == "ok"
    connection = ws("/ws/echo")
    connection.send("mine")
    assert connection.recv(timeout=5) == "mine"
    assert connection.ping_answered(b"p", timeout=5)


def test_foreign_origin_is_refused(ws):
    from websockets.exceptions import InvalidStatus

    with pytest.raises(InvalidStatus):
        ws("/ws/echo", origin="https://elsewhere.example")
"""


def test_users_own_scenario_uses_client_and_ws(tmp_path: Path) -> None:
    scenario = tmp_path / "test_mine.py"
    scenario.write_text(USERS_SCENARIO, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(scenario), "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "--stack", "haproxy-daphne-django-asgi-tls"],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    # The test using `client` runs over HTTP/1.1 and HTTP/2 (the protocol axis), the other once.
    assert "3 passed" in result.stdout, result.stdout[-3000:]
