"""Stacks run what their ids say: each server mode of the catalogue is started, and the
server's own log, its answers and its own version output are checked against the id.

gunicorn silently runs gthread when `threads` > 1 whatever `worker_class` says, so a "sync"
stack with threads = 4 was a gthread stack; its log line "Using worker: ..." tells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest

from harness.progress import QUIET
from harness.run.readiness import ProbeFailed, ReadinessTimeout, wait_until
from harness.run.session import HarnessSession
from harness.run.stack import Stack
from harness.run.stack_readiness import ReplicaProbe, probe_from_network
from harness.spec.catalog import STACKS
from harness.spec.model import (
    Interface,
    Protocol,
    ServerKind,
    StackSpec,
    Suite,
    Trust,
    WorkerClass,
)

_GUNICORN_WORKERS = {
    WorkerClass.SYNC: "sync",
    WorkerClass.GTHREAD: "gthread",
    WorkerClass.UVICORN: "uvicorn.workers.UvicornWorker",
}
# How each server states its own version (`--version` or its start-up log line).
_VERSION_COMMANDS = {
    ServerKind.GUNICORN: ["gunicorn", "--version"],
    ServerKind.UWSGI: ["uwsgi", "--version"],
    ServerKind.UVICORN: ["uvicorn", "--version"],
    ServerKind.DAPHNE: ["python3", "-c", "import daphne; print(daphne.__version__)"],
    ServerKind.HYPERCORN: [
        "python3",
        "-c",
        "from importlib.metadata import version; print(version('hypercorn'))",
    ],
    ServerKind.GRANIAN: ["granian", "--version"],
    # waitress-serve has no --version; its start-up log names no version either.
    ServerKind.WAITRESS: [
        "python3",
        "-c",
        "from importlib.metadata import version; print(version('waitress'))",
    ],
}
_PACKAGE = {ServerKind.UWSGI: "pyuwsgi"}


@dataclass(frozen=True, slots=True)
class ServerMode:
    """One way of running a server: what the stack id promises."""

    label: str
    protocol: Protocol
    interface: Interface


def _one_stack_per_mode() -> dict[ServerMode, StackSpec]:
    modes: dict[ServerMode, StackSpec] = {}
    for spec in STACKS.values():
        # A URL prefix moves every path (test_prefix.py checks it); the plain stack is the
        # one whose /echo this module reads.
        if spec.suite != Suite.BOOKWORM or spec.tls or spec.prefix or spec.replicas < 1:
            continue
        assert spec.interface is not None
        modes.setdefault(ServerMode(spec.server_label, spec.protocol, spec.interface), spec)
    return modes


MODES = _one_stack_per_mode()


@pytest.fixture(scope="module")
def session():
    harness_session = HarnessSession(QUIET)
    yield harness_session
    harness_session.close()


def _frozen_version(stack: Stack, package: str) -> str:
    _, freeze = stack.exec("app-1", ["python3", "-m", "pip", "freeze", "--all"])
    match = re.search(rf"^{re.escape(package)}==(\S+)$", freeze, re.MULTILINE | re.IGNORECASE)
    assert match, f"{stack.id}: {package} is not in the image's pip freeze"
    return match[1]


def _server_command_line(stack: Stack) -> str:
    """The command lines of the replica's processes, as the kernel has them."""
    script = (
        "import pathlib\n"
        "for p in pathlib.Path('/proc').glob('[0-9]*/cmdline'):\n"
        "    print(p.read_bytes().replace(b'\\0', b' ').decode(errors='replace'))"
    )
    _, output = stack.exec("app-1", ["python3", "-c", script])
    return output


def _assert_waitress_mode(stack: Stack, log: str) -> None:
    """waitress runs as one Python process with its thread pool (threads + its main loop),
    listening where the proxy looks, trusting the proxy's forwarded headers only on the
    server layer."""
    spec = stack.spec
    assert "Serving on http://0.0.0.0:8000" in log, f"{spec.id}: waitress's log:\n{log}"
    script = (
        "import pathlib\n"
        "for p in pathlib.Path('/proc').glob('[0-9]*'):\n"
        "    argv = (p / 'cmdline').read_bytes().split(b'\\0')\n"
        "    if argv[0].endswith(b'python3') and b'waitress-serve' in argv[1]:\n"
        "        threads = [l for l in (p / 'status').read_text().splitlines()\n"
        "                   if l.startswith('Threads:')][0].split()[1]\n"
        "        print(threads, b' '.join(argv).decode())"
    )
    _, output = stack.exec("app-1", ["python3", "-c", script])
    servers = output.strip().splitlines()
    assert len(servers) == 1, f"{spec.id}: expected one waitress process, got {servers}"
    threads, command = servers[0].split(" ", 1)
    assert f"--threads={spec.threads}" in command, f"{spec.id}: {command}"
    assert int(threads) > spec.threads, f"{spec.id}: {threads} threads in {command}"
    trusts_proxy = "--trusted-proxy=*" in command
    assert trusts_proxy == (spec.trust == Trust.SERVER), f"{spec.id}: {command}"


@pytest.mark.parametrize("mode", list(MODES), ids=[f"{m.label}-{m.protocol}" for m in MODES])
def test_stack_runs_the_server_mode_its_id_names(session, mode):
    spec = MODES[mode]
    stack = session.start(spec)
    try:
        log = stack.logs("app-1", 200)
        if spec.server == ServerKind.GUNICORN:
            assert spec.worker_class is not None
            expected = f"Using worker: {_GUNICORN_WORKERS[spec.worker_class]}"
            assert expected in log, f"{spec.id}: gunicorn's log lacks {expected!r}:\n{log}"
        how = ReplicaProbe.for_stack(stack.spec, stack.replica_health_path)
        answered = probe_from_network(stack, ["app-1:8000:http"], how)["app-1"]
        speaks_http = answered.startswith("HTTP/")
        # An h2c server takes HTTP/1.1 on the same port too (granian, hypercorn).
        assert speaks_http == (spec.protocol != Protocol.UWSGI), (
            f"{spec.id}: protocol {spec.protocol}, but an HTTP request straight to the "
            f"replica got {answered!r}"
        )
        if spec.server == ServerKind.GRANIAN:
            command = _server_command_line(stack)
            assert f"--interface {spec.interface}" in command, f"{spec.id}: {command}"
        if spec.server == ServerKind.WAITRESS:
            _assert_waitress_mode(stack, log)
        seen = httpx.get(f"{stack.url}/echo", verify=stack.verify(), timeout=10).json()
        assert (seen["interface"], seen["server"]) == (str(spec.interface), spec.server_label)
        if spec.protocol == Protocol.H2C:  # the proxy reached it over HTTP/2: its access log
            _wait_for_h2_in_access_log(stack)
        package = _PACKAGE.get(spec.server, str(spec.server))
        _, own = stack.exec("app-1", _VERSION_COMMANDS[spec.server])
        # pyuwsgi 2.0.30.post1 is a repackaging of uWSGI 2.0.30
        frozen = re.sub(r"\.post\d+$", "", _frozen_version(stack, package))
        assert frozen in own, f"{spec.id}: the server says {own.strip()!r}, pip has {frozen}"
    finally:
        stack.down()


def _wait_for_h2_in_access_log(stack: Stack) -> None:
    """The server writes its access line after the answer has left: poll for it."""

    def replica_logs() -> str:
        return "".join(stack.logs(replica, 400) for replica in stack.replicas)

    def h2_logged() -> None:
        if not re.search(r'"GET /echo (HTTP/)?2"', replica_logs()):
            raise ProbeFailed("no HTTP/2 /echo line yet")

    try:
        wait_until(h2_logged, timeout=10, what=f"{stack.spec.id}: the replica's access log")
    except ReadinessTimeout as late:
        pytest.fail(f"{late}\n{stack.spec.id}: no h2 in:\n{replica_logs()[-3000:]}")
