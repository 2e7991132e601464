"""Bad input that needs the engine: one clear message and a non-zero exit, no traceback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from harness.building.configs import render_stack
from harness.building.images import base_tag
from harness.errors import StackStartError
from harness.paths import PROJECT_ROOT
from harness.run.session import HarnessSession
from harness.run.stack import free_port
from harness.spec.catalog import STACKS
from harness.spec.model import Suite
from tests.unit.test_cli_errors import assert_clean_error, harness

BASE = "nginx-gunicorn-gthread-flask"


def pytest_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_pytest_glob_matching_nothing_is_a_usage_error():
    result = pytest_run("scenarios/", "--stack", "traefik-*")
    assert result.returncode == 4, result.stdout + result.stderr
    assert "matches no stack" in result.stderr and "Traceback" not in result.stderr


def test_pytest_invalid_stack_file_is_a_usage_error(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[stacks]]\nid = "bad"\nextends = "nginx-uwsgi-flask"\nreplicas = 0\n')
    result = pytest_run("scenarios/", "--stack-file", str(path))
    assert result.returncode == 4, result.stdout + result.stderr
    assert "field 'replicas': got 0" in result.stderr and "Traceback" not in result.stderr


def test_proxy_config_rejected_shows_the_proxys_own_message(tmp_path):
    config = render_stack(STACKS[BASE]).proxy.files[0].content
    (tmp_path / "nginx.conf").write_text(
        config.replace("sendfile on;", "sendfile on;\n    bogus_directive on;")
    )
    path = tmp_path / "s.toml"
    path.write_text(
        f'[[stacks]]\nid = "rejected"\nextends = "{BASE}"\n'
        '[stacks.overrides]\nproxy_config = "nginx.conf"\n'
    )
    started = time.monotonic()
    result = harness("up", "rejected", "--stack-file", str(path))
    assert_clean_error(result, "rejected: proxy", 'unknown directive "bogus_directive"')
    assert time.monotonic() - started < 60


def test_image_that_never_answers_fails_within_the_deadline(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        f'[[stacks]]\nid = "silent"\nextends = "{BASE}"\n[stacks.overrides]\n'
        f'image = "{base_tag(Suite.BOOKWORM)}"\nserver_args = ["sleep", "600"]\n'
    )
    started = time.monotonic()
    result = harness("up", "silent", "--stack-file", str(path), env={"HARNESS_READY_TIMEOUT": "6"})
    assert_clean_error(
        result,
        "replicas app-1, app-2: not ready within 6s",
        "Probe history",
        "ConnectionRefusedError",
    )
    assert time.monotonic() - started < 45


def test_port_conflict_is_named(monkeypatch):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setattr("harness.run.stack.free_port", lambda: port)
        session = HarnessSession()
        try:
            with pytest.raises(
                StackStartError,
                match=f"could not publish its port.*{port}|could not publish its port",
            ):
                session.start(STACKS[BASE])
        finally:
            session.close()


def test_a_taken_port_is_chosen_again(monkeypatch):
    """A port taken between its choice and the proxy's bind (by the engine's own pick for
    another container, or a client's local port) costs a start, not the run."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        choices = iter([taken, taken])
        monkeypatch.setattr(
            "harness.run.stack.free_port", lambda: next(choices, None) or free_port()
        )
        session = HarnessSession()
        try:
            stack = session.start(STACKS[BASE])
            published = {stack.run_values.public_http_port, stack.run_values.public_https_port}
            assert str(taken) not in published
            answer = httpx.get(f"{stack.url}/health", verify=stack.verify(), timeout=5)
            assert answer.status_code == 200
        finally:
            session.close()


def test_ready_timeout_setting_is_validated():
    result = harness("up", BASE, env={"HARNESS_READY_TIMEOUT": "soon"})
    assert_clean_error(result, "HARNESS_READY_TIMEOUT: got 'soon'")
    assert os.environ.get("HARNESS_READY_TIMEOUT") is None


def test_image_build_failure_shows_the_failing_step_and_log_tail():
    from harness.building.images import _build_context
    from harness.errors import ImageBuildError

    # The failing step comes first, so the failed build leaves no cached layer behind.
    dockerfile = f"FROM {base_tag(Suite.BOOKWORM)}\nRUN echo broken-step >&2; exit 3\n"
    with pytest.raises(ImageBuildError) as caught:
        _build_context("deploy-harness/test-broken:never", dockerfile, {})
    message = str(caught.value)
    assert re.search(r"failed at Step 2/\d+ : RUN echo broken-step", message), message
    assert (
        "returned a non-zero code: 3" in message
        and "broken-step" in message.split("last lines:")[1]
    )


def test_committed_layer_failure_shows_the_script_and_log_tail_and_leaves_no_container(
    tmp_path,
):
    from harness.building.committed import commit_layer
    from harness.engine import engine
    from harness.errors import ImageBuildError

    tag = "deploy-harness/test-broken:committed"
    script = "cat /tmp/in.txt; echo broken-script >&2; exit 4"
    with pytest.raises(ImageBuildError) as caught:
        commit_layer(tag, base_tag(Suite.BOOKWORM), {"/tmp/in.txt": b"seen"}, script,
                     tmp_path / "build.log")  # fmt: skip
    message = str(caught.value)
    assert re.search(r"Building .*committed failed: `cat /tmp/in.txt.*` exited 4", message)
    assert "seen" in message and "broken-script" in message.split("last lines:")[1], message
    leftover = "dh-build-deploy-harness_test-broken_committed"
    assert not engine().containers.list(all=True, filters={"name": leftover})
    assert not engine().images.list(name=tag)


def test_committed_layer_keeps_its_parents_user_command_and_labels(tmp_path):
    from harness.building.committed import commit_layer
    from harness.engine import engine

    parent, tag = base_tag(Suite.BOOKWORM), "deploy-harness/test-layer:committed"
    try:
        commit_layer(tag, parent, {"/srv/note.txt": b"copied"}, "cp /srv/note.txt /srv/ran.txt",
                     tmp_path / "build.log")  # fmt: skip
        made, base = (engine().images.get(t).attrs["Config"] for t in (tag, parent))
        for field in ("User", "Entrypoint", "Cmd", "Labels", "WorkingDir"):
            assert made[field] == base[field], field
        # An exit 0 (else ContainerError): this engine may lose a short container's output.
        check = 'test "$(cat /srv/note.txt /srv/ran.txt)" = copiedcopied'
        engine().containers.run(tag, ["sh", "-c", check], remove=True)
    finally:
        engine().images.remove(tag, force=True)
