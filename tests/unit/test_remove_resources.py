"""Removing what a run left, without Docker: a network that keeps an endpoint sends the
removal back to the containers, since the engine may still be finishing a start a killed run
asked for after they were listed. The engine is a fake that holds such a late container."""

from __future__ import annotations

import docker.errors
import pytest

from harness.run import runtime

ACTIVE = docker.errors.APIError(
    "403 Client Error",
    explanation="error while removing network: network dh-ab68d6-net id b600 has active endpoints",
)


class FakeEngine:
    """One run's network, a container listed at once, and `late` containers the engine
    finishes starting only after the first listing; the network goes once none is left."""

    def __init__(self, late: int) -> None:
        self.listed = [FakeResource(self, "dh-ab68d6-app-1")]
        self.late = [FakeResource(self, f"dh-ab68d6-app-{n + 2}") for n in range(late)]
        self.attached = {resource.name for resource in self.listed + self.late}
        self.containers = Listing(self._containers)
        self.networks = Listing(lambda: [FakeNetwork(self)])
        self.volumes = Listing(lambda: [])

    def _containers(self) -> list[FakeResource]:
        listed, self.listed = self.listed, self.late[:1]
        self.late = self.late[1:]
        return listed


class Listing:
    def __init__(self, listed) -> None:
        self.listed = listed

    def list(self, **filters):
        return self.listed()


class FakeResource:
    def __init__(self, engine: FakeEngine, name: str) -> None:
        self.engine, self.name = engine, name
        self.attrs = {"Names": [f"/{name}"], "Labels": {}}

    def remove(self, **options) -> None:
        self.engine.attached.discard(self.name)


class FakeNetwork(FakeResource):
    def __init__(self, engine: FakeEngine) -> None:
        super().__init__(engine, "dh-ab68d6-net")
        self.attrs = {"Labels": {}}

    def remove(self, **options) -> None:
        if self.engine.attached:
            raise ACTIVE


def test_a_container_started_after_the_listing_is_removed_and_then_its_network(monkeypatch):
    engine = FakeEngine(late=2)
    monkeypatch.setattr(runtime, "engine", lambda: engine)
    monkeypatch.setattr(runtime, "SETTLE_POLL", 0)
    removed = runtime.remove_resources(group="ab68d6")
    assert removed == [
        "container dh-ab68d6-app-1",
        "container dh-ab68d6-app-2",
        "container dh-ab68d6-app-3",
        "network dh-ab68d6-net",
    ]


def test_an_endpoint_that_never_goes_is_the_engines_refusal_after_the_settle_time(monkeypatch):
    engine = FakeEngine(late=0)
    engine.attached.add("a container not ours")
    monkeypatch.setattr(runtime, "engine", lambda: engine)
    monkeypatch.setattr(runtime, "SETTLE_SECONDS", 0.05)
    monkeypatch.setattr(runtime, "SETTLE_POLL", 0.01)
    with pytest.raises(docker.errors.APIError, match="has active endpoints"):
        runtime.remove_resources(group="ab68d6")
