"""Shards: whole stacks, exactly once each, balanced, the same on every runner."""

import json

import pytest

from harness.commands.cli import main
from harness.errors import ConfigError
from harness.matrix.shards import MAX_SHARDS, ShardSpec, plan_shards, shard_of
from harness.spec.catalog import PROFILES
from harness.spec.selection import select_stacks

NIGHTLY = select_stacks(profile="nightly")


@pytest.mark.parametrize("count", [1, 2, 3, 8, 13, 64])
def test_union_of_shards_is_exactly_the_selection(count):
    shards = plan_shards(NIGHTLY, count)
    dealt = [stack_id for shard in shards for stack_id in shard.stack_ids]
    assert sorted(dealt) == sorted(spec.id for spec in NIGHTLY), "a stack missing or twice"
    assert len(dealt) == len(set(dealt))
    assert [shard.spec.index for shard in shards] == list(range(1, count + 1))


def test_shards_are_deterministic_and_follow_the_selection_order():
    first = plan_shards(NIGHTLY, 8)
    again = plan_shards(list(NIGHTLY), 8)
    assert first == again
    order = [spec.id for spec in NIGHTLY]
    for shard in first:
        assert list(shard.stack_ids) == sorted(shard.stack_ids, key=order.index)


def test_shards_are_balanced_by_expected_duration():
    shards = plan_shards(NIGHTLY, 8)
    totals = [shard.expected_seconds for shard in shards]
    longest_stack = 125.0  # a TLS stack with WebSockets, by the estimate
    assert max(totals) - min(totals) <= longest_stack, totals


def test_measured_durations_from_a_previous_run_decide():
    specs = select_stacks(profile="ci")
    slow = specs[0].id
    measured = {slow: 1000.0}
    shards = plan_shards(specs, 2, measured)
    alone = next(shard for shard in shards if slow in shard.stack_ids)
    assert alone.stack_ids == (slow,), "the slow stack should fill a shard by itself"


def test_shard_of_returns_the_planned_members():
    specs = select_stacks(profile="default")
    plan = plan_shards(specs, 3)
    for shard in plan:
        assert tuple(s.id for s in shard_of(specs, shard.spec)) == shard.stack_ids


def test_more_shards_than_stacks_leaves_some_empty():
    specs = select_stacks(profile="ci")
    shards = plan_shards(specs, 6)
    assert sum(len(shard.stack_ids) for shard in shards) == len(PROFILES["ci"])
    assert any(not shard.stack_ids for shard in shards)


@pytest.mark.parametrize("text", ["0/4", "5/4", "1/0", "a/b", "3", f"1/{MAX_SHARDS + 1}"])
def test_bad_shard_is_refused_with_what_is_allowed(text):
    with pytest.raises(ConfigError, match=r"--shard: got .*allowed: I/N with 1 <= I <= N"):
        ShardSpec.parse(text)


def test_plan_json_is_a_github_actions_matrix(capsys):
    assert main(["matrix", "plan", "--profile", "nightly", "--shards", "8", "--json"]) == 0
    matrix = json.loads(capsys.readouterr().out)
    assert [entry["shard"] for entry in matrix["include"]] == [f"{i}/8" for i in range(1, 9)]
    assert sum(entry["stacks"] for entry in matrix["include"]) == len(PROFILES["nightly"])


def test_plan_refuses_more_shards_than_a_github_matrix_holds(capsys):
    assert main(["matrix", "plan", "--profile", "ci", "--shards", str(MAX_SHARDS + 1)]) == 2
    assert f"allowed: 1 to {MAX_SHARDS}" in capsys.readouterr().err
