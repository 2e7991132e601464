"""A stack with its own configs is held to what its file declares, else to what its own
configs say (read from them), else to a value it is told, once, was assumed: never silently
to the value of the stack it extends."""

import pytest

from harness.spec.expectations import Expectation, declared, unprovable
from harness.spec.model import SourceKind
from harness.spec.reading import sources_said_at_start
from harness.spec.stackfile import load_stack_file

NGINX = """
events {}
http {
    client_max_body_size 2m;
    upstream site {
        server app-1:8000 max_fails=3 fail_timeout=4s;
        server app-2:8000 max_fails=3 fail_timeout=4s;
    }
    server {
        listen 80;
        proxy_read_timeout 7s;
        location / {
            proxy_pass http://site;
            proxy_buffer_size 16k;
        }
        location /_harness/ws/ {
            proxy_pass http://site;
            proxy_read_timeout 1m;
        }
        location /_harness/upload-big {
            client_max_body_size 0;
        }
    }
}
"""
GUNICORN = "import os\ntimeout = 9\ngraceful_timeout = int(os.environ.get('G', '4'))\n"


def _stack(tmp_path, tables="", nginx=NGINX, gunicorn=GUNICORN, args=None):
    (tmp_path / "nginx.conf").write_text(nginx)
    (tmp_path / "gunicorn.conf.py").write_text(gunicorn)
    server_args = args or ["gunicorn", "-c", "/etc/harness/gunicorn.conf.py", "app:app"]
    (tmp_path / "stack.toml").write_text(
        '[[stacks]]\nid = "mine"\nextends = "nginx-gunicorn-gthread-flask"\n'
        f"{tables}\n[stacks.overrides]\n"
        'proxy_config = "nginx.conf"\nserver_config = "gunicorn.conf.py"\n'
        f'contract_prefix = "/_harness"\nserver_args = {server_args!r}\n'.replace("'", '"')
    )
    return load_stack_file(tmp_path / "stack.toml")[0]


def test_values_the_file_does_not_declare_are_read_from_the_users_nginx_conf(tmp_path):
    spec = _stack(tmp_path)
    assert spec.limits.max_response_header_bytes == 16 * 1024  # the location's own
    assert spec.limits.max_body_bytes == 2 * 1024 * 1024  # inherited from http
    assert spec.timeouts.proxy_read == 7  # from the server block
    assert spec.timeouts.websocket_idle == 60  # the /ws/ location's, at the prefix
    assert spec.timeouts.max_fails == 3
    assert spec.timeouts.proxy_connect == 60  # nginx's default connect timeout, over 4 s rest
    where = spec.expectation_sources["limits.max_response_header_bytes"]
    assert (where.kind, where.where) == (
        SourceKind.READ,
        "nginx.conf line 14: proxy_buffer_size 16k",
    )


def test_nginx_defaults_apply_where_the_conf_sets_nothing(tmp_path):
    spec = _stack(tmp_path, nginx="events {}\nhttp { server { listen 80; location / "
                  "{ proxy_pass http://app-1:8000; } } }\n")  # fmt: skip
    assert spec.limits.max_response_header_bytes == 4096
    assert spec.limits.max_body_bytes == 1024 * 1024
    source = spec.expectation_sources["limits.max_response_header_bytes"].where
    assert source == "nginx.conf: no proxy_buffer_size, nginx's default 4k"


def test_declared_values_win_over_the_configs(tmp_path):
    spec = _stack(tmp_path, "[stacks.limits]\nmax_response_header_bytes = 8192\n")
    assert spec.limits.max_response_header_bytes == 8192
    assert "limits.max_response_header_bytes" not in spec.expectation_sources
    hint = declared(spec, Expectation.MAX_RESPONSE_HEADER_BYTES).hint()
    assert "[stacks.limits] max_response_header_bytes" in hint


def test_gunicorn_literals_are_read_and_computed_values_assumed(tmp_path):
    spec = _stack(tmp_path)
    assert spec.timeouts.worker == 9
    assert spec.timeouts.keepalive == 2  # not in the file: gunicorn's default
    graceful = spec.expectation_sources["timeouts.graceful"]
    assert graceful.kind == SourceKind.ASSUMED and spec.timeouts.graceful == 3  # inherited
    said = "\n".join(sources_said_at_start(spec))
    assert "\nmine: ASSUMED: " in said
    assert "timeouts.graceful = 3 (inherited: not declared in" in said
    assert "timeouts.worker = 9 (gunicorn.conf.py line 2: timeout = 9)" in said


def test_the_command_line_wins_over_gunicorns_file(tmp_path):
    args = ["gunicorn", "-c", "/etc/harness/gunicorn.conf.py", "--timeout=12", "app:app"]
    spec = _stack(tmp_path, args=args)
    assert spec.timeouts.worker == 12
    assert "command line: --timeout 12" in spec.expectation_sources["timeouts.worker"].where


def test_an_unparsable_nginx_conf_reads_nothing_and_says_what_it_assumed(tmp_path):
    spec = _stack(tmp_path, nginx="http { server { listen 80 }\n")
    assert spec.limits.max_body_bytes == 1024 * 1024  # inherited
    kinds = {spec.expectation_sources[e.value].kind for e in (
        Expectation.MAX_BODY_BYTES, Expectation.PROXY_READ)}  # fmt: skip
    assert kinds == {SourceKind.ASSUMED}


@pytest.mark.parametrize(
    ("tables", "expectation", "words"),
    [
        ("", Expectation.WEBSOCKET_IDLE,
         "websocket_idle = 60 (read from your config: nginx.conf line 18"),
        ("[stacks.limits]\nmax_body_bytes = 4294967296\n", Expectation.MAX_BODY_BYTES,
         "max_body_bytes = 4294967296"),
    ],
)  # fmt: skip
def test_values_too_large_to_prove_here_say_so(tmp_path, tables, expectation, words):
    reason = unprovable(_stack(tmp_path, tables), expectation)
    assert reason is not None and words in reason and "more than this harness proves" in reason


def test_a_limit_turned_off_is_no_limit_and_not_provable(tmp_path):
    nginx = NGINX.replace("client_max_body_size 2m;", "client_max_body_size 0;")
    reason = unprovable(_stack(tmp_path, nginx=nginx), Expectation.MAX_BODY_BYTES)
    assert reason is not None and "max_body_bytes = no limit" in reason


def test_values_a_case_can_prove_are_not_skipped(tmp_path):
    spec = _stack(tmp_path)
    assert unprovable(spec, Expectation.MAX_BODY_BYTES, Expectation.PROXY_READ) is None


def test_the_shipped_example_is_held_to_its_own_proxy_buffer_size():
    from harness.paths import PROJECT_ROOT

    spec = load_stack_file(PROJECT_ROOT / "examples" / "own-django" / "stack.toml")[0]
    assert spec.limits.max_response_header_bytes == 4096  # nginx's default: it sets none
    assert spec.timeouts.proxy_read == 5  # declared in its stack file


def test_an_upstream_resolved_once_is_never_re_resolved_and_says_so(tmp_path):
    spec = _stack(tmp_path)
    source = spec.expectation_sources["timeouts.resolve"]
    assert source.kind == SourceKind.READ and "no `resolve`" in source.where
    reason = unprovable(spec, Expectation.RESOLVE)
    assert reason is not None and "resolve = never" in reason


def test_a_variable_proxy_pass_follows_the_resolvers_valid_time(tmp_path):
    nginx = (
        "events {}\nhttp { resolver 127.0.0.11 valid=3s; server { listen 80;\n"
        "location / { set $up app-1:8000; proxy_pass http://$up; } } }\n"
    )
    spec = _stack(tmp_path, nginx=nginx)
    assert spec.timeouts.resolve == 3
    assert unprovable(spec, Expectation.RESOLVE) is None


def test_a_uwsgi_location_reads_its_own_buffer_and_the_body_limit(tmp_path):
    nginx = NGINX.replace("proxy_pass http://site;\n            proxy_buffer_size 16k;",
                          "uwsgi_pass site;\n            uwsgi_buffer_size 32k;")  # fmt: skip
    spec = _stack(tmp_path, nginx=nginx)
    assert spec.limits.max_response_header_bytes == 32 * 1024
    assert spec.limits.max_body_bytes == 2 * 1024 * 1024


def test_a_regex_location_wins_over_a_prefix_as_nginx_picks_it(tmp_path):
    nginx = NGINX.replace("location /_harness/ws/ {", "location ~ ^(/_harness)?/ws/ {").replace(
        "proxy_read_timeout 1m;", "proxy_read_timeout 10s;"
    )
    spec = _stack(tmp_path, nginx=nginx)
    assert spec.timeouts.websocket_idle == 10
    where = spec.expectation_sources["timeouts.websocket_idle"].where
    assert "proxy_read_timeout 10s" in where


def test_a_regex_python_cannot_read_leaves_the_values_assumed(tmp_path):
    nginx = NGINX.replace("location /_harness/ws/ {", "location ~ ^/(?<x>ws/ {")
    spec = _stack(tmp_path, nginx=nginx)
    assert spec.expectation_sources["limits.max_body_bytes"].kind == SourceKind.ASSUMED
