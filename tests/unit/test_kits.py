"""Every proxy and every server has a kit, and every kit fills every field with something
the harness can use: a template that exists, commands, versions for every Debian suite, a
directive for every value a proxy decides, how it is told a URL prefix. A missing entry is a
failing test here, not a KeyError in a user's run."""

from __future__ import annotations

import dataclasses

import pytest

from harness.parts import PROXY_KITS, SERVER_KITS, proxy_kit, server_kit
from harness.parts.kinds import Interface, Protocol, ProxyKind, ServerKind, Suite, Trust
from harness.parts.kit import ServerChoice, ServerSettings
from harness.paths import DOCKER_DIR, TEMPLATES_DIR
from harness.spec.reading import PROXY_DECIDES, SERVER_DECIDES

BASE_PACKAGES = (DOCKER_DIR / "base" / "packages.txt").read_text().split()
REQUIREMENTS = (DOCKER_DIR / "requirements.txt").read_text()


def test_every_kind_has_its_kit():
    assert set(PROXY_KITS) == set(ProxyKind)
    assert set(SERVER_KITS) == set(ServerKind)
    assert all(proxy_kit(kind).kind == kind for kind in ProxyKind)
    assert all(server_kit(kind).kind == kind for kind in ServerKind)


def _unfilled(kit: object) -> list[str]:
    """The fields left empty; a field may be empty only where emptiness is a statement
    (no helper files, no tmpfs, no reader, no config file of its own)."""
    may_be_empty = {"helpers", "tmpfs", "read_config", "config_template", "worker_classes",
                    "default_worker_class", "http_parsers", "write_timeout",
                    "keeps_idle_connections"}  # fmt: skip
    return [
        field.name
        for field in dataclasses.fields(kit)  # type: ignore[arg-type]
        if field.name not in may_be_empty and getattr(kit, field.name) in ("", (), None, {})
    ]


@pytest.mark.parametrize("kind", list(ProxyKind))
def test_proxy_kit_fills_every_field(kind):
    kit = proxy_kit(kind)
    assert not _unfilled(kit), f"{kind}: {_unfilled(kit)} left empty"
    assert (TEMPLATES_DIR / kit.template).is_file(), f"{kind}: no template {kit.template}"
    assert all((TEMPLATES_DIR / template).is_file() for template, _ in kit.helpers)
    assert kit.config_path.startswith("/")
    assert set(kit.shipped) == set(Suite), f"{kind}: versions for {set(kit.shipped)} only"
    assert set(PROXY_DECIDES) <= set(kit.directives), (
        f"{kind}: no directive for {set(PROXY_DECIDES) - set(kit.directives)}"
    )
    assert any(package in BASE_PACKAGES for package in kit.debian_packages), (
        f"{kind}: none of {kit.debian_packages} in docker/base/packages.txt"
    )
    assert Protocol.HTTP in kit.features.protocols and kit.features.balancing
    for name in ("strip", "keep", "static", "outside"):
        assert "{prefix}" in getattr(kit.prefix, name), f"{kind}: prefix.{name} names no prefix"


@pytest.mark.parametrize("kind", list(ServerKind))
def test_server_kit_fills_every_field(kind):
    kit = server_kit(kind)
    assert not _unfilled(kit), f"{kind}: {_unfilled(kit)} left empty"
    assert kit.package in REQUIREMENTS, f"{kind}: {kit.package} not in docker/requirements.txt"
    assert set(kit.directives) <= set(SERVER_DECIDES) | set(PROXY_DECIDES)
    assert "{root}" in kit.root_setting
    if kit.config_template is not None:
        assert (TEMPLATES_DIR / kit.config_template).is_file()
    assert set(kit.worker_classes.values()) <= kit.interfaces
    if kit.worker_classes:
        assert kit.default_worker_class in kit.worker_classes


@pytest.mark.parametrize("kind", list(ServerKind))
def test_server_kit_answers_for_every_choice_it_serves(kind):
    """Its label, trust, command and facts come out for each interface and protocol it
    serves: no choice it allows makes one of its functions fail."""
    kit = server_kit(kind)
    for interface in kit.interfaces:
        for protocol in kit.protocols:
            for worker_class in kit.worker_classes or {None: interface}:
                choice = ServerChoice(worker_class, interface, protocol, None, 4)
                settings = ServerSettings(choice, "app:app", 8000, 2, Trust.SERVER, 5, 3, 5, 2,
                                          "/app", "/etc/harness")  # fmt: skip
                assert kit.label(choice).startswith(str(kind))
                assert kit.default_trust(choice) in Trust
                command = kit.command(settings)
                assert command and all(isinstance(part, str) for part in command)
                for fact in (kit.one_request_per_process, kit.ends_slow_requests,
                             kit.answers_expect):  # fmt: skip
                    assert fact(choice) in (True, False)
                assert kit.parser_package(choice) in (None, *_packages())


def _packages() -> tuple[str, ...]:
    return ("gunicorn", "h11", "twisted", "waitress")


def test_an_interface_no_kit_serves_is_refused():
    assert Interface.ASGI not in server_kit(ServerKind.WAITRESS).interfaces
