"""Replica addresses on the stack network, and recreating a replica at a new address.

Docker hands a recreated container the lowest free address of its network, which is usually
the one its predecessor just released; a proxy that resolved the replica's name once at
start-up would then still reach it by luck. `recreate_at_new_address` holds the old address
with a placeholder container while the replica is recreated, so the new container really
gets another address, the way it does on a busy network or after a host reboot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import docker.errors

from harness.errors import StackError
from harness.runtime import engine
from harness.stack import Stack

__all__ = ["moved_replica", "recreate_at_new_address", "replica_address"]

PLACEHOLDER_SECONDS = 120  # the placeholder exits by itself even if nothing removes it


def replica_address(stack: Stack, replica: str) -> str:
    """The replica's current IPv4 address on the stack network ('' when it has none)."""
    container = stack.container(replica)
    container.reload()
    networks = container.attrs["NetworkSettings"]["Networks"]
    address: str = networks.get(stack.network.name, {}).get("IPAddress", "")
    return address


def recreate_at_new_address(stack: Stack, replica: str) -> tuple[str, str]:
    """Replace the replica by a new container on another address; return (old, new).

    The replica is stopped (which releases its address), a placeholder takes that address,
    the replica is recreated (and waited for), and the placeholder goes.
    """
    old = replica_address(stack, replica)
    stack.stop_replica(replica)
    placeholder = engine().containers.run(
        stack.images.base,
        ["sleep", str(PLACEHOLDER_SECONDS)],
        name=stack.name_of(f"{replica}-placeholder"),
        labels=stack.identity.labels(stack.id, f"{replica}-placeholder"),
        network=stack.network.name,
        detach=True,
    )
    try:
        stack.recreate_replica(replica)
    finally:
        with suppress(docker.errors.NotFound):
            placeholder.remove(force=True)
    new = replica_address(stack, replica)
    if new == old:
        raise StackError(
            f"{stack.id}: {replica} came back on its old address {old} although a placeholder "
            "held it. Hint: the engine's address allocation differs from Docker's default."
        )
    return old, new


@contextmanager
def moved_replica(stack: Stack, replica: str) -> Iterator[tuple[str, str]]:
    """The replica recreated on a new address inside the block; (old, new) addresses.

    After the block the replica is recreated once more, so that it takes its old address
    back (the lowest free one again) and a proxy that resolved names only at start-up serves
    the scenarios after this one as before.
    """
    old, new = recreate_at_new_address(stack, replica)
    try:
        yield old, new
    finally:
        stack.recreate_replica(replica)
