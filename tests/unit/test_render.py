"""Templates render the settings of a spec; users' files replace ours; placeholders stay;
`harness render` writes a stack file that loads as the very stack it was rendered from."""

import dataclasses
import tomllib

import pytest

from harness.building.configs import RunValues, render_stack
from harness.building.render_out import write_effective_configs
from harness.known.incompatibilities import KNOWN, known_incompatibilities
from harness.spec.catalog import STACKS
from harness.spec.model import Balancing, Limits, Timeouts
from harness.spec.stackfile import load_stack_file

GUNICORN = STACKS["nginx-gunicorn-gthread-flask"]
UWSGI = STACKS["nginx-uwsgi-flask"]


def test_nginx_config_carries_the_spec_settings():
    spec = GUNICORN.with_changes(
        replicas=3,
        timeouts=Timeouts(proxy_read=7),
        limits=Limits(max_body_bytes=1234),
        balancing=Balancing.LEAST_CONN,
    )
    text = render_stack(spec).proxy.files[0].content
    for expected in (
        "server app-3:8000",
        "proxy_read_timeout 7s;",
        "client_max_body_size 1234;",
        "least_conn;",
        "proxy_pass http://app;",
    ):
        assert expected in text


def test_uwsgi_stack_uses_the_uwsgi_protocol_end_to_end():
    rendered = render_stack(UWSGI)
    assert "uwsgi_pass app;" in rendered.proxy.files[0].content
    assert "socket = 0.0.0.0:8000" in rendered.app.files[0].content
    assert rendered.app.command == ("uwsgi", "--ini", "/etc/harness/uwsgi.ini")


def test_nginx_keeps_upstream_connections_only_to_servers_that_keep_them():
    """uWSGI's http-socket answers HTTP/1.1 without `Connection: close` and then closes: a
    kept connection is reused before nginx sees the close, and with the other replica resting
    the request gets an instant 502 (seen on nginx-uwsgi-flask-http, balancing and lifecycle)."""
    closing = render_stack(STACKS["nginx-uwsgi-flask-http"]).proxy.files[0].content
    keeping = render_stack(GUNICORN).proxy.files[0].content
    assert "keepalive 16;" not in closing
    assert "keepalive 16;" in keeping


def test_gunicorn_config_carries_worker_class_and_timeouts():
    config = render_stack(GUNICORN).app.files[0].content
    assert 'worker_class = "gthread"' in config and "timeout = 5" in config


def test_tls_config_redirects_to_the_published_https_port():
    spec = GUNICORN.with_changes(tls=True)
    assert spec.id == "nginx-gunicorn-gthread-flask-tls"
    placeholder = render_stack(spec).proxy.files[0].content
    assert "https://$host:{{ public_https_port }}$request_uri" in placeholder
    filled = render_stack(spec, RunValues("8080", "8443")).proxy.files[0].content
    assert "https://$host:8443$request_uri" in filled and "{{ public_" not in filled


def test_user_proxy_config_replaces_ours_and_gets_run_values(tmp_path):
    (tmp_path / "mine.conf").write_text("# mine\nlisten {{ public_https_port }};\n")
    (tmp_path / "s.toml").write_text(
        '[[stacks]]\nextends = "nginx-gunicorn-gthread-flask"\nid = "m"\n'
        '[stacks.overrides]\nproxy_config = "mine.conf"\nserver_args = ["gunicorn", "x:app"]\n'
    )
    (spec,) = load_stack_file(tmp_path / "s.toml")
    rendered = render_stack(spec, RunValues("1", "2"))
    assert rendered.proxy.files[0].content == "# mine\nlisten 2;\n"
    assert rendered.app.command == ("gunicorn", "x:app")


def test_render_output_round_trips_through_a_stack_file(tmp_path):
    written = write_effective_configs(GUNICORN, tmp_path)
    assert {p.name for p in written} == {"nginx.conf", "gunicorn.conf.py", "stack.toml"}
    (spec,) = load_stack_file(tmp_path / "stack.toml")
    assert spec.id == GUNICORN.id
    assert (
        render_stack(spec).proxy.files[0].content == render_stack(GUNICORN).proxy.files[0].content
    )
    mine, ours = render_stack(spec).app, render_stack(GUNICORN).app
    assert mine.command == ours.command
    assert [f.content for f in mine.files] == [f.content for f in ours.files]


# -- render round trip: the written stack.toml loads as the stack it was rendered from --------


def effective(spec):
    """What a stack runs with: every config file by path and text, commands, environment."""
    rendered = render_stack(spec)
    return {
        service: (
            [(f.path, f.content) for f in config.files],
            config.command,
            config.check_command,
            dict(config.env),
        )
        for service, config in (("proxy", rendered.proxy), ("app", rendered.app))
    }


def comparable(spec):
    """The spec but for where it came from and where its config files are."""
    return dataclasses.replace(
        spec,
        source="",
        overrides=dataclasses.replace(
            spec.overrides, proxy_config=None, server_config=None, server_args=None
        ),
    )


def round_trip(spec, out):
    write_effective_configs(spec, out)
    (loaded,) = load_stack_file(out / "stack.toml")
    return loaded


def expected_failures(spec):
    cases = sorted({case for entry in KNOWN for case in entry.scenarios})
    return {case: [e.reason for e in known_incompatibilities(spec, case)] for case in cases}


def assert_same_stack(loaded, spec):
    assert comparable(loaded) == comparable(spec)
    assert effective(loaded) == effective(spec)
    assert expected_failures(loaded) == expected_failures(spec)


@pytest.mark.parametrize("spec", list(STACKS.values()), ids=list(STACKS))
def test_every_built_in_stack_renders_to_a_stack_file_of_the_same_stack(spec, tmp_path):
    """Every catalogue kind (proxy x server mode x app mode x protocol, TLS, balancing, suite)."""
    assert_same_stack(round_trip(spec, tmp_path), spec)


FILE_STACKS = """
[[stacks]]
id = "my-api"
extends = "nginx-gunicorn-gthread-flask"
replicas = 3
workers = 3
tls = true
tls_min_version = "1.3"
balancing = "least-conn"
suite = "trixie"
proxy_hops = 2
[stacks.timeouts]
proxy_read = 3.5
worker = 6
timeout_status = 502
[stacks.limits]
max_body_bytes = 4096
[stacks.overrides]
proxy_config = "mine/nginx.conf"
env = { FEATURE = "on", "QUOTED KEY" = "é \\"x\\"\\n\\u007f" }

[[stacks]]
id = "my-channels"
proxy = "haproxy"
server = "daphne"
app = "django"
replicas = 1
[stacks.overrides]
server_args = ["daphne", "-b", "0.0.0.0", "-p", "8000", "django_app.asgi:application"]
django_settings = "mysite.settings"
image = "my/app:1"
"""


def test_a_file_stack_renders_to_a_stack_file_of_the_same_stack(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "nginx.conf").write_text("# mine\nreturn 301 {{ public_https_port }};\n")
    (tmp_path / "stacks.toml").write_text(FILE_STACKS, encoding="utf-8")
    for spec in load_stack_file(tmp_path / "stacks.toml"):
        loaded = round_trip(spec, tmp_path / "out" / spec.id)
        assert_same_stack(loaded, spec)
        assert loaded.overrides.server_args == spec.overrides.server_args
        assert loaded.id == spec.id and loaded.source != spec.source


def test_rendered_stack_file_writes_out_every_setting(tmp_path):
    spec = GUNICORN.with_changes(replicas=3, tls=True, timeouts=Timeouts(proxy_read=7))
    write_effective_configs(spec, tmp_path)
    (written,) = tomllib.loads((tmp_path / "stack.toml").read_text())["stacks"]
    assert "extends" not in written
    assert written["timeouts"] == {
        **{f.name: getattr(spec.timeouts, f.name) for f in dataclasses.fields(Timeouts)},
        "proxy_read": 7,
    }
    assert written["limits"] == dataclasses.asdict(Limits())
    for name in ("proxy", "server", "worker_class", "app", "interface", "protocol", "suite"):
        assert name in written, name
    assert (written["replicas"], written["tls"], written["balancing"]) == (3, True, "round-robin")
