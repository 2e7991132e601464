"""Lanes and stacks reach xdist workers as groups (`--dist loadgroup`): every test of a group
runs on one worker, so a stack starts once per group, not once per worker that draws one of
its tests. pytest 9.2 with pytest-xdist 3.8 broke this silently (pytest-dev/pytest-xdist#1386);
the harness pins pytest below 9.2 and warns on a worker that sees its groups ignored."""

from __future__ import annotations

import re

import pytest

pytest_plugins = ["pytester"]

GROUPED = """
import pytest


@pytest.mark.xdist_group("nginx-uwsgi-flask-0.14.0/steady")
@pytest.mark.parametrize("n", range(4))
def test_first(n):
    pass


@pytest.mark.xdist_group("apache-uwsgi-flask/steady")
@pytest.mark.parametrize("n", range(4))
def test_second(n):
    pass
"""

# Marks the tests only after xdist has read the groups into the node ids: what a pytest that
# ignores xdist's node id suffix looks like to the harness.
MARKED_TOO_LATE = """
import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.xdist_group("late"))
"""


def workers_by_group(output: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in output:
        if match := re.match(r"\[(gw\d+)\].* PASSED .*::test_(\w+)\[", line):
            found.setdefault(match[2], set()).add(match[1])
    return found


def test_each_group_runs_on_one_worker(pytester: pytest.Pytester):
    pytester.makepyfile(test_grouped=GROUPED)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", "--dist", "loadgroup", "-v"
    )
    result.assert_outcomes(passed=8)
    groups = workers_by_group(result.outlines)
    assert set(groups) == {"first", "second"}, result.outlines
    assert all(len(workers) == 1 for workers in groups.values()), (
        f"groups ran on {groups} (pytest {pytest.__version__}): xdist did not group"
    )


def test_a_worker_says_when_its_groups_were_ignored(pytester: pytest.Pytester):
    pytester.makeconftest(MARKED_TOO_LATE)
    pytester.makepyfile(test_plain="def test_one():\n    pass\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", "--dist", "loadgroup"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*--dist loadgroup did not group the tests (pytest *, pytest-xdist *): each worker*"]
    )
