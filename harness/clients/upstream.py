"""The proxy's TCP connections to the replicas, as the kernel of the proxy container lists
them (/proc/net/tcp and tcp6), for scenarios about upstream keep-alive.

Whether the proxy reused an idle upstream connection or opened a new one is invisible to a
client and to the app; the kernel's table shows it: a request that reached a replica while
no new connection to it appeared went over an old one.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum

from harness.errors import StackError
from harness.run.stack import Stack
from harness.spec.model import APP_PORT

__all__ = ["TcpState", "UpstreamConnection", "upstream_connections"]

PROC_TABLES = ["/proc/net/tcp", "/proc/net/tcp6"]


class TcpState(StrEnum):
    """The TCP states of /proc/net/tcp that matter here, by their kernel number."""

    ESTABLISHED = "01"
    FIN_WAIT1 = "04"
    FIN_WAIT2 = "05"
    TIME_WAIT = "06"
    CLOSE = "07"
    CLOSE_WAIT = "08"
    LAST_ACK = "09"
    OTHER = "??"

    @classmethod
    def of(cls, code: str) -> TcpState:
        try:
            return cls(code)
        except ValueError:
            return cls.OTHER


@dataclass(frozen=True, slots=True, order=True)
class UpstreamConnection:
    """One connection from the proxy to a replica's app port."""

    local_port: int
    replica: str
    state: TcpState

    def __str__(self) -> str:
        return f":{self.local_port}->{self.replica} {self.state.name}"


def upstream_connections(stack: Stack) -> list[UpstreamConnection]:
    """The proxy container's connections to the app port of each replica, in any state."""
    replica_by_address = {address: r for r, address in stack.replica_addresses().items()}
    code, table = stack.exec("proxy", ["cat", *PROC_TABLES])
    if code != 0:
        raise StackError(f"{stack.id}: cannot read the proxy's TCP table: {table.strip()}")
    connections = []
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[0] == "sl":
            continue
        local, remote, state = fields[1], fields[2], fields[3]
        remote_hex, _, remote_port = remote.rpartition(":")
        if int(remote_port, 16) != APP_PORT:
            continue
        replica = replica_by_address.get(_address(remote_hex))
        if replica is not None:
            connections.append(
                UpstreamConnection(int(local.rpartition(":")[2], 16), replica, TcpState.of(state))
            )
    return connections


def _address(hex_address: str) -> str:
    """The dotted IPv4 address of a /proc/net/tcp(6) address (little-endian words);
    an IPv4-mapped IPv6 address gives its IPv4 part."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    address = ipaddress.ip_address(words)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)
