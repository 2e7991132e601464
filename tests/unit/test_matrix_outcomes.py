"""Each case's outcome in results.json is pytest's own verdict, read from the phase reports
the recorder wrote (run in-process with pytester: no Docker)."""

import pytest

from harness.matrix.assemble import after_retry, read_reports, recorded_cases, rerunnable
from harness.matrix.schema import CaseRecord, Outcome

pytest_plugins = ["pytester"]

CASES = """
import pytest

def test_pass():
    pass

def test_fail():
    assert 1 == 2, "evidence: one is not two"

@pytest.mark.skip(reason="not on this stack")
def test_skip():
    pass

@pytest.mark.xfail(strict=True, reason="known incompatibility")
def test_xfail():
    assert False

@pytest.mark.xfail(strict=True, reason="fixed upstream")
def test_xpass_strict():
    pass

@pytest.mark.xfail(strict=False, reason="intermittent")
def test_xpass():
    pass

@pytest.fixture
def broken():
    raise RuntimeError("setup broke")

def test_error(broken):
    pass

@pytest.fixture
def bad_teardown():
    yield
    raise RuntimeError("teardown broke")

def test_teardown_error(bad_teardown):
    pass
"""


@pytest.fixture
def outcomes(pytester):
    pytester.makepyfile(test_cases=CASES)
    out = pytester.path / "matrix-raw"
    pytester.runpytest("--matrix-out", str(out), "-p", "no:cacheprovider")
    cases = {c.record.case.split("::")[-1]: c.record for c in recorded_cases(read_reports(out))}
    return cases


def test_each_pytest_verdict_maps_to_its_outcome(outcomes):
    assert {name: str(case.outcome) for name, case in outcomes.items()} == {
        "test_pass": "passed",
        "test_fail": "failed",
        "test_skip": "skipped",
        "test_xfail": "xfailed",
        "test_xpass_strict": "xpassed",
        "test_xpass": "xpassed",
        "test_error": "error",
        "test_teardown_error": "error",
    }


def test_a_failure_keeps_its_one_line_reason_and_evidence(outcomes):
    failed = outcomes["test_fail"]
    assert failed.reason == "AssertionError: evidence: one is not two"
    assert "assert 1 == 2" in failed.evidence
    assert outcomes["test_error"].reason == "RuntimeError: setup broke"


def test_skips_and_xfails_keep_their_reasons(outcomes):
    assert outcomes["test_skip"].reason == "not on this stack"
    assert outcomes["test_xfail"].reason == "known incompatibility"
    assert outcomes["test_pass"].evidence == ""


def _case(outcome, reason=""):
    return CaseRecord(
        "s",
        "t.py::c",
        "t.py::c",
        "f",
        outcome,
        1.0,
        reason=reason,
        evidence="E evidence" if outcome.is_failure else "",
    )


def test_a_failure_that_passes_when_retried_is_flaky_and_keeps_its_evidence():
    flaky = after_retry(_case(Outcome.FAILED, "boom"), _case(Outcome.PASSED))
    assert flaky.outcome == Outcome.FLAKY
    assert flaky.attempts == 2
    assert flaky.first_failure == "boom"
    assert flaky.evidence == "E evidence"


def test_a_failure_that_fails_again_stays_failed_with_both_reasons():
    again = after_retry(_case(Outcome.FAILED, "boom"), _case(Outcome.FAILED, "boom again"))
    assert (again.outcome, again.reason, again.first_failure) == (
        Outcome.FAILED,
        "boom again",
        "boom",
    )


def test_a_retry_names_each_case_as_a_command_line_can_find_it_again():
    """xdist's loadgroup reports `@<group>` after the id; pytest finds no such node."""
    case = "scenarios/test_balancing.py::test_down[nginx-a-paused]"
    assert rerunnable(f"{case}@nginx-a/outages") == case
    assert rerunnable(f"{case}@nginx-a") == case
    assert rerunnable(case) == case
    plain = "scenarios/test_x.py::test_plain"
    assert rerunnable(f"{plain}@nginx-a") == plain
    assert rerunnable(f"{plain}[a@b]") == f"{plain}[a@b]"
