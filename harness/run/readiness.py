"""Waiting with a deadline: poll a probe until it passes, keep its history for the error."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.errors import ReadinessTimeout

PROBE_INTERVAL_START = 0.05
PROBE_INTERVAL_MAX = 0.2


class ProbeFailed(Exception):
    """The probe did not pass this time; the message says what it saw."""


class GiveUp(Exception):
    """Waiting longer cannot help (the container exited); the message says why."""


@dataclass(slots=True)
class ProbeHistory:
    """What each attempt saw; a repeated outcome is counted, not repeated."""

    attempts: list[tuple[float, str, int]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def record(self, outcome: str) -> None:
        if self.attempts and self.attempts[-1][1] == outcome:
            at, _, count = self.attempts[-1]
            self.attempts[-1] = (at, outcome, count + 1)
        else:
            self.attempts.append((time.monotonic() - self.started, outcome, 1))

    def describe(self) -> str:
        return "\n".join(
            f"  +{at:5.2f}s {outcome}" + (f" (x{count})" if count > 1 else "")
            for at, outcome, count in self.attempts[-15:]
        )


def wait_until(probe: Callable[[], None], *, timeout: float, what: str) -> float:
    """Call probe until it stops raising ProbeFailed; return seconds waited.

    Raises ReadinessTimeout with the probe history after `timeout` seconds, at once if the
    probe raises GiveUp.
    """
    history = ProbeHistory()
    deadline = history.started + timeout
    interval = PROBE_INTERVAL_START
    while True:
        try:
            probe()
            return time.monotonic() - history.started
        except ProbeFailed as failure:
            history.record(str(failure))
        except GiveUp as reason:
            raise ReadinessTimeout(
                f"{what}: gave up after {time.monotonic() - history.started:.1f}s: {reason}\n"
                f"Probe history:\n{history.describe()}"
            ) from None
        if time.monotonic() + interval > deadline:
            raise ReadinessTimeout(
                f"{what}: not ready within {timeout:.0f}s.\nProbe history:\n{history.describe()}"
            )
        time.sleep(interval)  # polling interval of a deadline-bound wait, not synchronisation
        interval = min(interval * 2, PROBE_INTERVAL_MAX)
