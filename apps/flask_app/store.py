"""State shared by every replica, kept in Redis: the counters and the log of seen requests.

The key names are part of the app contract, so every reference app reads what another wrote.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypedDict, cast

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

__all__ = ["SEEN_CAPACITY", "SEEN_KEY", "SeenRequest", "Store", "StoreUnavailable"]

SEEN_KEY = "harness:seen"
SEEN_CAPACITY = 1000
COUNTER_PREFIX = "harness:counter:"

# A request must fail fast when Redis is down: /counter answers 503 and every other route
# only loses its /seen entry. redis-py's default (5 s timeouts, 3 backed-off retries) would
# hold a worker for many seconds instead. One immediate retry still rides over a pooled
# connection that Redis closed when it restarted.
CONNECT_TIMEOUT_S = 1.0
SOCKET_TIMEOUT_S = 2.0
RETRIES = 1


class SeenRequest(TypedDict):
    """One entry of `harness:seen`, as every reference app writes it."""

    instance: str
    method: str
    path: str
    query: str
    t: float


class StoreUnavailable(RuntimeError):
    """Redis could not be reached or failed a command; the route answers 503."""


@contextmanager
def _unavailable_on_redis_error(action: str) -> Iterator[None]:
    """Turn any Redis failure into `StoreUnavailable` naming what was attempted."""
    try:
        yield
    except redis.RedisError as error:
        raise StoreUnavailable(f"redis unavailable while {action}: {error}") from error


class Store:
    """Counters and the seen-request log, on one Redis client.

    The client is created on first use, not when the app is built: a server that forks
    workers after importing the app gives each worker its own connections, and the app
    starts (and answers /health) while Redis is still down. A test injects its own client.
    """

    def __init__(self, redis_url: str, client: redis.Redis | None = None) -> None:
        self._redis_url = redis_url
        self._client = client
        self._client_lock = threading.Lock()

    @property
    def client(self) -> redis.Redis:
        """The Redis client, created from the URL the first time it is needed."""
        with self._client_lock:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self._redis_url,
                    decode_responses=True,
                    socket_connect_timeout=CONNECT_TIMEOUT_S,
                    socket_timeout=SOCKET_TIMEOUT_S,
                    retry=Retry(NoBackoff(), RETRIES),
                )
            return self._client

    def increment(self, key: str) -> int:
        """Atomically add one to the counter `key` and return its new value."""
        with _unavailable_on_redis_error(f"incrementing counter {key!r}"):
            return int(self.client.incr(COUNTER_PREFIX + key))

    def counter(self, key: str) -> int:
        """Return the value of the counter `key`, 0 when it was never incremented."""
        with _unavailable_on_redis_error(f"reading counter {key!r}"):
            value = self.client.get(COUNTER_PREFIX + key)
        return 0 if value is None else int(value)

    def record(self, seen: SeenRequest) -> None:
        """Push `seen` to the front of the log and trim the log to its capacity."""
        with (
            _unavailable_on_redis_error("recording a seen request"),
            self.client.pipeline(transaction=True) as pipeline,
        ):
            pipeline.lpush(SEEN_KEY, json.dumps(seen, separators=(",", ":")))
            pipeline.ltrim(SEEN_KEY, 0, SEEN_CAPACITY - 1)
            pipeline.execute()

    def seen(self, limit: int) -> list[SeenRequest]:
        """Return the newest `limit` entries of the log, newest first."""
        if limit <= 0:
            # LRANGE 0 -1 would mean "everything", not "nothing".
            return []
        with _unavailable_on_redis_error("reading the seen requests"):
            raw = self.client.lrange(SEEN_KEY, 0, limit - 1)
        return [cast(SeenRequest, json.loads(entry)) for entry in raw]
