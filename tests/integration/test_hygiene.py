"""Hygiene: no privilege, no Docker socket, apps not root, ports on 127.0.0.1, keys private."""

from __future__ import annotations

import stat

import pytest

from harness.run.agent import AGENT_PORT
from harness.run.session import HarnessSession
from harness.run.stack import Stack
from harness.spec.catalog import STACKS
from harness.spec.model import HTTP_PORT, HTTPS_PORT

BASE = STACKS["nginx-gunicorn-gthread-flask"].with_changes(tls=True)


@pytest.fixture(scope="module")
def session():
    harness_session = HarnessSession()
    yield harness_session
    harness_session.close()


@pytest.fixture(scope="module")
def tls_stack(session):
    stack = session.start(BASE)
    yield stack
    stack.down()


def containers(stack: Stack):
    return {name: stack.container(name).attrs for name in stack.containers}


def test_no_container_is_privileged_or_holds_the_docker_socket(tls_stack):
    for name, attrs in containers(tls_stack).items():
        assert attrs["HostConfig"]["Privileged"] is False, name
        mounts = [m.get("Source", "") for m in attrs.get("Mounts", [])]
        assert not any("docker.sock" in source for source in mounts), (name, mounts)
        assert not attrs["HostConfig"].get("Binds"), (name, attrs["HostConfig"].get("Binds"))


def test_app_processes_do_not_run_as_root(tls_stack):
    for replica in tls_stack.replicas:
        code, output = tls_stack.exec(replica, ["ps", "-o", "user=,uid=,args=", "-e"])
        assert code == 0, output
        for line in output.splitlines():
            if "gunicorn" in line:
                assert line.split()[1] != "0", f"{replica}: {line}"


def test_only_the_proxy_and_the_network_agent_publish_and_only_on_loopback(tls_stack):
    """The proxy's ports, and the network agent's beside Redis (harness/run/agent.py); the
    replicas publish nothing."""
    published = {"proxy": {f"{HTTP_PORT}/tcp", f"{HTTPS_PORT}/tcp"}, "redis": {f"{AGENT_PORT}/tcp"}}
    for name, attrs in containers(tls_stack).items():
        bindings = attrs["HostConfig"]["PortBindings"] or {}
        assert set(bindings) == published.get(name, set()), f"{name} publishes {bindings}"
        hosts = {b["HostIp"] for entries in bindings.values() for b in entries}
        assert hosts <= {"127.0.0.1"}, f"{name} publishes on {hosts}"


def test_private_key_is_private_and_removed_after_the_run():
    session = HarnessSession()
    key = session.certificates.key_pem
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    session.close()
    assert not key.exists() and not session.temp_dir.exists()
