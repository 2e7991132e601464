"""Shards for CI: whole stacks per shard, balanced by expected duration, always the same.

A stack's expected duration comes from a previous results.json when one is given (the
stack's measured serial seconds), else from an estimate by its parts. Stacks are dealt
longest first to the shard with the least expected time so far (ties to the lower index),
which keeps the longest shard close to the mean. Same selection and durations, same shards,
on every runner: no shard needs to talk to another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.errors import ConfigError
from harness.spec.model import StackSpec

MAX_SHARDS = 256  # GitHub Actions runs at most 256 jobs per matrix

# Estimate, in serial seconds, measured on the default profile (2 cores): a stack's scenarios
# take about this long, more with WebSockets (their family) and TLS (its family).
_BASE_SECONDS = 75.0
_WEBSOCKET_SECONDS = 35.0
_TLS_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class ShardSpec:
    """Shard `index` of `count`, numbered from 1 as CI matrices are."""

    index: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    @classmethod
    def parse(cls, text: str) -> ShardSpec:
        """`3/8` -> shard 3 of 8; anything else is a ConfigError naming what is allowed."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if match:
            index, count = int(match[1]), int(match[2])
            if 1 <= count <= MAX_SHARDS and 1 <= index <= count:
                return cls(index, count)
        raise ConfigError(
            f"--shard: got {text!r}; allowed: I/N with 1 <= I <= N <= {MAX_SHARDS}, e.g. 3/8"
        )


@dataclass(frozen=True, slots=True)
class Shard:
    """The stacks one shard runs, and how long they are expected to take (serial seconds)."""

    spec: ShardSpec
    stack_ids: tuple[str, ...]
    expected_seconds: float


def estimate_seconds(spec: StackSpec) -> float:
    """A stack's expected serial duration when no previous run measured it."""
    seconds = _BASE_SECONDS
    if spec.websockets:
        seconds += _WEBSOCKET_SECONDS
    if spec.tls:
        seconds += _TLS_SECONDS
    return seconds


def plan_shards(
    specs: Sequence[StackSpec], count: int, measured: Mapping[str, float] | None = None
) -> list[Shard]:
    """Deal the stacks into `count` shards; every stack lands in exactly one."""
    if not 1 <= count <= MAX_SHARDS:
        raise ConfigError(f"--shards: got {count}; allowed: 1 to {MAX_SHARDS}")
    measured = measured or {}
    expected = {spec.id: measured.get(spec.id, estimate_seconds(spec)) for spec in specs}
    totals = [0.0] * count
    members: list[list[str]] = [[] for _ in range(count)]
    for stack_id in sorted(expected, key=lambda sid: (-expected[sid], sid)):
        lightest = min(range(count), key=lambda index: (totals[index], index))
        members[lightest].append(stack_id)
        totals[lightest] += expected[stack_id]
    order = {spec.id: position for position, spec in enumerate(specs)}
    return [
        Shard(
            ShardSpec(index + 1, count),
            tuple(sorted(members[index], key=order.__getitem__)),
            round(totals[index], 1),
        )
        for index in range(count)
    ]


def shard_of(
    specs: Sequence[StackSpec], shard: ShardSpec, measured: Mapping[str, float] | None = None
) -> list[StackSpec]:
    """The specs of one shard, in selection order."""
    wanted = set(plan_shards(specs, shard.count, measured)[shard.index - 1].stack_ids)
    return [spec for spec in specs if spec.id in wanted]


def github_matrix(shards: Sequence[Shard]) -> dict[str, list[dict[str, object]]]:
    """The `strategy.matrix` of a GitHub Actions job: one entry per shard."""
    return {
        "include": [
            {
                "shard": shard.spec.label,
                "index": shard.spec.index,
                "stacks": len(shard.stack_ids),
                "expected_seconds": shard.expected_seconds,
            }
            for shard in shards
        ]
    }
