"""Reading locust's reports into one measured run, and the results schema: written, read back
the same, and a bad file named field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import ConfigError, HarnessError
from harness.load.locust_stats import classify, percentile, read_stats
from harness.load.reading import read_results
from harness.load.resources import Reading, Usage, usage_between
from harness.load.runner import require_locust
from harness.load.schema import (
    FailureClass,
    Latency,
    LoadResults,
    Run,
    StackResult,
    StepResult,
    Target,
)
from harness.load.shapes import ShapeKind, Step


def endpoint(method: str, name: str, times: dict[str, int], failures: int, span: tuple) -> dict:
    """One entry of locust's --json-file output (the fields the harness reads)."""
    return {
        "name": name,
        "method": method,
        "num_requests": sum(times.values()),
        "num_failures": failures,
        "response_times": times,
        "max_response_time": max(float(ms) for ms in times),
        "start_time": span[0],
        "last_request_timestamp": span[1],
    }


def test_endpoints_merge_and_lateness_stays_apart(tmp_path: Path) -> None:
    stats = tmp_path / "s.json"
    stats.write_text(json.dumps([
        endpoint("GET", "/echo", {"2": 60, "3": 30}, 0, (100.0, 104.0)),
        endpoint("WS", "/ws/echo", {"1": 5, "40": 5}, 5, (100.5, 105.0)),
        endpoint("SCHEDULE", "start lateness", {"0": 90, "250": 10}, 0, (100.0, 105.0)),
    ]))  # fmt: skip
    failures = tmp_path / "f.csv"
    failures.write_text(
        "Method,Name,Error,Occurrences\nWS,/ws/echo,ConnectionClosedError(None),3\n"
    )
    result = read_stats("stack-a", stats, failures)
    assert (result.requests, result.seconds, result.window) == (100, 5.0, (100.0, 105.0))
    assert result.latency == Latency(p50=2.0, p95=3.0, p99=40.0, max=40.0)
    assert result.lateness is not None and result.lateness.p95 == 250.0
    # Two of the five failures locust counted are not in its table: they count as "other".
    assert result.failures == {FailureClass.WEBSOCKET: 3, FailureClass.OTHER: 2}
    assert [e.name for e in result.endpoints] == ["GET /echo", "WS /ws/echo"]


@pytest.mark.parametrize(
    ("method", "error", "expected"),
    [
        ("GET", "HTTPError('404 Client Error: Not Found for url: /x')", FailureClass.HTTP_4XX),
        ("POST", "HTTPError('502 Server Error: Bad Gateway')", FailureClass.HTTP_5XX),
        ("GET", "ConnectionError(RemoteDisconnected('closed'))", FailureClass.CONNECTION),
        ("GET", "ReadTimeout('timed out')", FailureClass.TIMEOUT),
        ("CONNECT", "InvalidStatus(403)", FailureClass.WEBSOCKET),
        ("GET", "CatchResponseError('3 of 5 streamed lines arrived')", FailureClass.OTHER),
    ],
)
def test_failures_are_classified(method, error, expected):
    assert classify(method, error) is expected


@pytest.mark.parametrize(
    ("share", "expected"), [(1, 1.0), (50, 1.0), (51, 7.0), (90, 7.0), (91, 300.0), (100, 300.0)]
)
def test_percentile_is_the_time_under_which_that_share_finished(share, expected):
    assert percentile({1: 50, 7: 40, 300: 10}, share) == expected


def test_missing_report_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="stack-a: locust left no readable stats"):
        read_stats("stack-a", tmp_path / "none.json", tmp_path / "none.csv")


def test_missing_locust_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "importlib.util.find_spec", lambda name: None if name == "locust" else object()
    )
    with pytest.raises(HarnessError, match=r"needs locust.*pip install -e '\.\[load\]'"):
        require_locust()


def test_usage_is_the_cpu_time_used_over_the_window():
    readings = [Reading(10.0, 1.0, 100 * 2**20), Reading(11.0, 1.5, 300 * 2**20),
                Reading(12.0, 2.5, 200 * 2**20), Reading(20.0, 9.0, 0)]  # fmt: skip
    assert usage_between(readings, 10.0, 12.0) == Usage(75.0, 200.0, 300.0)
    assert usage_between(readings, 12.5, 13.0) is None  # fewer than two readings


def make_run(rps: float, p99: float, generator_cpu: float = 50.0, late_p95: float = 0.0) -> Run:
    return Run(
        requests=int(rps * 3), failures={}, seconds=3.0, achieved_rps=rps,
        latency=Latency(1.0, 2.0, p99, p99), lateness=Latency(0, late_p95, late_p95, late_p95),
        endpoints=[], containers={"proxy": Usage(10.0, 2.0, 2.5)},
        generator=Usage(generator_cpu, 50.0, 50.0),
    )  # fmt: skip


def make_results(*steps: StepResult, stack_id: str = "stack-a") -> LoadResults:
    return LoadResults(
        started="2025-01-01T00:00:00+00:00", wall_seconds=12.0, host_cores=2,
        locust_version="2.47.0", processes=1, seconds=3, warmup=1, repeat=len(steps[0].runs),
        mix="get=1", stacks=[StackResult(stack_id, "flask-wsgi", "get=1", [], list(steps))],
    )  # fmt: skip


def test_results_survive_a_round_trip(tmp_path: Path) -> None:
    results = make_results(StepResult(Step(ShapeKind.CLOSED, 4), [make_run(500, 9)]))
    read = read_results(results.write(tmp_path / "results.json"))
    assert read == results
    assert (
        json.loads((tmp_path / "results.json").read_text())["stacks"][0]["steps"][0]["step"]
        == "users=4"
    )


def test_steps_are_flagged_where_their_numbers_cannot_be_trusted():
    rate = Step(ShapeKind.OPEN, 400)
    assert StepResult(rate, [make_run(395, 9)]).flags() == []
    assert StepResult(rate, [make_run(300, 9)]).target is Target.NOT_REACHED
    late = StepResult(rate, [make_run(399, 9, late_p95=500)])
    assert late.flags() == ["target not reached"]
    bound = StepResult(Step(ShapeKind.CLOSED, 64), [make_run(900, 9, generator_cpu=97)])
    assert (bound.target, bound.flags()) == (Target.NONE, ["generator-bound"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("stacks"), "field results.stacks: got nothing (missing); allowed: a list"),
        (lambda d: d.update(version=7), "field results.version: got 7; allowed: 1"),
        (
            lambda d: d["stacks"][0]["steps"][0].update(step="threads=4"),
            "field results.stacks[0].steps[0].step: got 'threads=4'; allowed: users=N or rate=N",
        ),
        (
            lambda d: d["stacks"][0]["steps"][0]["runs"][0].update(achieved_rps="fast"),
            "field results.stacks[0].steps[0].runs[0].achieved_rps: got 'fast'; allowed: a number",
        ),
    ],
)
def test_a_bad_results_file_names_the_file_and_field(tmp_path: Path, change, message) -> None:
    results = make_results(StepResult(Step(ShapeKind.CLOSED, 4), [make_run(500, 9)]))
    data = json.loads(results.to_json())
    change(data)
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as raised:
        read_results(path)
    assert str(raised.value).startswith(f"{path}: {message}")


def test_a_baseline_that_is_not_json_says_so(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text("<html>")
    with pytest.raises(ConfigError, match=r"baseline\.json: not JSON"):
        read_results(path)
    with pytest.raises(ConfigError, match="cannot read the load results"):
        read_results(tmp_path / "absent.json")
