"""Lanes split a stack's scenarios into groups that xdist runs beside each other."""

import ast

from harness.paths import SCENARIOS_DIR
from harness.plugin.items import FAMILIES
from harness.plugin.lanes import (
    Lane,
    Split,
    lane_of,
    longest_first,
    proxy_kin,
    scenarios_with_a_lane_of_their_own,
    split_into_lanes,
    split_of_stacks,
    staggered_block,
    xdist_group,
)
from harness.plugin.workers import default_workers

SCENARIOS = SCENARIOS_DIR


def test_the_families_that_stop_or_restart_replicas_have_lanes_of_their_own():
    assert lane_of("balancing") is Lane.FAILOVER
    assert lane_of("lifecycle") is Lane.LIFECYCLE
    assert lane_of("limits") is Lane.LIMITS
    steady = set(FAMILIES) - {"balancing", "lifecycle", "limits"}
    assert {lane_of(family) for family in steady} == {Lane.STEADY}


def test_the_longest_failover_scenario_has_a_lane_of_its_own():
    outages = "test_gets_keep_succeeding_with_replica_down"
    assert lane_of("balancing", outages) is Lane.OUTAGES
    assert lane_of("balancing", "test_replica_rejoins_after_restart") is Lane.FAILOVER
    assert xdist_group("nginx-uwsgi-flask", "balancing", scenario=outages).endswith("/outages")


def test_lanes_split_off_another_share_its_proxy_on_one_instance():
    """A whole stack on one worker restarts its proxy at the lane changes it had with three
    lanes, no more: not between the two failover lanes, nor between lifecycle and limits."""
    assert proxy_kin(Lane.OUTAGES) is proxy_kin(Lane.FAILOVER) is Lane.FAILOVER
    assert proxy_kin(Lane.LIMITS) is proxy_kin(Lane.LIFECYCLE) is Lane.LIFECYCLE
    assert len({proxy_kin(lane) for lane in Lane}) == 3


def test_every_lane_holds_scenarios():
    by_family = {lane_of(family) for family in FAMILIES}
    by_scenario = {lane_of("", name) for name in scenarios_with_a_lane_of_their_own()}
    assert by_family | by_scenario == set(Lane)


def test_a_scenario_named_for_a_lane_of_its_own_exists():
    """A renamed scenario would fall back to its family's lane without a word."""
    ours = {
        node.name
        for path in SCENARIOS.glob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef)
    }
    assert scenarios_with_a_lane_of_their_own() <= ours


def test_groups_name_the_stack_and_the_lane():
    assert xdist_group("nginx-uwsgi-flask", "balancing") == "nginx-uwsgi-flask/failover"
    assert xdist_group("nginx-uwsgi-flask", "tls") == "nginx-uwsgi-flask/steady"
    assert xdist_group("nginx-uwsgi-flask", "") == "nginx-uwsgi-flask/steady"


def test_without_lanes_a_group_is_the_whole_stack():
    assert xdist_group("nginx-uwsgi-flask", "balancing", Split.WHOLE) == "nginx-uwsgi-flask"
    assert xdist_group("nginx-uwsgi-flask", "tls", Split.WHOLE) == "nginx-uwsgi-flask"


def test_stacks_split_into_lanes_only_while_workers_would_idle():
    assert split_into_lanes(stacks=1, workers=4)
    assert split_into_lanes(stacks=3, workers=4)
    assert not split_into_lanes(stacks=4, workers=4)
    assert not split_into_lanes(stacks=15, workers=4)
    assert not split_into_lanes(stacks=1, workers=1)  # one worker: a serial run


def _profile(full: int, small: int = 0) -> dict[str, int]:
    """Stack id -> cases, in selection order: `full` stacks of every family, `small` of one."""
    stacks = {f"full-{i}": 150 - i % 3 for i in range(full)}
    return stacks | {f"prefix-{i}": 10 for i in range(small)}


def _split(cases: dict[str, int], workers: int) -> dict[Split, set[str]]:
    split = split_of_stacks(cases, workers)
    assert list(split) == list(cases)
    return {way: {stack for stack, chosen in split.items() if chosen is way} for way in Split}


def test_a_last_round_that_leaves_half_the_workers_idle_runs_in_paired_lanes():
    # 14 full stacks on 6 workers: two rounds of six, then two stacks alone.
    split = _split(_profile(14, small=1), workers=6)
    assert len(split[Split.PAIRED_LANES]) == 2 and not split[Split.LANES]
    assert all(stack.startswith("full-") for stack in split[Split.PAIRED_LANES])
    assert "prefix-0" in split[Split.WHOLE]
    tail = _split(_profile(15), workers=6)[Split.PAIRED_LANES]
    assert tail == {"full-14", "full-11", "full-8"}


def test_the_tail_is_the_stacks_with_the_fewest_cases():
    cases = _profile(7) | {"full-3": 40}
    assert _split(cases, workers=6)[Split.PAIRED_LANES] == {"full-3"}


def test_full_rounds_and_mostly_busy_last_rounds_stay_whole():
    for cases, workers in ((_profile(12, small=1), 6), (_profile(14), 8), (_profile(4), 1)):
        assert _split(cases, workers)[Split.WHOLE] == set(cases)


def test_fewer_stacks_than_workers_all_run_in_lanes():
    assert _split(_profile(2, small=1), workers=6)[Split.LANES] == set(_profile(2, small=1))
    # Five full stacks and a small one fill six workers only by count: the full ones split.
    split = _split(_profile(5, small=1), workers=6)
    assert (split[Split.LANES], split[Split.WHOLE]) == (set(_profile(5)), {"prefix-0"})


def test_paired_lanes_are_the_lanes_that_share_a_proxy():
    outages = "test_gets_keep_succeeding_with_replica_down"
    paired = {
        xdist_group("s", family, Split.PAIRED_LANES, scenario)
        for family in FAMILIES
        for scenario in ("", outages)
    }
    assert paired == {f"s/{proxy_kin(lane).value}" for lane in Lane}
    assert len(paired) == 3


def test_the_queue_hands_out_whole_stacks_then_the_longest_lanes_of_every_split_stack():
    groups = {
        "a/limits": 11,
        "a/outages": 2,
        "small": 10,
        "a/steady": 100,
        "big": 160,
        "b/outages": 2,
        "b/steady": 90,
        "bigger": 170,
        "a/lifecycle": 3,
    }
    assert longest_first(groups) == [
        "bigger",
        "big",
        "small",
        "a/steady",
        "b/steady",
        "a/lifecycle",
        "a/outages",
        "b/outages",
        "a/limits",
    ]


def test_paired_lanes_are_queued_by_their_kin_too():
    """Failover runs with outages when paired: the longest of the three, so it goes first."""
    groups = {"p/steady": 100, "p/lifecycle": 14, "p/failover": 9, "whole": 150}
    assert longest_first(groups) == ["whole", "p/failover", "p/lifecycle", "p/steady"]
    five = {"f/steady": 100, "f/lifecycle": 3, "f/failover": 7, "f/outages": 2, "f/limits": 11}
    assert longest_first(five)[0] == "f/steady"
    assert longest_first(five).index("f/outages") < longest_first(five).index("f/failover")


def test_whole_stacks_that_start_together_start_in_different_blocks():
    """Three whole stacks in a row start at three different blocks, and each keeps a lane
    beside the lanes that share its proxy (no extra proxy restart inside a block)."""
    first_blocks = [
        {lane for lane in Lane if staggered_block(lane, turn) == 0} for turn in range(3)
    ]
    assert first_blocks == [
        {Lane.OUTAGES, Lane.FAILOVER},
        {Lane.STEADY},
        {Lane.LIFECYCLE, Lane.LIMITS},
    ]
    for turn in range(6):
        assert staggered_block(Lane.OUTAGES, turn) == staggered_block(Lane.FAILOVER, turn)
        assert staggered_block(Lane.LIMITS, turn) == staggered_block(Lane.LIFECYCLE, turn)
        assert sorted({staggered_block(lane, turn) for lane in Lane}) == [0, 1, 2]
    assert staggered_block(Lane.STEADY, 3) == staggered_block(Lane.STEADY, 0)


def test_no_more_workers_than_lanes_to_run():
    assert default_workers(1) <= len(Lane)


def test_xdist_reads_back_each_stacks_own_group():
    """xdist appends `@<group>` to a node id and takes the group from after the last `@`: an
    `@` in ours would put every stack's lane in one group (it did, as `<stack>@<lane>`)."""
    from xdist.scheduler.loadgroup import LoadGroupScheduling

    for split in Split:
        groups = [xdist_group(stack, "tls", split) for stack in ("nginx-a", "apache-b-0.14.0")]
        nodeids = [f"scenarios/test_tls.py::test_x[s]@{group}" for group in groups]
        split = LoadGroupScheduling._split_scope
        assert [split(None, nodeid) for nodeid in nodeids] == groups  # type: ignore[arg-type]


def test_workers_match_the_groups_a_selection_makes(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    pages = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 24 * 1024**3 // 4096}  # 24 GiB
    monkeypatch.setattr("os.sysconf", pages.__getitem__)
    assert default_workers(1) == len(Lane)  # one stack: its lanes side by side
    assert default_workers(2) == 6  # ten lanes, three workers per core
    assert default_workers(15) == 6  # a group per stack
