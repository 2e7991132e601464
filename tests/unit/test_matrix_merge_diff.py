"""results.json round trips; merge refuses missing or duplicated shards; the diff names
exactly the cells whose outcome changed, and the versions under them."""

import json

import pytest

from harness.commands.cli import main
from harness.errors import ConfigError
from harness.matrix.diff import diff_results
from harness.matrix.merge import merge_results
from harness.matrix.schema import (
    CaseRecord,
    ConfigDigest,
    MatrixResults,
    Outcome,
    RunInfo,
    ShardInfo,
    StackRecord,
    load_results,
    write_results,
)


def _stack(stack_id, gunicorn="23.0.0", digest="a" * 64):
    return StackRecord(
        id=stack_id,
        spec={"proxy": "nginx", "server_label": "gunicorn-gthread"},
        source="built-in",
        startup_seconds=2.0,
        seconds=60.0,
        versions={"proxy": "nginx version: nginx/1.22.1", "packages": {"gunicorn": gunicorn}},
        images={"proxy": "sha256:1"},
        configs=(ConfigDigest("/etc/nginx/nginx.conf", digest, f"configs/{stack_id}/nginx.conf"),),
    )


def _results(cells, shard=(1, 1), **stack_changes):
    stacks = sorted({stack for stack, _, _ in cells})
    run = RunInfo(
        "0.1.0",
        "abc",
        "2026-11-29T00:00:00+00:00",
        "2026-11-29T00:10:00+00:00",
        "Docker Engine 20.10",
        2,
        2,
        "--profile ci",
        (ShardInfo(shard[0], shard[1], "t0", "t1", 600.0, tuple(stacks)),),
    )
    cases = tuple(
        CaseRecord(stack, case, case, "forwarding", Outcome(outcome), 0.5, reason=f"{outcome}!")
        for stack, case, outcome in cells
    )
    return MatrixResults(run, {s: _stack(s, **stack_changes) for s in stacks}, cases)


def test_results_round_trip_through_json(tmp_path):
    results = _results([("a", "t.py::x", "passed"), ("a", "t.py::y", "xfailed")])
    assert load_results(write_results(results, tmp_path)) == results
    assert load_results(tmp_path) == results


def test_results_of_another_schema_version_are_refused_with_the_field(tmp_path):
    write_results(_results([("a", "t.py::x", "passed")]), tmp_path)
    document = json.loads((tmp_path / "results.json").read_text())
    document["schema_version"] = 99
    (tmp_path / "results.json").write_text(json.dumps(document))
    with pytest.raises(ConfigError, match=r"field 'schema_version': got 99; allowed: 1, 2"):
        load_results(tmp_path)


def test_missing_results_say_how_to_make_them(tmp_path):
    with pytest.raises(ConfigError, match="harness matrix run --out DIR"):
        load_results(tmp_path / "nothing")


def _shards(tmp_path, indices, count):
    parts = []
    for index in indices:
        folder = tmp_path / f"r{index}"
        results = _results([(f"stack-{index}", "t.py::x", "passed")], shard=(index, count))
        write_results(results, folder)
        parts.append((folder, load_results(folder)))
    return parts


def test_merge_joins_every_shard_once(tmp_path):
    merged = merge_results(_shards(tmp_path, [1, 2, 3], 3), tmp_path / "all")
    assert sorted(merged.stacks) == ["stack-1", "stack-2", "stack-3"]
    assert [shard.label for shard in merged.run.shards] == ["1/3", "2/3", "3/3"]
    assert len(merged.cases) == 3


def test_merge_refuses_a_missing_shard(tmp_path):
    with pytest.raises(ConfigError, match=r"shard\(s\) 2/3 missing; got 1/3 .*r1.*, 3/3"):
        merge_results(_shards(tmp_path, [1, 3], 3), tmp_path / "all")


def test_partial_merge_takes_the_shards_run_so_far_and_keeps_the_count(tmp_path):
    merged = merge_results(_shards(tmp_path, [1, 3], 3), tmp_path / "all", partial=True)
    assert [shard.label for shard in merged.run.shards] == ["1/3", "3/3"]
    assert sorted(merged.stacks) == ["stack-1", "stack-3"]


def test_merge_refuses_a_duplicated_shard(tmp_path):
    parts = _shards(tmp_path, [1, 2], 2)
    with pytest.raises(ConfigError, match=r"shard 2/2 is given twice"):
        merge_results([*parts, parts[1]], tmp_path / "all")


def test_merge_command_fails_loudly_on_a_missing_shard(tmp_path, capsys):
    _shards(tmp_path, [1], 2)
    assert main(["matrix", "merge", str(tmp_path / "r1"), "--out", str(tmp_path / "all")]) == 2
    assert "shard(s) 2/2 missing" in capsys.readouterr().err


def test_diff_names_exactly_the_changed_cells_and_versions():
    old = _results(
        [
            ("a", "t.py::x", "passed"),
            ("a", "t.py::y", "xfailed"),
            ("a", "t.py::z", "failed"),
            ("a", "t.py::gone", "passed"),
            ("a", "t.py::same", "failed"),
        ]
    )
    new = _results(
        [
            ("a", "t.py::x", "failed"),
            ("a", "t.py::y", "xpassed"),
            ("a", "t.py::z", "passed"),
            ("a", "t.py::new", "passed"),
            ("a", "t.py::same", "failed"),
        ],
        gunicorn="22.0.0",
        digest="b" * 64,
    )
    diff = diff_results(old, new)
    assert [(c.case, c.old, c.new) for c in diff.newly_failing] == [("t.py::x", "passed", "failed")]
    assert [(c.case, c.new) for c in diff.newly_passing] == [
        ("t.py::y", "xpassed"),
        ("t.py::z", "passed"),
    ]
    assert [c.case for c in diff.added] == ["t.py::new"]
    assert [c.case for c in diff.removed] == ["t.py::gone"]
    assert [(v.what, v.old, v.new) for v in diff.version_changes] == [
        ("config /etc/nginx/nginx.conf", "a" * 12, "b" * 12),
        ("package gunicorn", "23.0.0", "22.0.0"),
    ]
    assert diff.has_new_failures


def test_diff_command_exits_1_on_a_new_failure_and_0_without(tmp_path, capsys):
    write_results(_results([("a", "t.py::x", "passed")]), tmp_path / "old")
    write_results(_results([("a", "t.py::x", "failed")]), tmp_path / "new")
    assert main(["matrix", "diff", str(tmp_path / "old"), str(tmp_path / "new")]) == 1
    assert "a t.py::x: passed -> failed: failed!" in capsys.readouterr().out
    assert main(["matrix", "diff", str(tmp_path / "old"), str(tmp_path / "old")]) == 0
