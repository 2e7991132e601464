"""`harness scenarios`: each scenario states its guarantee as a property, and names the inputs
it proves it over."""

from __future__ import annotations

import subprocess
import sys

from harness.paths import PROJECT_ROOT
from harness.plugin.scenario_index import scenario_index

ENTRIES = scenario_index()


def test_every_scenario_states_its_property():
    """A docstring's first paragraph is the property: a sentence of its own, not a title."""
    bare = [e.node for e in ENTRIES if len(e.property.split()) < 6 or e.property[-1] not in ".)"]
    assert not bare, f"scenarios without a stated property: {bare}"


def test_parametrized_scenarios_name_their_inputs():
    by_node = {e.node: e for e in ENTRIES}
    assert by_node[
        "test_caching.py::test_answer_without_shared_freshness_is_asked_of_the_app_again"
    ].inputs == ("kind: none, no-cache, max-age-0, s-maxage-0, expired",)
    assert by_node[
        "test_prefix.py::test_path_outside_the_prefix_does_not_reach_the_app"
    ].inputs == ("path: echo, health, beside-the-prefix",)
    messages = by_node["test_websocket.py::test_messages_echo_unchanged"].inputs[0]
    assert "1048576 bytes" in messages, messages  # random payloads by size: the same every run
    assert by_node["test_static.py::test_folder_without_index_lists_nothing"].inputs == ()


def test_harness_scenarios_shows_property_and_inputs():
    shown = subprocess.run(
        [sys.executable, "-m", "harness", "scenarios"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "property" in shown.stdout and "over" in shown.stdout
    assert "s-maxage-0" in shown.stdout and "beside-the-prefix" in shown.stdout  # the inputs
