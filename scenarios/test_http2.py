"""HTTP/2 at the edge: what only a client that speaks HTTP/2 meets, on every TLS stack whose
proxy offers h2 by ALPN (every other scenario on the protocol axis runs over h2 too, as its
`[...-h2]` cases: bodies without content-length, header limits after HPACK, timeouts).

The proxy speaks HTTP/1.1 to the servers, so each guarantee here is about that translation:
the app gets the request the client meant, one Cookie header, nothing HTTP/2 forbids, no
request a malformed frame hides; and a browser on HTTP/2 still gets its WebSockets.
"""

import json
import uuid

import pytest

from harness.clients.evidence import seen_with
from harness.clients.framing.h2probes import H2_PROBES, run_h2_probe
from harness.clients.framing.verdicts import HopOutcome
from harness.clients.h2wire import H2Session, request_headers
from harness.clients.ws_over_h2 import (
    ENABLE_CONNECT_PROTOCOL,
    echo_over_extended_connect,
    echo_over_http11_connection,
)
from harness.parts import proxy_kit
from harness.spec.model import ClientProtocol

pytestmark = [pytest.mark.http2, pytest.mark.tls_only]

CRUMBS = [("cookie", "a=1"), ("cookie", "b=2"), ("cookie", "session=x y")]
# Fields RFC 9113 §8.2.2 forbids: a proxy must refuse a request that carries one.
CONNECTION_SPECIFIC = ["connection", "keep-alive", "proxy-connection", "upgrade"]


@pytest.fixture(autouse=True)
def _offers_h2(stack):
    if ClientProtocol.H2 not in stack.spec.offered_protocols:
        pytest.skip(f"{stack.id}: the proxy offers no HTTP/2 (client_protocols)")


def _echo(stack, fields, marker):
    with H2Session(stack) as session:
        path = f"{stack.contract_root}/echo/h2-{marker}"
        answer = session.answer(session.request(request_headers(session, "GET", path, fields)))
    seen = json.loads(bytes(answer.body)) if answer.status == 200 else None
    return answer, seen


def test_cookie_crumbs_reach_app_as_one_cookie_header(stack):
    """A cookie sent as several HTTP/2 fields (RFC 9113 §8.2.3 lets a client split it, and
    browsers compress it so) reaches the app as one Cookie header, crumbs joined by `; `,
    for every crumb the client sent: not as several headers an app joins with `, `."""
    answer, seen = _echo(stack, CRUMBS, uuid.uuid4().hex)
    assert seen is not None, f"{stack.id}: GET /echo with cookie crumbs got {answer.describe()}"
    cookie = seen["headers"].get("cookie")
    expected = "; ".join(value for _, value in CRUMBS)
    assert cookie == expected, (
        f"{stack.id}: crumbs {[v for _, v in CRUMBS]} reached the app as Cookie {cookie!r}, "
        f"not {expected!r} (RFC 9113 §8.2.3: join them with '; ' before HTTP/1.1)"
    )


@pytest.mark.parametrize("name", CONNECTION_SPECIFIC)
def test_connection_specific_field_never_reaches_app(stack, client, name):
    """A request with a connection-specific field, which HTTP/2 forbids (RFC 9113 §8.2.2),
    is refused, or at the least the field and the headers it names never reach the app."""
    marker = uuid.uuid4().hex
    value = "x-named-by-connection" if name == "connection" else "h2c"
    answer, seen = _echo(stack, [(name, value), ("x-named-by-connection", "1")], marker)
    if seen is None:  # refused: the right answer
        assert seen_with(client, f"h2-{marker}") == [], (
            f"{stack.id}: {name}: {value} got {answer.describe()}, yet the app ran it"
        )
        return
    headers = seen["headers"]
    assert name not in headers, (
        f"{stack.id}: {name}: {value} over h2 reached the app as {headers.get(name)!r} "
        f'({answer.describe()}); drop it on the way: nginx `proxy_set_header {name} ""`, '
        f"HAProxy `http-request del-header {name}`, Caddy `request_header -{name}`"
    )
    if name == "connection":
        assert "x-named-by-connection" in headers, (
            f"{stack.id}: the proxy dropped a header named by the forbidden Connection field, "
            "as if it applied to the proxy->server hop"
        )


@pytest.mark.asgi_only
def test_websocket_works_for_a_client_on_http2(stack):
    """A browser whose page came over HTTP/2 gets its WebSocket: by RFC 8441's extended
    CONNECT where the proxy announces it (SETTINGS_ENABLE_CONNECT_PROTOCOL), else on a
    separate HTTP/1.1 connection to the same port, which the proxy must then still offer by
    ALPN. What the proxy announces matches its kit's `websocket_over_h2`."""
    with H2Session(stack) as session:
        announced = session.settings().get(ENABLE_CONNECT_PROTOCOL) == 1
    if announced:
        echoed, evidence = echo_over_extended_connect(stack)
    else:
        echoed, evidence = echo_over_http11_connection(stack)
    assert echoed, f"{stack.id}: {evidence}"
    kit = proxy_kit(stack.spec.proxy).features.websocket_over_h2
    if stack.spec.overrides.proxy_config is None:
        assert announced == kit, (
            f"{stack.id}: the proxy {'announces' if announced else 'does not announce'} "
            f"extended CONNECT, its kit says websocket_over_h2={kit}"
        )


@pytest.mark.parametrize("name", list(H2_PROBES))
def test_downgrade_probe_reaches_app_as_stated_or_not_at_all(stack, client, name, record_property):
    """A malformed HTTP/2 request (content-length against its DATA, Transfer-Encoding,
    CR/LF or a colon in a name, a value or :path, a connection-specific field) is refused, or
    reaches the app once as stated; never as a hidden request or an injected header once the
    proxy rewrites it as HTTP/1.1."""
    result = run_h2_probe(stack, client, H2_PROBES[name])
    record_property("harness.framing", json.dumps(result.as_data()))
    evidence = f"{stack.id}: {result.describe()}"
    assert result.proxied.outcome != HopOutcome.DESYNC, (
        f"desync through the proxy; {evidence}. RFC 9113 §8.1.1 makes such a request "
        "malformed: the proxy must refuse it; one that forwards it needs an upgrade, or an "
        "edge in front that refuses it"
    )
