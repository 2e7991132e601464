"""The client-protocol axis: which protocols a stack's scenarios run over, how its cases are
named, and the HTTP/2 downgrade probes as built (no Docker)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from harness.clients.framing.h2probes import H2_PROBES
from harness.clients.framing.probes import hidden_path, probe_path
from harness.parts import PROXY_KITS
from harness.parts.kinds import with_protocol, without_protocol
from harness.plugin.items import case_name
from harness.spec.catalog import STACKS
from harness.spec.model import ClientProtocol, ProxyKind, Suite

H1, H2, H3 = ClientProtocol.H1, ClientProtocol.H2, ClientProtocol.H3


def test_plain_stacks_speak_http11_alone_and_tls_stacks_what_their_proxy_offers():
    assert STACKS["nginx-gunicorn-gthread-flask"].offered_protocols == (H1,)
    assert STACKS["nginx-uvicorn-django-asgi-tls"].offered_protocols == (H1, H2)
    assert STACKS["caddy-uvicorn-django-asgi-tls"].offered_protocols == (H1, H2, H3)


def test_a_declared_list_wins():
    spec = STACKS["caddy-uvicorn-django-asgi-tls"].with_changes(client_protocols=(H1,))
    assert spec.offered_protocols == (H1,)


@pytest.mark.parametrize("kind", list(ProxyKind))
def test_every_proxy_offers_http2_over_tls_and_http11_without(kind):
    kit = PROXY_KITS[kind]
    for suite in Suite:
        assert kit.client_protocols(False, suite) == (H1,)
        assert H2 in kit.client_protocols(True, suite)


def test_http3_is_offered_as_each_suite_builds_the_proxy():
    offers = {
        (kind, suite): H3 in PROXY_KITS[kind].client_protocols(True, suite)
        for kind in ProxyKind
        for suite in Suite
    }
    assert {key for key, offered in offers.items() if offered} == {
        (ProxyKind.CADDY, Suite.BOOKWORM),
        (ProxyKind.CADDY, Suite.TRIXIE),
    }


def _item(name: str, stack: str, protocol: ClientProtocol | None):
    spec = STACKS[stack]
    params = {"live_stack": spec} | ({"protocol": protocol} if protocol else {})
    return SimpleNamespace(
        originalname="test_methods_reach_app",
        name=name,
        callspec=SimpleNamespace(params=params),
        path=SimpleNamespace(name="test_correctness.py"),
    )


@pytest.mark.parametrize(
    ("node", "protocol", "case"),
    [
        ("[h1-nginx-uvicorn-django-asgi-tls-POST]", H1, "[POST]"),
        ("[h2-nginx-uvicorn-django-asgi-tls-POST]", H2, "[POST-h2]"),
        ("[h2-nginx-uvicorn-django-asgi-tls]", H2, "[h2]"),
        ("[h1-nginx-uvicorn-django-asgi-tls]", H1, ""),
        ("[nginx-uvicorn-django-asgi-tls-POST]", None, "[POST]"),
    ],
)
def test_http11_cases_keep_their_names_and_the_others_end_in_their_protocol(node, protocol, case):
    item = _item("test_methods_reach_app" + node, "nginx-uvicorn-django-asgi-tls", protocol)
    assert case_name(item) == f"test_correctness.py::test_methods_reach_app{case}"


@pytest.mark.parametrize(
    ("case", "on_http11"),
    [
        ("t.py::x[POST-h2]", "t.py::x[POST]"),
        ("t.py::x[h3]", "t.py::x"),
        ("t.py::x[a]", "t.py::x[a]"),
    ],
)
def test_a_case_names_its_http11_counterpart(case, on_http11):
    assert without_protocol(case) == on_http11


@pytest.mark.parametrize("case", ["t.py::x[POST]", "t.py::x", "t.py::x[chunked]"])
@pytest.mark.parametrize("protocol", list(ClientProtocol))
def test_with_protocol_names_the_case_the_plugin_makes_and_back(case, protocol):
    named = with_protocol(case, protocol)
    assert without_protocol(named) == case
    assert named == case if protocol == ClientProtocol.H1 else named.endswith(f"{protocol}]")


@pytest.mark.parametrize("name", list(H2_PROBES))
def test_every_downgrade_probe_is_a_post_to_its_marker_path(name):
    marker, authority = "m" * 32, "127.0.0.1:8443"
    hidden = f"GET {hidden_path(marker)} HTTP/1.1\r\nHost: {authority}\r\n\r\n"
    frames = H2_PROBES[name].build(probe_path(marker), hidden, authority)
    assert frames.path.startswith(probe_path(marker))
    assert frames.data, "every probe sends a body"


def test_the_path_probe_hides_a_request_behind_a_line_break():
    marker = "m" * 32
    hidden = f"GET {hidden_path(marker)} HTTP/1.1\r\nHost: h\r\n\r\n"
    frames = H2_PROBES["h2-crlf-in-path"].build(probe_path(marker), hidden, "h")
    assert f"\r\n\r\nGET {hidden_path(marker)}" in frames.path
