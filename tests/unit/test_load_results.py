"""Reading locust's reports into one result per stack: counts, percentiles, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.load.runner import percentile, read_result, require_locust


def endpoint(name: str, times: dict[str, int], failures: int, start: float, end: float) -> dict:
    """One entry of locust's --json-file output (the fields the harness reads)."""
    return {
        "name": name,
        "method": "GET",
        "num_requests": sum(times.values()),
        "num_failures": failures,
        "response_times": times,
        "max_response_time": max(float(ms) for ms in times),
        "start_time": start,
        "last_request_timestamp": end,
    }


def test_endpoints_merge_into_one_result(tmp_path: Path) -> None:
    stats = tmp_path / "s.json"
    stats.write_text(
        json.dumps(
            [
                endpoint("/echo", {"2": 60, "3": 30}, 0, 100.0, 104.0),
                endpoint("/static/hello.txt", {"1": 5, "40": 5}, 5, 100.5, 105.0),
            ]
        )
    )
    failures = tmp_path / "f.csv"
    failures.write_text(
        "Method,Name,Error,Occurrences\nGET,/static/hello.txt,HTTPError('404 Client Error'),5\n"
    )
    result = read_result("stack-a", stats, failures)
    assert (result.requests, result.failures, result.seconds) == (100, 5, 5.0)
    assert result.requests_per_second == 20.0
    assert result.percentiles_ms == {50: 2.0, 95: 3.0, 99: 40.0}
    assert result.max_ms == 40.0
    assert result.failure_ratio == 0.05
    assert result.failure_samples == ("5 x GET /static/hello.txt: HTTPError('404 Client Error')",)


@pytest.mark.parametrize(
    ("share", "expected"), [(1, 1.0), (50, 1.0), (51, 7.0), (90, 7.0), (91, 300.0), (100, 300.0)]
)
def test_percentile_is_the_time_under_which_that_share_finished(share, expected):
    assert percentile({1: 50, 7: 40, 300: 10}, share) == expected


def test_no_requests_means_every_request_failed(tmp_path: Path) -> None:
    stats = tmp_path / "s.json"
    stats.write_text("[]")
    result = read_result("stack-a", stats, tmp_path / "missing.csv")
    assert (result.requests, result.failure_ratio, result.failure_samples) == (0, 1.0, ())


def test_missing_report_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="stack-a: locust left no readable stats"):
        read_result("stack-a", tmp_path / "none.json", tmp_path / "none.csv")


def test_missing_locust_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "importlib.util.find_spec", lambda name: None if name == "locust" else object()
    )
    with pytest.raises(HarnessError, match=r"needs locust.*pip install -e '\.\[load\]'"):
        require_locust()
