"""A user's conftest adds a container of their own to a stack's network with testcontainers
(a mock upstream built from our base image): a replica reaches it by its name, it carries our
labels, and nothing of it remains after the run, although the user never stopped it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import docker.errors

from harness.engine import engine
from harness.run.runtime import leftovers

USERS_CONFTEST = """
import os
from pathlib import Path

import pytest
from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import LogMessageWaitStrategy

SERVE = (
    "mkdir -p /tmp/mock && echo 'mock says hello' > /tmp/mock/index.txt && "
    "exec python3 -u -m http.server 9000 --directory /tmp/mock"
)


@pytest.fixture
def mock_upstream(stack):
    container = (
        DockerContainer(stack.images.base)
        .with_command(["sh", "-c", SERVE])
        .with_name(stack.name_of("mock-upstream"))
        .with_kwargs(**stack.join_options("mock-upstream"))
        .waiting_for(LogMessageWaitStrategy("Serving HTTP").with_startup_timeout(30))
        .start()
    )
    Path(os.environ["MOCK_ID_FILE"]).write_text(container.get_wrapped_container().id)
    return container  # never stopped here: it carries our labels, so the stack removes it
"""

USERS_TEST = """
FETCH = (
    "import urllib.request; "
    "answer = urllib.request.urlopen('http://mock-upstream:9000/index.txt', timeout=5); "
    "print(answer.read().decode())"
)


def test_a_replica_reaches_my_mock_upstream_by_name(stack, mock_upstream):
    labels = mock_upstream.get_wrapped_container().labels
    assert labels["deploy-harness.run"] == stack.identity.run_id, labels
    assert labels["deploy-harness.stack"] == stack.id, labels
    code, output = stack.exec("app-1", ["python3", "-c", FETCH])
    assert (code, output.strip()) == (0, "mock says hello"), output
"""


def test_users_own_container_joins_the_stack_network_and_is_reaped(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(USERS_CONFTEST, encoding="utf-8")
    (tmp_path / "test_with_mock.py").write_text(USERS_TEST, encoding="utf-8")
    group, id_file = f"users-containers-{uuid.uuid4().hex[:6]}", tmp_path / "mock-id"
    env = {**os.environ, "HARNESS_RUN_ID": group, "MOCK_ID_FILE": str(id_file),
           "TESTCONTAINERS_RYUK_DISABLED": "true"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path / "test_with_mock.py"), "-q",
         "-p", "no:cacheprovider", "--rootdir", str(tmp_path), "-n", "0",
         "--stack", "nginx-gunicorn-gthread-flask"],
        capture_output=True, text=True, timeout=240, check=False, env=env,
    )  # fmt: skip
    output = result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0 and "1 passed" in result.stdout, output
    mock_id = id_file.read_text()
    try:
        engine().containers.get(mock_id)
    except docker.errors.NotFound:
        pass
    else:
        raise AssertionError(f"the user's mock upstream {mock_id[:12]} outlived the run")
    assert leftovers(group) == [], output
