"""Lanes split a stack's scenarios into groups that xdist runs beside each other."""

from harness.plugin.items import FAMILIES
from harness.plugin.lanes import Lane, lane_of, xdist_group
from harness.plugin.workers import default_workers


def test_the_families_that_stop_or_restart_replicas_have_lanes_of_their_own():
    assert lane_of("balancing") is Lane.FAILOVER
    assert {lane_of("lifecycle"), lane_of("limits")} == {Lane.RESTARTS}
    steady = set(FAMILIES) - {"balancing", "lifecycle", "limits"}
    assert {lane_of(family) for family in steady} == {Lane.STEADY}


def test_every_family_has_a_lane_and_every_lane_a_family():
    assert {lane_of(family) for family in FAMILIES} == set(Lane)


def test_groups_name_the_stack_and_the_lane():
    assert xdist_group("nginx-uwsgi-flask", "balancing") == "nginx-uwsgi-flask@failover"
    assert xdist_group("nginx-uwsgi-flask", "tls") == "nginx-uwsgi-flask@steady"
    assert xdist_group("nginx-uwsgi-flask", "") == "nginx-uwsgi-flask@steady"


def test_no_more_workers_than_lanes_to_run():
    assert default_workers(1) <= len(Lane)
