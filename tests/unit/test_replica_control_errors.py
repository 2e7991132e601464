"""Docker calls made while a scenario runs (stop, pause, start, recreate, exec a replica, the
re-resolution placeholder) go through the one boundary: docker-py's error becomes a harness
error naming the stack, the service and what was asked, with a hint. No Docker: the
containers are fakes that raise what the engine would."""

from __future__ import annotations

from types import SimpleNamespace

import docker.errors
import pytest
import requests.exceptions

from harness.errors import EngineError, StackError, StackStartError
from harness.run import fleet, runtime
from harness.run.runtime import RunIdentity
from harness.run.stack import Stack, StackImages
from harness.run.stack_readiness import ReplicaProbe, probe_from_network
from harness.spec.catalog import STACKS

STACK_ID = "nginx-gunicorn-gthread-flask"
NOT_RUNNING = docker.errors.APIError(
    "409 Client Error", explanation="Container 3f2a is not running"
)  # fmt: skip
REMOVED = docker.errors.NotFound("404 Client Error", explanation="No such container: 3f2a")


class RefusingContainer:
    """A container whose every docker-py call raises the error it was given."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, name):
        def call(*args, **kwargs):
            raise self.error

        return call


def stack_with(service: str, error: Exception) -> Stack:
    stack = Stack(STACKS[STACK_ID], RunIdentity.new(), StackImages("base:test", "app:test"))
    stack.containers[service] = RefusingContainer(error)
    return stack


CONTROLS = {
    "stop": lambda stack: stack.stop_replica("app-1"),
    "kill": lambda stack: stack.kill_replica("app-1"),
    "pause": lambda stack: stack.pause_replica("app-1"),
    "unpause": lambda stack: stack.unpause_replica("app-1"),
    "start": lambda stack: stack.start_replica("app-1"),
    "restart": lambda stack: stack.restart_replica("app-1"),
    "recreate": lambda stack: stack.recreate_replica("app-1"),
    "exec": lambda stack: stack.exec("app-1", ["gunicorn", "--version"]),
    "inspect": lambda stack: stack.state("app-1"),
}


@pytest.mark.parametrize("control", CONTROLS.values(), ids=CONTROLS.keys())
def test_a_refused_replica_control_names_stack_service_and_hint(control):
    with pytest.raises(StackError) as caught:
        control(stack_with("app-1", NOT_RUNNING))
    message = str(caught.value)
    assert f"stack {STACK_ID}, service app-1 (" in message, message
    assert "Container 3f2a is not running" in message, message
    hint = "--filter label=deploy-harness.service=app-1` shows it"
    assert "Hint: its state may not allow" in message and hint in message, message
    # The stack had started: a refusal here is not a start-up failure (exit code class 6
    # all the same), and nothing of docker-py's chain is shown.
    assert not isinstance(caught.value, StackStartError)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_pause_says_what_was_asked():
    with pytest.raises(StackError, match=r"service app-1 \(pause\): the engine refused"):
        stack_with("app-1", NOT_RUNNING).pause_replica("app-1")


def test_a_replica_removed_behind_the_runs_back_is_named_with_a_hint():
    with pytest.raises(StackError) as caught:
        stack_with("app-2", REMOVED).stop_replica("app-2")
    message = str(caught.value)
    assert f"stack {STACK_ID}, service app-2 (stop): the engine no longer has it" in message
    assert "No such container: 3f2a" in message and "Hint: something removed" in message


def test_the_engine_going_away_mid_scenario_is_an_engine_error():
    gone = requests.exceptions.ConnectionError("Connection aborted: docker.sock")
    with pytest.raises(EngineError) as caught:
        stack_with("app-1", gone).unpause_replica("app-1")
    message = str(caught.value)
    assert f"stack {STACK_ID}, service app-1 (unpause): lost the Docker engine" in message
    assert "Hint: is it running? `harness doctor` checks." in message


def test_state_and_logs_of_a_gone_replica_are_answers_not_errors():
    """What diagnostics read: a removed replica's state, logs the engine will not give."""
    assert stack_with("app-1", REMOVED).state("app-1") == "removed"
    logs = stack_with("app-1", NOT_RUNNING).logs("app-1")
    assert logs == "(logs unavailable: Container 3f2a is not running)"


def test_the_readiness_probe_from_redis_names_its_service():
    """The probe asks the network agent beside Redis, found through the Redis container."""
    stack = stack_with("redis", NOT_RUNNING)
    stack.containers["app-1"] = stack_with("app-1", REMOVED).containers["app-1"]
    how = ReplicaProbe.for_stack(stack.spec, stack.replica_health_path)
    with pytest.raises(StackError, match=r"service redis \(inspect\): the engine refused"):
        probe_from_network(stack, ["app-1:8000:http"], how)


def test_moved_replica_placeholder_refused_names_the_placeholder(monkeypatch):
    """fleet.moved_replica runs a placeholder container: its refusal is named too."""

    class Engine:
        containers = RefusingContainer(NOT_RUNNING)

    stack = stack_with("app-1", NOT_RUNNING)
    stack.network = type("Network", (), {"name": "dh-net"})()
    monkeypatch.setattr(Stack, "replica_address", lambda self, replica: "172.18.0.3")
    monkeypatch.setattr(Stack, "stop_replica", lambda self, replica: None)
    monkeypatch.setattr(fleet, "engine", lambda: Engine())
    with pytest.raises(StackError) as caught, fleet.moved_replica(stack, "app-1"):
        pass
    assert f"stack {STACK_ID}, service app-1-placeholder (run)" in str(caught.value)


def test_replica_address_of_a_removed_replica_is_named():
    with pytest.raises(StackError, match=r"service app-1 \(inspect\): the engine no longer"):
        stack_with("app-1", REMOVED).replica_address("app-1")


class Network:
    name = "dh-abc123-net"

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error

    def remove(self):
        if self.error:
            raise self.error


class Engine:
    """Lists the containers with the stack's labels that down() must remove too."""

    def __init__(self, labelled):
        self.containers = type("Containers", (), {"list": lambda _, **kw: labelled})()
        self.api = type("Api", (), {"create_endpoint_config": lambda _, aliases: aliases})()


def test_down_removes_containers_that_joined_with_the_stacks_labels(monkeypatch):
    removed = []

    class Joined:
        def __init__(self):
            self.attrs = {"Labels": {"deploy-harness.service": "mock"}}

        def remove(self, **options):
            removed.append("mock")

    monkeypatch.setattr("harness.run.services.engine", lambda: Engine([Joined()]))
    stack = Stack(STACKS[STACK_ID], RunIdentity.new(), StackImages("base:test", "app:test"))
    stack.network = Network()
    stack.down()
    assert removed == ["mock"] and stack.network is None


def conflict(explanation: str) -> docker.errors.APIError:
    response = requests.Response()
    response.status_code = 409
    return docker.errors.APIError("409 Client Error", response, explanation)


REMOVING = conflict("removal of container 1c78 is already in progress")


def test_down_takes_a_removal_already_in_progress_as_done(monkeypatch):
    """Parallel runs each reap orphans at start, and `harness clean` may run beside them: a
    container another process is removing is gone for us (session 8's CI failed on this)."""
    monkeypatch.setattr("harness.run.services.engine", lambda: Engine([]))
    stack = stack_with("app-1", REMOVING)
    stack.network = Network()
    stack.down()
    assert stack.containers == {} and stack.network is None


def test_down_still_names_any_other_conflict(monkeypatch):
    monkeypatch.setattr("harness.run.services.engine", lambda: Engine([]))
    stack = stack_with("app-1", conflict("You cannot remove a running container 1c78"))
    with pytest.raises(StackError, match=r"service app-1 \(remove\).*running container 1c78"):
        stack.down()


def test_reaping_beside_another_reaper_is_not_an_error(monkeypatch):
    class Orphan:
        def __init__(self):
            self.attrs = {"Names": ["/dh-orphan"], "Labels": {}}

        def remove(self, **options):
            raise REMOVING

    def listing(*found):
        return type("Listing", (), {"list": lambda _, **kw: list(found)})()

    client = type("Client", (), {})()
    client.containers, client.networks, client.volumes = listing(Orphan()), listing(), listing()
    monkeypatch.setattr(runtime, "engine", lambda: client)
    # No error, and not counted as removed by this run: the other reaper removes it.
    assert runtime.remove_resources(run_id="t1c78") == []


def test_down_with_a_foreign_container_on_the_network_says_so(monkeypatch):
    busy = docker.errors.APIError("403 Client Error", explanation="network has active endpoints")
    monkeypatch.setattr("harness.run.services.engine", lambda: Engine([]))
    stack = Stack(STACKS[STACK_ID], RunIdentity.new(), StackImages("base:test", "app:test"))
    stack.network = Network(busy)
    with pytest.raises(StackError) as caught:
        stack.down()
    message = str(caught.value)
    assert f"stack {STACK_ID}, service network (remove)" in message, message
    assert "has active endpoints" in message and "stack.join_options(name)" in message, message


def test_join_options_carry_the_network_its_alias_and_our_labels(monkeypatch):
    monkeypatch.setattr("harness.run.services.engine", lambda: Engine([]))
    stack = Stack(STACKS[STACK_ID], RunIdentity.new(), StackImages("base:test", "app:test"))
    with pytest.raises(StackError, match=r"join_options\('mock'\) before the stack is up"):
        stack.join_options("mock")
    stack.network = Network()
    options = stack.join_options("mock")
    assert options["network"] == "dh-abc123-net"
    assert options["networking_config"] == {"dh-abc123-net": ["mock"]}
    assert options["labels"] == stack.identity.labels(STACK_ID, "mock")


FREEZE_FAILED = docker.errors.APIError(
    "500 Server Error",
    explanation="Cannot pause container 8a8a: OCI runtime pause failed: unable to freeze: unknown",
)


class FreezesLate:
    """A container runc fails to freeze `failures` times (a busy machine), then pauses."""

    def __init__(self, failures: int) -> None:
        self.attrs = {"NetworkSettings": {"Networks": {}}}
        self.failures = failures
        self.paused = False

    def reload(self):
        pass

    def pause(self):
        if self.failures:
            self.failures -= 1
            raise FREEZE_FAILED
        self.paused = True


def test_a_pause_runc_could_not_freeze_is_asked_again():
    stack = stack_with("app-1", NOT_RUNNING)
    stack.network = SimpleNamespace(name="dh-abc123-net")
    late = stack.containers["app-1"] = FreezesLate(failures=2)
    stack.pause_replica("app-1")
    assert late.paused and late.failures == 0


def test_a_pause_that_never_freezes_fails_after_the_patience(monkeypatch):
    monkeypatch.setattr("harness.run.replicas.FREEZE_PATIENCE", 0.05)
    with pytest.raises(StackError, match=r"\(pause\): the engine refused: .*unable to freeze"):
        stack_with("app-1", FREEZE_FAILED).pause_replica("app-1")
