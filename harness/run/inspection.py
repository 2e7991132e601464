"""Looking into a stack's services by name: the container, its state and logs, a command run
in it, the network agent's port, and every service's log tail for a failed scenario's report.

The Stack holds one Inspection over its own containers (the same dict: the Stack owns it and
keeps it filled) and answers for it; this module imports nothing of stack.py.
"""

from __future__ import annotations

from typing import Any

from harness.containers import log_tail, state
from harness.errors import ExecOutputLost, StackStartError
from harness.run import agent
from harness.run.boundary import docker_errors


class Inspection:
    """A stack's services as the engine sees them, every refusal named for stack and service."""

    def __init__(self, stack_id: str, containers: dict[str, Any], replicas: list[str]) -> None:
        self.stack_id = stack_id
        self.containers = containers
        self.replicas = replicas
        self._agent_port: int | None = None

    def container(self, service: str) -> Any:
        try:
            return self.containers[service]
        except KeyError:
            known = ", ".join(self.containers)
            raise StackStartError(
                f"{self.stack_id}: no service {service!r}; known: {known}"
            ) from None

    def state(self, service: str) -> str:
        with docker_errors(self.stack_id, service, action="inspect"):
            return state(self.container(service))

    def logs(self, service: str, lines: int = 30) -> str:
        with docker_errors(self.stack_id, service, action="read logs"):
            return log_tail(self.container(service), lines)

    def exec(
        self, service: str, command: list[str], *, prints: bool = False, action: str = ""
    ) -> tuple[int, str]:
        """Run a command in a service's container: its exit code and output. With `prints`
        (the command always prints), an exit 0 with no output raises ExecOutputLost: the
        engine lost it, and only the caller knows whether running it again is safe. `action`
        names the command in errors (default: `exec <program>`)."""
        with docker_errors(self.stack_id, service, action=action or f"exec {command[0]}"):
            result = self.container(service).exec_run(command)
        output = result.output.decode("utf-8", errors="replace")
        if prints and result.exit_code == 0 and not output.strip():
            raise ExecOutputLost(
                f"stack {self.stack_id}, service {service}: `{command[0]}` exited 0 and no "
                "output came back"
            )
        return result.exit_code, output

    def agent_port(self) -> int:
        """The host port of the stack's network agent (harness/run/agent.py), read once."""
        if self._agent_port is None:
            self._agent_port = agent.published_port(self.stack_id, self.container("redis"))
        return self._agent_port

    def diagnostics(self, lines: int = 20) -> str:
        """The last lines of every service's logs, for a failed scenario's report."""
        parts = []
        for service in ["proxy", *self.replicas]:
            if service in self.containers:
                parts.append(f"--- {service} ({self.state(service)}):\n{self.logs(service, lines)}")
        return "\n".join(parts)
