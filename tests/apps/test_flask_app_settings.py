"""The Flask reference app reads the contract's environment and serves it from both entry points."""

import asyncio
import hashlib
import importlib
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from flask import Flask
from flask_app import Settings, SettingsError

CONTRACT_VARIABLES = (
    "HARNESS_INSTANCE",
    "HARNESS_SERVER",
    "HARNESS_INTERFACE",
    "REDIS_URL",
    "HARNESS_PROXY_HOPS",
    "HARNESS_ALLOWED_HOSTS",
)
HARNESS_ENV = {
    "HARNESS_INSTANCE": "app-7",
    "HARNESS_SERVER": "gunicorn-gthread",
    "HARNESS_PROXY_HOPS": "1",
    "HARNESS_ALLOWED_HOSTS": "localhost",
    # Nothing listens there: the entry points must build the app without touching Redis.
    "REDIS_URL": "redis://127.0.0.1:1/0",
}


def import_entry_point(monkeypatch, module_name, env):
    """Import `module_name` afresh under exactly `env`, as a server process would."""
    for name in CONTRACT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, module_name, raising=False)
    return importlib.import_module(module_name)


def test_settings_default_as_the_contract_says(monkeypatch):
    """With nothing set, every variable takes the contract's default."""
    monkeypatch.setattr("flask_app.settings.socket.gethostname", lambda: "host-abc")
    assert Settings.from_env({}) == Settings(
        instance="host-abc",
        server="unknown",
        interface="wsgi",
        redis_url="redis://redis:6379/0",
        proxy_hops=1,
        allowed_hosts=("localhost", "127.0.0.1", "deploy-harness.test"),
    )


def test_settings_read_the_environment():
    """Every contract variable is read; host names are trimmed and lower-cased."""
    env = {**HARNESS_ENV, "HARNESS_PROXY_HOPS": "2", "HARNESS_ALLOWED_HOSTS": " A.test , .b.test"}
    settings = Settings.from_env(env)
    assert (settings.instance, settings.server) == ("app-7", "gunicorn-gthread")
    assert (settings.redis_url, settings.proxy_hops) == ("redis://127.0.0.1:1/0", 2)
    assert settings.allowed_hosts == ("a.test", ".b.test")


def test_harness_interface_wins_over_the_entry_point_default():
    """The entry point knows what it serves, unless the harness says otherwise."""
    assert Settings.from_env({}, default_interface="asgi").interface == "asgi"
    assert Settings.from_env({"HARNESS_INTERFACE": "wsgi"}, default_interface="asgi").interface == (
        "wsgi"
    )


def test_star_allows_every_host():
    """HARNESS_ALLOWED_HOSTS=* turns the host check off, as in Django."""
    assert Settings.from_env({"HARNESS_ALLOWED_HOSTS": "*"}).allowed_hosts is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HARNESS_PROXY_HOPS", "-1"),
        ("HARNESS_PROXY_HOPS", "two"),
        ("HARNESS_ALLOWED_HOSTS", ""),
        ("HARNESS_ALLOWED_HOSTS", " , "),
        ("HARNESS_ALLOWED_HOSTS", "localhost,*"),
        ("HARNESS_INTERFACE", "cgi"),
    ],
)
def test_bad_setting_names_the_variable(variable, value):
    """A value the contract does not allow stops the app from starting, saying which."""
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_wsgi_entry_point_serves_the_app(monkeypatch):
    """`flask_app.wsgi:app` is the app, configured from the environment."""
    module = import_entry_point(monkeypatch, "flask_app.wsgi", HARNESS_ENV)
    assert isinstance(module.app, Flask)
    response = module.app.test_client().get("/echo")
    assert response.headers["X-Instance"] == "app-7"
    seen = response.json
    assert (seen["interface"], seen["server"], seen["instance"]) == (
        "wsgi",
        "gunicorn-gthread",
        "app-7",
    )


async def chunks(body: bytes, size: int) -> AsyncIterator[bytes]:
    """Yield `body` in pieces, so httpx sends it without a Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def call_asgi(app, method, path, **options):
    """Send one request to an ASGI app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return await client.request(method, path, **options)


def test_asgi_entry_point_says_asgi(monkeypatch):
    """`flask_app.asgi:app` serves the same app over ASGI and reports interface asgi."""
    module = import_entry_point(monkeypatch, "flask_app.asgi", HARNESS_ENV)
    response = asyncio.run(call_asgi(module.app, "GET", "/echo?q=1"))
    assert response.headers["X-Instance"] == "app-7"
    seen = response.json()
    assert (seen["interface"], seen["args"], seen["raw_path"]) == ("asgi", {"q": ["1"]}, None)


def test_asgi_entry_point_reads_a_chunked_upload(monkeypatch):
    """A body without Content-Length reaches the app whole through WsgiToAsgi."""
    module = import_entry_point(monkeypatch, "flask_app.asgi", HARNESS_ENV)
    body = b"y" * 150_000
    response = asyncio.run(call_asgi(module.app, "POST", "/upload", content=chunks(body, 10_000)))
    assert response.json()["size"] == len(body), response.text
    assert response.json()["sha256"] == hashlib.sha256(body).hexdigest()
