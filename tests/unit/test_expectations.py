"""A failure names the declared value, where it was declared, and the directive that decides
it on this stack."""

from harness.spec.catalog import STACKS
from harness.spec.expectations import Expectation, declared
from harness.spec.stackfile import load_stack_file


def test_built_in_stack_names_the_harness_default_and_its_directives():
    hint = declared(STACKS["nginx-gunicorn-gthread-flask"], Expectation.MAX_BODY_BYTES).hint()
    assert hint.startswith("declared max_body_bytes = 1048576 (the harness's default")
    assert "nginx: client_max_body_size" in hint


def test_a_value_set_in_a_stack_file_names_the_file_and_the_table(tmp_path):
    path = tmp_path / "stack.toml"
    path.write_text(
        '[[stacks]]\nid = "mine"\nextends = "haproxy-uwsgi-flask-http"\n'
        "[stacks.limits]\nmax_header_bytes = 16384\n"
    )
    spec = load_stack_file(path)[0]
    hint = declared(spec, Expectation.MAX_HEADER_BYTES).hint()
    assert (
        f"declared max_header_bytes = 16384 ({path}, stack mine, [stacks.limits] "
        "max_header_bytes)" in hint
    )
    assert "haproxy: tune.bufsize" in hint and "uwsgi: buffer-size" in hint


def test_an_inherited_value_says_it_was_not_set_in_the_file(tmp_path):
    path = tmp_path / "stack.toml"
    path.write_text('[[stacks]]\nid = "mine"\nextends = "apache-daphne-django-asgi"\n')
    hint = declared(load_stack_file(path)[0], Expectation.WEBSOCKET_IDLE).hint()
    assert "declared websocket_idle = 5" in hint and f"not set in {path}" in hint
    assert "apache: timeout= of the WebSocket BalancerMembers" in hint
    assert "daphne: --ping-interval" in hint
