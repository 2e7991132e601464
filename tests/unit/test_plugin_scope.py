"""Installing the harness changes nothing for a user's other pytest runs in the same virtualenv.

The plugin loads in every run (entry point `harness`), but it selects stacks and turns SIGTERM
into Ctrl-C only when the run collects tests using our stacks. Runs in a subprocess, so each
run's signal handling is its own and visible in its output.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

REPORTER = """
import signal

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    handler = signal.getsignal(signal.SIGTERM)
    name = "default" if handler == signal.SIG_DFL else getattr(handler, "__name__", handler)
    print(f"SIGTERM handler: {name}")
    from harness.plugin import hooks as plugin
    print(f"stacks selected: {plugin._SPECS in session.config.stash}")
"""


def test_a_plain_test_run_is_left_alone(pytester: pytest.Pytester):
    pytester.makeconftest(REPORTER)
    pytester.makepyfile(test_mine="def test_adds():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["SIGTERM handler: default", "stacks selected: False"])


def test_a_run_collecting_our_scenarios_installs_its_handler(pytester: pytest.Pytester):
    pytester.makeconftest(REPORTER)
    pytester.makepyfile(test_theirs="def test_echo(stack, client):\n    pass\n")
    result = pytester.runpytest_subprocess(
        "-s", "-p", "no:cacheprovider", "--collect-only", "--stack", "nginx-uvicorn-django-asgi"
    )
    result.stdout.fnmatch_lines(
        [
            "*test_echo*nginx-uvicorn-django-asgi*",
            "SIGTERM handler: _interrupt",
            "stacks selected: True",
        ]
    )


def test_without_options_stacks_are_selected_on_first_use(pytester: pytest.Pytester):
    """A user's scenario file beside ours, with no --stack: the default profile, chosen when
    the first test asking for a stack is collected."""
    pytester.makeconftest(REPORTER)
    pytester.makepyfile(test_theirs="def test_echo(stack):\n    pass\n")
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "--collect-only")
    result.stdout.fnmatch_lines(["*test_echo*nginx-gunicorn-*", "stacks selected: True"])


def test_a_bad_selection_is_still_a_usage_error(pytester: pytest.Pytester):
    pytester.makepyfile(test_mine="def test_adds():\n    assert True\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--stack", "traefik-*")
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stderr.str()
    result.stderr.fnmatch_lines(["*--stack traefik-*: matches no stack*"])
