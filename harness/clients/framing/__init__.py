"""Framing probes: raw requests whose framing is invalid or ambiguous, sent two ways.

Each probe (probes.py) is sent through the proxy's published port and, from a container on
the stack's own network, straight to one replica (wire.py). What the app then saw, read from
its /seen log and its /echo answer, makes one HopResult per hop (verdicts.py): refused,
accepted as the probe means, or desynchronised (the app ran a request hidden in the probe, or
read another body length). advisories.py holds the published server bugs these probes
reproduce, with their version ranges, and judges a direct result against them.

    probes.py      the catalogue: FramingProbe, PROBES
    wire.py        bytes on a socket: through the proxy, or from inside the stack network
    verdicts.py    HopOutcome, HopResult, ProbeResult
    observe.py     one probe on one hop: send, then read what the app saw
    advisories.py  Advisory, ADVISORIES, AdvisoryVerdict, judge()
"""

from harness.clients.framing.advisories import ADVISORIES, Advisory, AdvisoryVerdict, judge
from harness.clients.framing.probes import PROBES, FramingProbe, ProbeKind
from harness.clients.framing.verdicts import Hop, HopOutcome, HopResult, ProbeResult

__all__ = [
    "ADVISORIES",
    "PROBES",
    "Advisory",
    "AdvisoryVerdict",
    "FramingProbe",
    "Hop",
    "HopOutcome",
    "HopResult",
    "ProbeKind",
    "ProbeResult",
    "judge",
]
