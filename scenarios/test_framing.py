"""Framing probes, hop by hop: the proxy never lets an ambiguous or invalid request reach the
app as two requests or with another body length than the one it states.

Each probe (harness/clients/framing/probes.py) is sent through the proxy and, from a container on
the stack's network, straight to one replica. The proxied hop is what a deployment guarantees and
is asserted; the direct hop says whether the server alone is lenient, and is recorded with it
as the case's `framing` observation in the matrix results, where the report judges it against
the server's published advisories (harness/clients/framing/advisories.py).
"""

import json

import pytest

from harness.clients.framing import PROBES, HopOutcome
from harness.clients.framing.observe import run_probe

pytestmark = pytest.mark.framing


@pytest.mark.http1_only("raw HTTP/1.1 framing; HTTP/2 has its own probes in test_http2.py")
@pytest.mark.parametrize("name", list(PROBES))
def test_proxied_probe_reaches_app_as_stated_or_not_at_all(stack, client, name, record_property):
    """Through the proxy a probe is refused, or reaches the app once with the body length it
    states (the proxy re-framed it); never as a hidden request. The server's own reading, on
    the direct hop, is recorded beside it."""
    result = run_probe(stack, client, PROBES[name])
    record_property("harness.framing", json.dumps(result.as_data()))
    evidence = f"{stack.id}: {result.describe()}"
    assert result.proxied.outcome != HopOutcome.DESYNC, f"desync through the proxy; {evidence}"
