"""What a load run is asked to do: mixes, sweeps, stacks without WebSockets, bad input."""

from __future__ import annotations

import pytest

from harness.commands.cli import main
from harness.errors import ConfigError, HarnessError
from harness.load.ceiling import run_wrk, wrk_requests_per_second
from harness.load.shapes import ShapeKind, Step, parse_levels
from harness.load.workloads import Mix, Workload, parse_mix
from harness.spec.catalog import STACKS


def test_a_mix_keeps_its_order_and_weights():
    mix = parse_mix("get=8, post=1,ws=2,room=1,stream=1")
    assert mix.weights == (
        (Workload.GET, 8), (Workload.POST, 1), (Workload.WS, 2), (Workload.ROOM, 1),
        (Workload.STREAM, 1),
    )  # fmt: skip
    assert str(mix) == "get=8,post=1,ws=2,room=1,stream=1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("get=8,grpc=1", r"workload 'grpc' in 'get=8,grpc=1' is unknown; allowed: get, post, "),
        ("get", r"weight of get in 'get' is ''; allowed: a whole number from 1 to 1000"),
        ("get=0", r"weight of get in 'get=0' is '0'"),
        ("get=1,get=2", r"get appears twice"),
    ],
)
def test_a_bad_mix_says_what_is_allowed(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_mix(text)


def test_websocket_users_run_only_where_the_stack_serves_websockets():
    mix = parse_mix("get=8,ws=2,room=1")
    on_asgi, notes = mix.for_stack(STACKS["nginx-uvicorn-django-asgi"])
    assert (on_asgi, notes) == (mix, ())
    on_wsgi, notes = mix.for_stack(STACKS["nginx-gunicorn-gthread-flask"])
    assert on_wsgi == Mix(((Workload.GET, 8),))
    assert len(notes) == 2 and all("does not serve WebSockets" in note for note in notes)


def test_sweeps_and_fixed_rate_pools():
    assert parse_levels(ShapeKind.CLOSED, "1,4,16,64") == tuple(
        Step(ShapeKind.CLOSED, level) for level in (1, 4, 16, 64)
    )
    assert Step(ShapeKind.CLOSED, 16).users == 16
    # A fixed rate gets a pool of users large enough to keep its schedule at 250 ms each.
    assert [Step(ShapeKind.OPEN, rate).users for rate in (10, 100, 400)] == [4, 25, 100]
    assert Step.parse("rate=400") == Step(ShapeKind.OPEN, 400)


@pytest.mark.parametrize(
    ("text", "message"),
    [("1,x", r"--users: level 'x' in '1,x'"), ("0", "from 1 to 512"), ("4,4", "appears twice")],
)
def test_bad_levels_are_refused(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_levels(ShapeKind.CLOSED, text)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--mix", "get=1,smtp=2"], "workload 'smtp'"),
        (["--users", "4,many"], "--users: level 'many'"),
        (["--max-regression", "ten"], "--max-regression: got 'ten'"),
        (["--rate", "100", "--ceiling"], "--ceiling compares closed loops"),
        (["--baseline", "/nonexistent/results.json"], "cannot read the load results"),
    ],
)
def test_bad_input_exits_2_with_one_line_before_any_stack_starts(capsys, arguments, message):
    assert main(["load", "nginx-gunicorn-gthread-flask", *arguments]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_wrk_report_is_read_and_only_loopback_is_loaded():
    report = "Running 3s test @ http://127.0.0.1:1/echo\nRequests/sec:   1234.56\nTransfer/sec: 1\n"
    assert wrk_requests_per_second(report) == 1234.56
    with pytest.raises(HarnessError, match=r"127\.0\.0\.1 published ports only"):
        run_wrk("http://example.com/echo", 4, 1)
