"""`harness load`: a real, tiny comparison of two stacks with a mix that includes WebSockets
(run where served, noted where not), written as results.json, summary.md, charts and an HTML
page checked in headless Chromium; then a slower config of one stack (one replica, one
worker, one thread, from a stack file) against that baseline: the gate fails and names the
step."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.matrix.report.browser import dump_dom
from harness.paths import PROJECT_ROOT
from harness.run.runtime import leftovers

# The gate compares throughput, and each step needs the engine's stats readings: alone.
pytestmark = pytest.mark.timing

WSGI = "nginx-gunicorn-gthread-flask"
ASGI = "nginx-uvicorn-django-asgi"
# GETs of a 20 ms /sleep: throughput is bound by how many requests the stack serves at once,
# not by the 2-core machine's CPU, which locust shares (on /echo the generator, not a
# one-worker stack, was the limit, and the gate rightly saw no regression).
# 4 s per step: each container's usage needs two engine stats readings inside the step, and
# one reading took over a second on a busy machine (2 s steps then had none).
SWEEP = (
    "--users",
    "2,8",
    "--mix",
    "get=4,ws=1",
    "--seconds",
    "4",
    "--warmup",
    "1",
    "--path",
    "/sleep?ms=20",
)
SLOWER = f"""
[[stacks]]
id = "{WSGI}"
extends = "{WSGI}"
replicas = 1
workers = 1
threads = 1
"""


def harness_load(*args: str) -> tuple[subprocess.CompletedProcess[str], float, str]:
    """Run `harness load` as its own run group; the group's id lets the test count what the
    run left behind."""
    group = f"load{secrets.token_hex(3)}"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "harness", "load", *args, *SWEEP],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=240, check=False,
        env={**os.environ, "HARNESS_RUN_ID": group},
    )  # fmt: skip
    return result, time.monotonic() - started, group


def test_comparison_report_and_gate_on_a_slower_config(tmp_path: Path):
    base, took, group = harness_load(WSGI, ASGI, "--out", str(tmp_path / "base"))
    assert base.returncode == 0, base.stdout + base.stderr
    assert took < 75, f"two stacks, two 3 s steps each, took {took:.0f}s"
    assert leftovers(group) == [], "harness load left containers or networks behind"
    results = json.loads((tmp_path / "base" / "results.json").read_text())
    wsgi, asgi = results["stacks"]
    assert "does not serve WebSockets" in wsgi["notes"][0], wsgi["notes"]
    routes = {e["name"]: e for e in asgi["steps"][1]["runs"][0]["endpoints"]}
    assert routes["WS /ws/echo"]["requests"] > 20 and routes["WS /ws/echo"]["failures"] == 0
    for stack in (wsgi, asgi):
        run = stack["steps"][1]["runs"][0]
        assert run["achieved_rps"] > 20 and run["failures"] == {}, run
        assert {"proxy", "app-1", "redis"} <= set(run["containers"]) and run["generator"], run
    page = dump_dom(tmp_path / "base" / "index.html")
    assert "does not serve WebSockets" in page and page.count("data:image/png;base64") == 3

    stack_file = tmp_path / "slower.toml"
    stack_file.write_text(SLOWER)
    baseline = str(tmp_path / "base" / "results.json")
    slower, _, group = harness_load(
        WSGI, "--stack-file", str(stack_file), "--baseline", baseline, "--max-regression", "10%"
    )
    assert slower.returncode == 3, slower.stdout + slower.stderr
    assert f"REGRESSION {WSGI} at users=8: throughput" in slower.stdout, slower.stdout
    assert leftovers(group) == []
