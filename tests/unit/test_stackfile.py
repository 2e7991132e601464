"""Stack files become validated specs; every problem names file, stack, field, value, allowed."""

from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.spec.model import Balancing, Framework, Interface, ProxyKind, ServerKind, WorkerClass
from harness.spec.stackfile import load_stack_file


def write(tmp_path: Path, text: str, name: str = "stacks.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_full_stack_is_parsed(tmp_path):
    path = write(
        tmp_path,
        """
[[stacks]]
proxy = "nginx"
server = "gunicorn"
worker_class = "sync"
app = "django"
replicas = 3
tls = true
balancing = "least-conn"
[stacks.timeouts]
proxy_read = 3
[stacks.limits]
max_body_bytes = 2048
""",
    )
    (spec,) = load_stack_file(path)
    assert (spec.proxy, spec.server, spec.worker_class) == (
        ProxyKind.NGINX,
        ServerKind.GUNICORN,
        WorkerClass.SYNC,
    )
    assert spec.framework == Framework.DJANGO and spec.interface == Interface.WSGI
    assert (spec.replicas, spec.tls, spec.balancing) == (3, True, Balancing.LEAST_CONN)
    assert spec.timeouts.proxy_read == 3.0 and spec.limits.max_body_bytes == 2048
    assert spec.id == "nginx-gunicorn-sync-django-tls"
    assert spec.source == str(path)


def test_extends_keeps_base_and_resolves_override_paths(tmp_path):
    write(tmp_path, "events {}\n", "my-nginx.conf")
    path = write(
        tmp_path,
        """
[[stacks]]
id = "mine"
extends = "nginx-gunicorn-gthread-flask"
replicas = 3
[stacks.overrides]
proxy_config = "my-nginx.conf"
env = { FEATURE = "on" }
""",
    )
    (spec,) = load_stack_file(path)
    assert spec.id == "mine" and spec.server == ServerKind.GUNICORN and spec.replicas == 3
    assert spec.overrides.proxy_config == (tmp_path / "my-nginx.conf").resolve()
    assert dict(spec.overrides.env) == {"FEATURE": "on"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            'proxy = "nginx"\nserver = "gunicorn"\napp = "flask"\nreplicas = 0',
            "field 'replicas': got 0; allowed: a whole number from 1",
        ),
        (
            'proxy = "traefik"\nserver = "gunicorn"\napp = "flask"',
            "field 'proxy': got 'traefik'; allowed: nginx, apache, haproxy, caddy",
        ),
        (
            'proxy = "nginx"\nserver = "tornado"\napp = "flask"',
            "field 'server': got 'tornado'; allowed: gunicorn, uwsgi",
        ),
        (
            'proxy = "nginx"\nserver = "daphne"\napp = "flask"',
            "field 'interface': got asgi (daphne); allowed: wsgi: Flask is a WSGI-only app",
        ),
        (
            'proxy = "nginx"\nserver = "gunicorn"\napp = "flask"\ncolour = "red"',
            "field 'colour': got an unknown field",
        ),
        (
            'proxy = "nginx"\nserver = "gunicorn"\napp = "flask"\ntls = "yes"',
            "field 'tls': got 'yes'; allowed: true, false",
        ),
        (
            'proxy = "haproxy"\nserver = "uwsgi"\nprotocol = "uwsgi"\napp = "flask"',
            "haproxy does not speak the uwsgi protocol",
        ),
        (
            'proxy = "nginx"\nserver = "uwsgi"\nworker_class = "gthread"\napp = "flask"',
            "field 'worker_class': got gthread; allowed: only with server = gunicorn",
        ),
        ('extends = "no-such-stack"', "field 'extends': got 'no-such-stack'"),
        ('proxy = "nginx"', "field 'server': got nothing; allowed: required"),
        (
            'extends = "nginx-uwsgi-flask"\n[stacks.overrides]\nproxy_config = "missing.conf"',
            "field 'overrides.proxy_config': got 'missing.conf'",
        ),
        (
            'extends = "nginx-uwsgi-flask"\n[stacks.timeouts]\nproxy_read = -1',
            "field 'timeouts.proxy_read': got -1; allowed: a number of seconds above 0",
        ),
        (
            'extends = "nginx-uwsgi-flask"\n[stacks.timeouts]\ntimeout_status = 500',
            "field 'timeouts.timeout_status': got 500; allowed: 502, 504",
        ),
        (
            'extends = "nginx-uwsgi-flask"\nclient_protocols = ["h1", "h2"]',
            "field 'client_protocols': got h2; allowed: what nginx offers without TLS: h1",
        ),
        (
            'extends = "nginx-uvicorn-django-asgi-tls"\nclient_protocols = ["h2"]',
            "field 'client_protocols': got h2; allowed: a list with h1",
        ),
        (
            'extends = "nginx-uvicorn-django-asgi-tls"\nclient_protocols = ["spdy"]',
            "field 'client_protocols': got ['spdy']; allowed: a list of h1, h2, h3",
        ),
        (
            'proxy = "nginx"\nserver = "granian"\nprotocol = "h2c"\napp = "flask"',
            "nginx does not speak the h2c protocol",
        ),
    ],
)
def test_invalid_values_are_named(tmp_path, body, expected):
    path = write(tmp_path, '[[stacks]]\nid = "bad"\n' + body + "\n")
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    message = str(caught.value)
    assert str(path) in message and "stack 'bad'" in message
    assert expected in message, message


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(
        tmp_path,
        '[[stacks]]\nid = "x"\nproxy = "traefik"\nserver = "gunicorn"\napp = "flask"\n'
        "replicas = 0\n",
    )
    with pytest.raises(ConfigError, match=r"2 problem\(s\)"):
        load_stack_file(path)


def test_invalid_toml_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "[[stacks]\nproxy = ")
    with pytest.raises(ConfigError, match=r"not valid TOML: .*line 1"):
        load_stack_file(path)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="stack file not found"):
        load_stack_file(tmp_path / "absent.toml")


def test_top_level_must_be_stacks(tmp_path):
    with pytest.raises(ConfigError, match=r"expected one or more \[\[stacks\]\]"):
        load_stack_file(write(tmp_path, 'proxy = "nginx"\n'))
