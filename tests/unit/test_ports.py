"""The ports a proxy publishes are chosen where neither the engine nor the kernel picks."""

from __future__ import annotations

from pathlib import Path

from harness.run import stack
from harness.run.stack import free_port


def test_free_ports_are_chosen_below_the_ephemeral_range():
    start = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = {free_port() for _ in range(20)}
    assert all(20000 <= port < start for port in ports), (ports, start)


def test_a_machine_without_room_below_the_range_gets_a_kernel_port(monkeypatch, tmp_path):
    narrow = tmp_path / "ip_local_port_range"
    narrow.write_text("20500\t60999\n")
    monkeypatch.setattr(stack, "_EPHEMERAL_RANGE", narrow)
    stack._ephemeral_start.cache_clear()
    try:
        assert free_port() >= 20500
    finally:
        stack._ephemeral_start.cache_clear()
