"""The app's state in Redis: the shared counters and the ``harness:seen`` request log.

Every function raises ``redis.RedisError`` when Redis is unreachable; callers decide whether
that fails the request (``/counter``, ``/seen``) or only loses a log line (recording).
"""

from __future__ import annotations

import functools
import json
from typing import Any, cast

import redis
from django.conf import settings

SEEN_KEY = "harness:seen"
SEEN_CAPACITY = 1000
COUNTER_PREFIX = "harness:counter:"

# Short enough that a stopped Redis costs a request little, long enough for a busy one.
CONNECT_TIMEOUT_SECONDS = 0.5
COMMAND_TIMEOUT_SECONDS = 2.0


@functools.cache
def _client_for(url: str) -> redis.Redis:
    """One pooled client per URL, created on first use (after any fork of the server)."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=COMMAND_TIMEOUT_SECONDS,
        decode_responses=True,
    )


def redis_client() -> redis.Redis:
    """The client for ``settings.REDIS_URL``."""
    return _client_for(settings.REDIS_URL)


def increment_counter(key: str) -> int:
    """Atomically add one to counter ``key`` and return its new value."""
    return int(redis_client().incr(COUNTER_PREFIX + key))


def read_counter(key: str) -> int:
    """Return counter ``key`` unchanged, 0 when it was never incremented."""
    value = redis_client().get(COUNTER_PREFIX + key)
    return int(cast(str, value)) if value is not None else 0


def record_seen(entry: dict[str, Any]) -> None:
    """Push ``entry`` onto the newest end of the request log, keeping the newest 1000."""
    pipeline = redis_client().pipeline(transaction=True)
    pipeline.lpush(SEEN_KEY, json.dumps(entry, separators=(",", ":")))
    pipeline.ltrim(SEEN_KEY, 0, SEEN_CAPACITY - 1)
    pipeline.execute()


def newest_seen(limit: int) -> list[dict[str, Any]]:
    """Return up to ``limit`` logged requests, newest first."""
    if limit <= 0:
        return []
    lines = cast(list[str], redis_client().lrange(SEEN_KEY, 0, limit - 1))
    return [json.loads(line) for line in lines]
