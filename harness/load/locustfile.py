"""The load `harness load` sends, read by locust in its own process (never imported by the
harness: locust patches the standard library with gevent on import).

The harness picks the user classes on locust's command line (one per workload of the mix)
and sets their weights, the shape and the bounds in the environment:

- HARNESS_LOAD_WEIGHTS    `get=8,ws=2`: the weight of each user class
- HARNESS_LOAD_PATHS      the paths GET users visit in turn
- HARNESS_LOAD_MAX_REQUESTS  per user, after which it stops (locust's --run-time bounds time)
- HARNESS_LOAD_RATE       requests per second for this process (open model); 0: closed loop
- HARNESS_LOAD_WARMUP     seconds after the start at which the statistics are reset
- HARNESS_LOAD_CA         the run's test CA (TLS stacks); HARNESS_LOAD_ORIGIN the site's origin

Fixed rate: one schedule per process, request k due at start + k / rate. A user takes the next
due time, waits for it, and records how late the request started as a `SCHEDULE` entry named
`start lateness`. When every user is busy, starts run late: the lateness shows it.

WebSocket users hold one connection (websockets' sync client, cooperative under gevent) and
measure message round trips: echo (send, receive the same text) and room (send to a room of
which the user is a member, receive the broadcast of its own message).
"""

import itertools
import os
import ssl
import time
import uuid
from collections.abc import Callable
from typing import Any

import gevent
from locust import HttpUser, User, constant, events, task
from locust.env import Environment
from locust.exception import StopUser
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

WEIGHTS = {
    kind: int(weight)
    for kind, _, weight in (
        part.partition("=") for part in os.environ["HARNESS_LOAD_WEIGHTS"].split(",")
    )
}
PATHS = tuple(os.environ.get("HARNESS_LOAD_PATHS", "/echo").split(","))
MAX_REQUESTS = int(os.environ["HARNESS_LOAD_MAX_REQUESTS"])
RATE = float(os.environ.get("HARNESS_LOAD_RATE", "0"))
WARMUP = float(os.environ.get("HARNESS_LOAD_WARMUP", "0"))
CA_BUNDLE = os.environ.get("HARNESS_LOAD_CA") or None
ORIGIN = Origin(os.environ["HARNESS_LOAD_ORIGIN"]) if "HARNESS_LOAD_ORIGIN" in os.environ else None
UPLOAD_BODY = b"x" * int(os.environ.get("HARNESS_LOAD_UPLOAD_BYTES", "16384"))
STREAM_PATH = "/stream?count=5&interval_ms=10"
WS_TIMEOUT = 10.0
LATENESS = ("SCHEDULE", "start lateness")
ROOM_MEMBERS = 4  # users per room: a broadcast reaches each member, so fan-out stays small


class Schedule:
    """Request k of this process is due at start + k / RATE (set when the test starts)."""

    started = 0.0
    tickets = itertools.count()

    @classmethod
    def wait_for_turn(cls, environment: Environment) -> None:
        """Wait until the next request is due; record how late it starts."""
        due = cls.started + next(cls.tickets) / RATE
        ahead = due - time.time()
        if ahead > 0:
            gevent.sleep(ahead)
        late_ms = max(0.0, (time.time() - due) * 1000)
        environment.events.request.fire(
            request_type=LATENESS[0], name=LATENESS[1], response_time=late_ms,
            response_length=0, exception=None, context={},
        )  # fmt: skip


@events.test_start.add_listener
def on_test_start(environment: Environment, **_kwargs: Any) -> None:
    Schedule.started = time.time()
    runner = environment.runner
    # Workers send their statistics to the master, which resets its own at the warm-up's end.
    if WARMUP > 0 and runner is not None and type(runner).__name__ != "WorkerRunner":
        gevent.spawn_later(WARMUP, runner.stats.reset_all)


class Bounded:
    """Counts a user's requests and stops it at MAX_REQUESTS; paces it on a fixed rate."""

    sent = 0

    environment: Environment

    def next_turn(self) -> None:
        if self.sent >= MAX_REQUESTS:
            raise StopUser()
        self.sent += 1
        if RATE > 0:
            Schedule.wait_for_turn(self.environment)


class HttpVisitor(Bounded, HttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.trust_env = False
        self.client.verify = CA_BUNDLE or True


class GetUser(HttpVisitor):
    weight = WEIGHTS.get("get", 1)

    def on_start(self) -> None:
        super().on_start()
        self.paths = itertools.cycle(PATHS)

    @task
    def get(self) -> None:
        self.next_turn()
        self.client.get(next(self.paths))


class PostUser(HttpVisitor):
    weight = WEIGHTS.get("post", 1)

    @task
    def post(self) -> None:
        self.next_turn()
        self.client.post("/upload", data=UPLOAD_BODY)


class StreamUser(HttpVisitor):
    weight = WEIGHTS.get("stream", 1)

    @task
    def stream(self) -> None:
        self.next_turn()
        with self.client.get(STREAM_PATH, stream=True, catch_response=True) as response:
            lines = sum(1 for _ in response.iter_lines())
            if lines != 5:
                response.failure(f"{lines} of 5 streamed lines arrived")


class WebSocketUser(Bounded, User):
    """One connection per user; each task is one measured message round trip, reported
    under `name` (the route, the same for every user of the class)."""

    abstract = True
    wait_time = constant(0)
    name = "/ws/echo"
    connection: ClientConnection | None = None

    def path(self) -> str:
        return self.name

    def on_start(self) -> None:
        host = self.host or ""
        scheme = "wss" if host.startswith("https") else "ws"
        url = f"{scheme}://{host.split('://', 1)[1]}{self.path()}"
        context = ssl.create_default_context(cafile=CA_BUNDLE) if scheme == "wss" else None
        started = time.perf_counter()
        try:
            self.connection = connect(
                url, origin=ORIGIN, ssl=context, open_timeout=WS_TIMEOUT,
                proxy=None, close_timeout=2,
            )  # fmt: skip
        except Exception as error:  # every refused handshake is a failed connect
            self.report("CONNECT", started, error)
            raise StopUser() from None
        self.report("CONNECT", started, None)

    def on_stop(self) -> None:
        if self.connection is not None:
            self.connection.close()

    def report(self, kind: str, started: float, error: Exception | None, length: int = 0) -> None:
        self.environment.events.request.fire(
            request_type=kind, name=self.name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=length, exception=error, context={},
        )  # fmt: skip

    def round_trip(self, message: str, arrived: Callable[[str], bool]) -> None:
        """Send `message`, receive until `arrived(text)` says it came back; report the time.
        A lost or silent connection fails the message and stops the user."""
        self.next_turn()
        assert self.connection is not None  # on_start connected or stopped the user
        started = time.perf_counter()
        try:
            self.connection.send(message)
            deadline = started + WS_TIMEOUT
            while True:
                left = max(0.01, deadline - time.perf_counter())
                received = self.connection.recv(timeout=left)
                if isinstance(received, str) and arrived(received):
                    break
        except Exception as error:  # timeouts and closes alike fail the message
            self.report("WS", started, error)
            raise StopUser() from None
        self.report("WS", started, None, len(message))


class EchoUser(WebSocketUser):
    weight = WEIGHTS.get("ws", 1)
    name = "/ws/echo"

    @task
    def echo(self) -> None:
        message = f"echo {uuid.uuid4().hex}"
        self.round_trip(message, lambda text: text == message)


class RoomUser(WebSocketUser):
    """Members of small rooms (ROOM_MEMBERS each): a broadcast reaches every member, so each
    waits for its own message among the others' (the round trip includes the fan-out through
    Channels and Redis)."""

    weight = WEIGHTS.get("room", 1)
    name = "/ws/room/<name>"
    members = itertools.count()

    def path(self) -> str:
        return f"/ws/room/harness-load-{next(self.members) // ROOM_MEMBERS}"

    @task
    def broadcast(self) -> None:
        message = f"room {uuid.uuid4().hex}"
        self.round_trip(message, lambda text: message in text)
