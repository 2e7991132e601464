"""A run of our scenarios ends with failures first, then one line per distinct skip reason and
one per xfail reason, each with its count, then pytest's result line; `-rs` (or `-rx`, `-ra`)
given by the user brings back pytest's own per-case lines.

In-process with pytester: a run naming a stack is a run of our scenarios, and the engine check
it makes first is answered by a stand-in, so no Docker is needed.
"""

from __future__ import annotations

import pytest

from harness.plugin.summary import TITLE

pytest_plugins = ["pytester"]

CASES = """
import pytest

@pytest.mark.parametrize("n", range(3))
def test_websocket(n):
    pytest.skip("WSGI stack: no WebSocket routes")

@pytest.mark.skip(reason="needs a TLS-terminating proxy")
def test_tls():
    pass

@pytest.mark.xfail(reason="nginx buffers the body\\nevidence: a paragraph", strict=True)
def test_known():
    assert False

def test_passes():
    pass

def test_fails():
    assert 1 == 2, "the failure's own message"
"""
# In-process, pytester's inner run finds the harness already imported: it says so, once a run.
QUIET = ["-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
ONE_PROCESS = ["--stack", "nginx-gunicorn-sync-flask", "-n", "0", *QUIET]


@pytest.fixture
def scenarios(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setattr("harness.plugin.engine_check.engine", lambda: None)
    pytester.makepyfile(test_cases=CASES)
    return pytester


def test_the_run_ends_with_failures_then_one_line_per_reason_then_the_result(scenarios):
    result = scenarios.runpytest(*ONE_PROCESS)
    result.assert_outcomes(passed=1, failed=1, skipped=4, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*= FAILURES =*",
            "*the failure's own message*",
            "*short test summary info*",
            "FAILED test_cases.py::test_fails*",
            f"*= {TITLE} =*",
            "skipped 3: WSGI stack: no WebSocket routes",
            "skipped 1: needs a TLS-terminating proxy",
            "xfailed 1: nginx buffers the body",
            "*= 1 failed, 1 passed, 4 skipped, 1 xfailed in *s =*",
        ],
        consecutive=False,
    )
    lines = result.stdout.lines
    grouped = lines.index(next(line for line in lines if TITLE in line))
    assert lines[grouped + 1 : grouped + 4] == [
        "skipped 3: WSGI stack: no WebSocket routes",
        "skipped 1: needs a TLS-terminating proxy",
        "xfailed 1: nginx buffers the body",
    ]
    assert "1 failed, 1 passed" in lines[grouped + 4], lines[grouped:]
    assert not [line for line in lines if line.startswith(("SKIPPED", "XFAIL"))], lines


def test_dash_rs_restores_pytests_own_skip_lines_and_keeps_the_xfail_group(scenarios):
    result = scenarios.runpytest(*ONE_PROCESS, "-rs")
    result.assert_outcomes(passed=1, failed=1, skipped=4, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]3] test_cases.py:*: WSGI stack: no WebSocket routes",
            "SKIPPED [[]1] test_cases.py:*: needs a TLS-terminating proxy",
            f"*= {TITLE} =*",
            "xfailed 1: nginx buffers the body",
        ]
    )
    assert not [line for line in result.stdout.lines if line.startswith("skipped ")]


def test_dash_ra_shows_every_case_and_no_grouped_lines(scenarios):
    result = scenarios.runpytest(*ONE_PROCESS, "-ra")
    result.stdout.fnmatch_lines(["SKIPPED [[]3] *WSGI stack*", "XFAIL test_cases.py::test_known*"])
    assert TITLE not in result.stdout.str()


def test_a_run_of_other_tests_ends_as_pytest_ends_it(pytester: pytest.Pytester):
    """Not a run of our scenarios (no stack named, no path in scenarios/): no grouped lines."""
    pytester.makepyfile(test_cases=CASES)
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=1, failed=1, skipped=4, xfailed=1)
    assert TITLE not in result.stdout.str()


STACK_CASES = """
import pytest

@pytest.mark.parametrize("stack", ["nginx-a", "haproxy-b"])
def test_cache(stack):
    pytest.skip(f"{stack}: the proxy's cache is off")

@pytest.mark.parametrize("stack", ["nginx-a"])
def test_sticky(stack):
    pytest.skip(f"{stack} balances round-robin, not sticky")
"""


def test_a_reason_naming_its_stack_is_counted_over_the_stacks(scenarios):
    """The same reason on several stacks is one line saying on how many; on one stack, the
    reason as given."""
    scenarios.makepyfile(test_stacks=STACK_CASES)
    result = scenarios.runpytest(*ONE_PROCESS, "test_stacks.py")
    result.assert_outcomes(skipped=3)
    result.stdout.fnmatch_lines(
        [
            f"*= {TITLE} =*",
            "skipped 2 on 2 stacks: the proxy's cache is off",
            "skipped 1: nginx-a balances round-robin, not sticky",
        ]
    )
