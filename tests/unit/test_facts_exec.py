"""The versions a cell records are read by `docker exec`; an exec whose output the engine
lost (ExecOutputLost) is run again, so a cell never records "(no output)" for a proxy that
answered."""

from __future__ import annotations

from harness.errors import ExecOutputLost, StackError
from harness.matrix import facts


class FlakyStack:
    """Loses the output of the first `lost` execs, then answers."""

    def __init__(self, lost: int, error: Exception | None = None) -> None:
        self.lost, self.error, self.calls = lost, error, 0

    def exec(self, service: str, command: list[str], *, prints: bool = False) -> tuple[int, str]:
        self.calls += 1
        assert prints, "every fact command prints: a lost output must be detected"
        if self.error is not None:
            raise self.error
        if self.calls <= self.lost:
            raise ExecOutputLost(f"stack s, service {service}: exited 0 and no output came back")
        return 0, "Server version: Apache/2.4.66 (Debian)\n"


def test_a_lost_output_is_read_again():
    stack = FlakyStack(lost=2)
    recorded = facts._run(stack, "proxy", ["apache2", "-v"])  # type: ignore[arg-type]
    assert recorded.startswith("Server version")
    assert stack.calls == 3


def test_an_output_lost_every_time_says_so():
    stack = FlakyStack(lost=99)
    recorded = facts._run(stack, "proxy", ["apache2", "-v"])  # type: ignore[arg-type]
    assert recorded.startswith("(unavailable: stack s, service proxy: exited 0"), recorded
    assert "3 times" in recorded
    assert stack.calls == 3


def test_another_error_is_recorded_at_once():
    stack = FlakyStack(lost=0, error=StackError("stack s, service proxy: not running"))
    recorded = facts._run(stack, "proxy", ["apache2", "-v"])  # type: ignore[arg-type]
    assert recorded == "(unavailable: stack s, service proxy: not running)"
    assert stack.calls == 1
