"""Templates render the settings of a spec; users' files replace ours; placeholders stay."""

from harness.catalog import STACKS
from harness.configs import RunValues, render_stack
from harness.render_out import write_effective_configs
from harness.specs import Balancing, Limits, Timeouts
from harness.stackfile import load_stack_file

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


def test_gunicorn_config_carries_worker_class_and_timeouts():
    config = render_stack(GUNICORN).app.files[0].content
    assert 'worker_class = "gthread"' in config and "timeout = 8" in config


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
