"""The host's side of a stack's network agent (harness/run/network_probe.py): it runs in the
Redis container beside redis-server, on AGENT_PORT, published on 127.0.0.1; one JSON request
and one JSON answer per connection.

The agent is reached through anything with a stack's id and the agent's host port (AgentHost):
the Stack is one, and this module imports nothing of stack.py."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any, Protocol

from harness.errors import StackError
from harness.run import network_probe
from harness.run.boundary import docker_errors

__all__ = [
    "AGENT_PORT", "AGENT_SOURCE", "AgentHost", "agent_command", "ask_agent", "published_port",
]  # fmt: skip

AGENT_PORT = 8765
AGENT_SOURCE = Path(network_probe.__file__).read_text("utf-8")
_AGENT_ENV = "HARNESS_AGENT"
# The agent starts beside redis-server: until it listens, Docker's proxy on the published
# port accepts a connection and closes it at once. Connections are tried again this long.
_START_PATIENCE = 10.0


def agent_command(redis_command: list[str]) -> tuple[list[str], dict[str, str]]:
    """The Redis container's command and environment: the agent in the background, then
    redis-server in the shell's place."""
    script = f'python3 -c "${_AGENT_ENV}" serve {AGENT_PORT} & exec "$@"'
    return ["sh", "-c", script, "sh", *redis_command], {_AGENT_ENV: AGENT_SOURCE}


class AgentHost(Protocol):
    """Where a stack's agent is: the stack's id (for errors) and the agent's host port."""

    @property
    def id(self) -> str: ...

    def agent_port(self) -> int: ...


def published_port(stack_id: str, redis: Any) -> int:
    """The host port Docker published for the agent in the stack's Redis container."""
    with docker_errors(stack_id, "redis", action="inspect"):
        redis.reload()
    bindings = redis.attrs["NetworkSettings"]["Ports"].get(f"{AGENT_PORT}/tcp")
    if not bindings:
        raise StackError(
            f"stack {stack_id}, service redis: no port published for the network agent "
            f"({AGENT_PORT}/tcp); state {redis.status}"
        )
    return int(bindings[0]["HostPort"])


def ask_agent(stack: AgentHost, request: dict[str, Any], timeout: float) -> Any:
    """The agent's answer to one request; a StackError naming the stack when none comes."""
    port = stack.agent_port()
    started = time.monotonic()
    while True:
        try:
            reply = _exchange(port, request, timeout)
        except TimeoutError as error:
            raise StackError(
                f"stack {stack.id}, service redis (network agent on 127.0.0.1:{port}): no "
                f"answer to {request['op']!r} within {timeout:.0f} s: {error}"
            ) from None
        except (ConnectionRefusedError, ConnectionResetError) as error:
            # Not a timeout: the agent may be running the request, and a probe sent twice
            # would reach the app twice.
            if time.monotonic() - started > _START_PATIENCE:
                raise StackError(
                    f"stack {stack.id}, service redis (network agent on 127.0.0.1:{port}): "
                    f"no answer to {request['op']!r}: {type(error).__name__}: {error}. Hint: "
                    "the agent runs beside redis-server; see the redis container's log."
                ) from None
        else:
            if isinstance(reply, dict) and set(reply) == {"error"}:
                raise StackError(f"stack {stack.id}: the network agent: {reply['error']}")
            return reply
        time.sleep(0.05)  # sleep-ok: polling interval of a deadline-bound wait


def _exchange(port: int, request: dict[str, Any], timeout: float) -> Any:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(json.dumps(request).encode() + b"\n")
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            reply += chunk
    if not reply:
        raise ConnectionResetError("closed without an answer")
    try:
        return json.loads(reply)
    except ValueError:  # not retried: the request may have run
        answered = reply[-300:]
        raise StackError(f"the network agent on 127.0.0.1:{port} answered {answered!r}") from None
