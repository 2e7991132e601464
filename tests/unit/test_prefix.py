"""An app under a URL prefix: the stack field is validated, each server and framework is told
one way, and the configs publish the app below the prefix only (render only, no Docker)."""

import subprocess
import sys
from pathlib import Path

import pytest

from harness.building.configs import render_stack
from harness.errors import ConfigError
from harness.paths import PROJECT_ROOT
from harness.run.network_probe import Wanted, answered
from harness.spec.catalog import STACKS
from harness.spec.model import Framework, ProxyKind, ServerKind, StackSpec, Trust
from harness.spec.prefix import PrefixHandling
from harness.spec.prefix_hints import how_the_app_is_told
from harness.spec.stackfile import load_stack_file


def prefixed(**fields: object) -> StackSpec:
    return StackSpec(**{"proxy": ProxyKind.NGINX, "prefix": "/app", **fields})  # type: ignore[arg-type]


def load(tmp_path: Path, body: str) -> tuple[StackSpec, ...]:
    path = tmp_path / "stacks.toml"
    path.write_text('[[stacks]]\nid = "mine"\n' + body + "\n", encoding="utf-8")
    return load_stack_file(path)


@pytest.mark.parametrize("value", ["app", "/app/", "/my app", "/", '"/a?b"', 7])
def test_a_malformed_prefix_is_named_with_what_is_allowed(tmp_path, value):
    given = f'"{value}"' if isinstance(value, str) and not value.startswith('"') else value
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, f'extends = "nginx-gunicorn-gthread-flask"\nprefix = {given}')
    message = str(caught.value)
    assert "stacks.toml" in message and "stack 'mine'" in message, message
    assert "field 'prefix'" in message and "starts with '/', no trailing '/'" in message, message


def test_a_prefix_the_harness_cannot_tell_is_refused(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, 'extends = "nginx-uwsgi-flask"\nprefix = "/app"')
    message = str(caught.value)
    assert "field 'prefix'" in message and "protocol = http" in message, message


def test_a_stack_file_prefix_gives_the_derived_id(tmp_path):
    (spec,) = load(tmp_path, 'extends = "haproxy-daphne-django-asgi-tls"\nprefix = "/shop/v2"')
    assert (spec.id, spec.prefix, spec.replica_root) == ("mine", "/shop/v2", "/shop/v2")
    assert spec.with_changes().id == "haproxy-daphne-django-asgi-tls-prefix"


@pytest.mark.parametrize(
    ("fields", "handling"),
    [
        ({"server": ServerKind.GUNICORN, "framework": Framework.FLASK}, "forwarded"),
        ({"server": ServerKind.UWSGI, "framework": Framework.FLASK}, "forwarded"),
        ({"server": ServerKind.GRANIAN, "framework": Framework.FLASK}, "forwarded"),
        ({"server": ServerKind.GUNICORN, "framework": Framework.DJANGO}, "server-root"),
        (
            {"server": ServerKind.GUNICORN, "framework": Framework.FLASK, "trust": Trust.SERVER},
            "server-root",
        ),
        ({"server": ServerKind.UVICORN, "framework": Framework.DJANGO}, "added-root"),
        ({"server": ServerKind.DAPHNE, "framework": Framework.DJANGO}, "server-root"),
        ({"server": ServerKind.HYPERCORN, "framework": Framework.DJANGO}, "server-root"),
        ({"server": ServerKind.GRANIAN, "framework": Framework.DJANGO}, "server-root"),
        ({"server": ServerKind.WAITRESS, "framework": Framework.DJANGO}, "server-root"),
    ],
)
def test_each_server_and_framework_is_told_one_way(fields, handling):
    spec = prefixed(**fields)
    assert spec.problems() == []
    assert spec.prefix_handling == PrefixHandling(handling)
    assert spec.replica_root == ("/app" if handling == "server-root" else "")


@pytest.mark.parametrize(
    ("fields", "told"),
    [
        ({"server": ServerKind.UVICORN, "framework": Framework.DJANGO}, "--root-path /app"),
        ({"server": ServerKind.DAPHNE, "framework": Framework.DJANGO}, "--root-path /app"),
        ({"server": ServerKind.HYPERCORN, "framework": Framework.DJANGO}, "--root-path /app"),
        ({"server": ServerKind.GRANIAN, "framework": Framework.DJANGO}, "--url-path-prefix /app"),
        ({"server": ServerKind.WAITRESS, "framework": Framework.DJANGO}, "--url-prefix=/app"),
    ],
)
def test_the_server_gets_its_root_on_its_command_line(fields, told):
    assert told in " ".join(render_stack(prefixed(**fields)).app.command)


def test_gunicorn_gets_script_name_in_its_environment():
    gunicorn = render_stack(prefixed(server=ServerKind.GUNICORN, framework=Framework.DJANGO))
    assert 'raw_env = ["SCRIPT_NAME=/app"]' in gunicorn.app.files[0].content
    flask = render_stack(prefixed(server=ServerKind.GUNICORN, framework=Framework.FLASK))
    assert "raw_env" not in flask.app.files[0].content


def test_gunicorns_uvicorn_worker_is_refused_with_a_prefix(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, 'extends = "apache-gunicorn-uvicorn-django-asgi-tls-sticky"\nprefix = "/a"')
    assert "field 'prefix'" in str(caught.value) and "no root setting" in str(caught.value)


@pytest.mark.parametrize(
    ("stack_id", "published"),
    [
        (
            "nginx-gunicorn-gthread-flask-prefix",
            [
                "location /app/ {", "proxy_pass http://app/;", "location /app/static/ {",
                'proxy_set_header X-Forwarded-Prefix "/app";',
            ],
        ),
        (
            "apache-gunicorn-gthread-flask-prefix",
            [
                "ProxyPass /app/ balancer://app/\n", 'Alias /app/static/ "/srv/static/"',
                'RequestHeader set X-Forwarded-Prefix "/app"', "hcuri=/health",
            ],
        ),
        (
            "apache-daphne-django-asgi-prefix",
            [
                "ProxyPass /app/ balancer://app/app/", "ProxyPass /app/ws/ balancer://ws/",
                '"http://app-1:8000/app/ws"', "hcuri=/app/health",
                "RequestHeader unset X-Forwarded-Prefix",
            ],
        ),
        (
            "haproxy-gunicorn-gthread-flask-prefix",
            [
                "http-request replace-path /app(/.*) \\1", "path_beg /app/static/",
                "http-request set-header X-Forwarded-Prefix /app", "unless { path_beg /app/ }",
            ],
        ),
        (
            "haproxy-hypercorn-django-asgi-prefix",
            ["uri /app/health ver", "unless { path_beg /app/ }"],
        ),
    ],
)  # fmt: skip
def test_each_proxy_publishes_the_app_below_the_prefix(stack_id, published):
    proxy = render_stack(STACKS[stack_id]).proxy
    text = "\n".join(file.content for file in proxy.files)
    missing = [line for line in published if line not in text]
    assert not missing, f"{stack_id}: {missing}"
    assert "replace-path" not in text or "hypercorn" not in stack_id


def test_an_unprefixed_stack_publishes_the_app_at_the_root():
    text = render_stack(STACKS["nginx-gunicorn-gthread-flask"]).proxy.files[0].content
    assert "location / {" in text and "proxy_pass http://app;" in text
    assert 'X-Forwarded-Prefix "";' in text and "location /app" not in text


def test_a_prefixed_stack_runs_the_prefix_family_unless_it_names_others():
    spec = STACKS["nginx-gunicorn-gthread-flask-prefix"]
    assert spec.scenario_families == ("prefix",)
    assert spec.with_changes(families=("forwarding",)).scenario_families == ("forwarding",)
    assert STACKS["nginx-gunicorn-gthread-flask"].scenario_families == ()


def test_failure_hints_name_the_directives():
    nginx = how_the_app_is_told(STACKS["nginx-gunicorn-gthread-flask-prefix"])
    assert "proxy_pass http://app/;" in nginx and "X-Forwarded-Prefix" in nginx
    assert "ProxyFix(x_prefix=1)" in nginx
    gunicorn = how_the_app_is_told(STACKS["apache-gunicorn-sync-django-prefix"])
    assert "balancer://app/app/" in gunicorn and "SCRIPT_NAME=/app" in gunicorn


def test_replicas_under_a_prefix_are_ready_on_any_answer():
    assert answered("HTTP/1.1 404 Not Found", Wanted.ANY_STATUS)
    assert not answered("HTTP/1.1 404 Not Found", Wanted.OK)
    assert answered("HTTP/1.0 200 OK", Wanted.OK)
    assert not answered("ConnectionRefusedError: refused", Wanted.ANY_STATUS)
    assert not answered("no answer", Wanted.ANY_STATUS)


def test_prefix_family_skips_with_a_reason_on_a_stack_at_the_root():
    """Collected on a stack without a prefix, every prefix case skips, saying why (no Docker:
    a skipped case never starts its stack)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "scenarios/test_prefix.py", "-q", "-rs",
         "-p", "no:cacheprovider", "--stack", "nginx-gunicorn-gthread-flask"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "serves the app at the root: no URL prefix (stack field prefix)" in result.stdout
    assert " passed" not in result.stdout and "11 skipped" in result.stdout, result.stdout
