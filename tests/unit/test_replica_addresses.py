"""Which replicas moved since the proxy resolved them, without Docker: a stack starts and
restarts its proxy inspecting no replica, notes the addresses just before the first change
to the fleet, and names a replica that came back on another address (Docker may give a
container another address when it starts again). The containers are fakes that count
their inspections and take a new address from a pool at each start."""

from __future__ import annotations

from types import SimpleNamespace

from harness.run.runtime import RunIdentity
from harness.run.stack import Stack, StackImages
from harness.spec.catalog import STACKS

STACK_ID = "nginx-gunicorn-gthread-flask"
NETWORK = "dh-abc123-net"


class FakeReplica:
    """A replica container on NETWORK: stop drops its address, start takes the next free one."""

    def __init__(self, pool: list[str]) -> None:
        self.pool = pool
        self.address = pool.pop(0)
        self.inspections = 0

    @property
    def attrs(self) -> dict:
        return {"NetworkSettings": {"Networks": {NETWORK: {"IPAddress": self.address}}}}

    def reload(self) -> None:
        self.inspections += 1

    def stop(self, timeout: int) -> None:
        self.address = ""

    def start(self) -> None:
        self.address = self.pool.pop(0)


class FakeProxy:
    def restart(self, timeout: int) -> None:
        pass


def fake_stack(pool: list[str]) -> tuple[Stack, dict[str, FakeReplica]]:
    stack = Stack(STACKS[STACK_ID], RunIdentity.new(), StackImages("base:test", "app:test"))
    stack.network = SimpleNamespace(name=NETWORK)
    replicas = {name: FakeReplica(pool) for name in stack.replicas}
    stack.containers.update(replicas)
    stack.containers["proxy"] = FakeProxy()
    stack.wait_replicas_ready = lambda names, *args, **kwargs: None  # type: ignore[method-assign]
    stack.wait_proxy_ready = lambda *args, **kwargs: 0.0  # type: ignore[method-assign]
    return stack, replicas


def test_nothing_is_inspected_and_nothing_moved_before_the_fleet_changes():
    stack, replicas = fake_stack(["172.29.0.3", "172.29.0.4"])
    assert stack.replicas_moved() == []
    stack.restart_proxy()
    assert stack.replicas_moved() == []
    assert [replica.inspections for replica in replicas.values()] == [0, 0]


def test_a_replica_back_on_another_address_is_named():
    stack, replicas = fake_stack(["172.29.0.3", "172.29.0.4", "172.29.0.6"])
    stack.restart_replica("app-1")
    assert replicas["app-1"].address == "172.29.0.6"
    assert stack.replicas_moved() == ["app-1"]


def test_a_replica_back_on_its_own_address_did_not_move():
    pool = ["172.29.0.3", "172.29.0.4"]
    stack, _ = fake_stack(pool)
    pool.append("172.29.0.3")  # the address it gave up is the next one free
    stack.restart_replica("app-1")
    assert stack.replicas_moved() == []


def test_the_addresses_are_those_before_the_first_change_since_the_proxy_started():
    stack, _ = fake_stack(["172.29.0.3", "172.29.0.4", "172.29.0.6", "172.29.0.7"])
    stack.restart_replica("app-1")  # .3 -> .6: the proxy still knows .3
    stack.restart_replica("app-1")  # .6 -> .7: a second change must not take .6 as known
    assert stack.addresses_at_proxy_start == {"app-1": "172.29.0.3", "app-2": "172.29.0.4"}
    assert stack.replicas_moved() == ["app-1"]


def test_a_proxy_restart_resolves_afresh_and_forgets_the_old_addresses():
    stack, _ = fake_stack(["172.29.0.3", "172.29.0.4", "172.29.0.6", "172.29.0.7"])
    stack.restart_replica("app-1")
    stack.restart_proxy()  # resolves app-1 at .6 now
    assert stack.addresses_at_proxy_start is None and stack.replicas_moved() == []
    stack.restart_replica("app-2")  # .4 -> .7
    assert stack.replicas_moved() == ["app-2"]
