"""The framing family's logic without Docker: probe bytes, the reading of answers, hop
outcomes, advisory verdicts, the version axes and the report's framing view."""

from __future__ import annotations

import pytest

from harness.clients.framing import (
    PROBES,
    Hop,
    HopOutcome,
    HopResult,
    ProbeKind,
    ProbeResult,
    judge,
)
from harness.clients.framing.advisories import (
    ADVISORIES,
    AdvisoryVerdict,
    concerned,
    parser_package,
)
from harness.clients.framing.verdicts import classify
from harness.clients.framing.wire import answers_in
from harness.spec.catalog import PROFILES, STACKS
from harness.spec.model import HttpParser, ProxyKind, ServerKind
from harness.spec.version_axes import version_axes


def test_every_probe_names_its_marker_and_only_invalid_ones_hide_a_request_after_the_body():
    for probe in PROBES.values():
        raw = probe.render("example.test", "m1")
        assert raw.startswith(b"POST /echo/framing-m1 HTTP/1.1"), probe.name
        hidden = b"/echo/framing-m1-hidden" in raw
        if hidden and probe.requests == 1:
            assert probe.kind != ProbeKind.VALID, probe.name


def test_te_list_probe_content_length_covers_only_the_chunk_size_line():
    raw = PROBES["te-list-gzip-chunked"].render("h", "m")
    head, body = raw.split(b"\r\n\r\n", 1)
    assert b"Content-Length: 4" in head and body.startswith(b"43\r\nGET /echo/framing-m-hidden")


def test_answers_are_split_and_chunked_bodies_decoded():
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 400 Bad\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n3\r\nbad\r\n0\r\n\r\nHTTP/1.1 204 No\r\n\r\n"
    )
    answers = answers_in(raw)
    assert [(a.status, a.body) for a in answers] == [(200, b"ok"), (400, b"bad"), (204, b"")]


@pytest.mark.parametrize(
    ("requests", "hidden", "length", "expected"),
    [
        (0, False, None, HopOutcome.REFUSED),
        (1, False, 5, HopOutcome.ACCEPTED),
        (1, False, None, HopOutcome.REFUSED_MIDWAY),
        (2, True, 5, HopOutcome.DESYNC),
        (1, False, 72, HopOutcome.DESYNC),
    ],
)
def test_a_hop_outcome_comes_from_what_the_app_ran_and_read(requests, hidden, length, expected):
    assert classify(PROBES["chunk-size-0x"], requests, hidden, length) == expected


def test_pipelined_requests_are_no_desync():
    assert classify(PROBES["pipelined"], 2, True, 5) == HopOutcome.ACCEPTED


def _hop(hop, outcome, length=5):
    return HopResult(hop, (200,), True, 1, False, length, outcome)


def test_a_lenient_server_behind_a_refusing_proxy_is_protected():
    probe = PROBES["chunk-size-0x"]
    result = ProbeResult(
        probe, _hop(Hop.PROXIED, HopOutcome.REFUSED), _hop(Hop.DIRECT, HopOutcome.ACCEPTED)
    )
    assert (result.server_lenient, result.proxy_protects) == (True, True)
    unprotected = ProbeResult(
        probe, _hop(Hop.PROXIED, HopOutcome.DESYNC), _hop(Hop.DIRECT, HopOutcome.DESYNC)
    )
    assert (unprotected.server_lenient, unprotected.proxy_protects) == (True, False)
    strict = ProbeResult(
        probe, _hop(Hop.PROXIED, HopOutcome.REFUSED), _hop(Hop.DIRECT, HopOutcome.REFUSED)
    )
    assert (strict.server_lenient, strict.proxy_protects) == (False, None)


def test_accepting_an_ambiguous_probe_as_stated_is_not_lenient():
    assert not _hop(Hop.DIRECT, HopOutcome.ACCEPTED).lenient(PROBES["obs-fold"])


@pytest.mark.parametrize(
    ("version", "lenient", "verdict"),
    [
        ("21.2.0", True, AdvisoryVerdict.AFFECTED_AS_ADVISED),
        ("21.2.0", False, AdvisoryVerdict.STRICTER_THAN_ADVISED),
        ("22.0.0", False, AdvisoryVerdict.FIXED_AS_ADVISED),
        ("23.0.0", True, AdvisoryVerdict.LENIENT_THOUGH_FIXED),
    ],
)
def test_an_advisory_judges_a_version_by_its_range(version, lenient, verdict):
    (advisory,) = [a for a in ADVISORIES if a.id == "CVE-2024-6827"]
    assert judge(advisory, version, lenient) == verdict
    assert verdict.is_finding == (
        verdict in (AdvisoryVerdict.STRICTER_THAN_ADVISED, AdvisoryVerdict.LENIENT_THOUGH_FIXED)
    )


def test_advisories_name_known_probes_and_valid_ranges():
    for advisory in ADVISORIES:
        assert set(advisory.probes) <= set(PROBES), advisory.id
        assert advisory.affects("0.0.1"), advisory.id
        assert advisory.links and advisory.id.startswith("CVE-"), advisory.id


def test_h11_concerns_uvicorn_only_on_its_h11_parser():
    h11 = STACKS["nginx-uvicorn-h11-django-asgi-h11-0.14.0"]
    assert parser_package(h11) == "h11" and h11.http_parser == HttpParser.H11
    assert parser_package(STACKS["nginx-uvicorn-django-asgi-tls"]) is None
    assert concerned(h11, "chunk-bad-terminator")[0].id == "CVE-2025-43859"
    assert parser_package(STACKS["nginx-gunicorn-gthread-flask-gunicorn-21.2.0"]) == "gunicorn"


def test_version_axes_cross_every_proxy_for_the_framing_family_only_in_nightly():
    axes = list(version_axes())
    nightly = set(PROFILES["nightly"])
    assert {spec.id for spec in axes} <= nightly
    assert not {spec.id for spec in axes} & (set(PROFILES["ci"]) | set(PROFILES["default"]))
    assert all(spec.families == ("framing",) and not spec.problems() for spec in axes)
    by_server = {(spec.server, spec.packages, spec.http_parser): set() for spec in axes}
    for spec in axes:
        by_server[spec.server, spec.packages, spec.http_parser].add(spec.proxy)
    assert all(len(proxies) == len(ProxyKind) for proxies in by_server.values()), by_server
    pinned = {f"{pin.name} {pin.version}" for spec in axes for pin in spec.packages}
    assert {
        "gunicorn 21.2.0",
        "gunicorn 22.0.0",
        "h11 0.14.0",
        "waitress 2.1.0",
        "waitress 1.3.1",
    } <= pinned
    assert any(s.server == ServerKind.UVICORN and not s.packages for s in axes)


def test_report_judges_direct_results_and_shows_a_finding():
    from harness.matrix.report.framing import framing_view
    from harness.matrix.report.html import render_html
    from tests.unit.matrix_samples import framing_results

    fixed = framing_view(framing_results("refused", False))
    assert fixed is not None and not fixed.findings
    assert fixed.checks[0].verdict == AdvisoryVerdict.FIXED_AS_ADVISED
    finding = framing_results("desync", True)
    view = framing_view(finding)
    assert view is not None and view.rows[0].parser == "h11 0.16.0"
    # h11 runs under uvicorn and hypercorn: the column names the server too.
    assert view.rows[0].server_if_not_named == view.rows[0].server != "h11"
    assert [c.verdict for c in view.findings] == [AdvisoryVerdict.LENIENT_THOUGH_FIXED]
    page = render_html(finding)
    assert "1 advisory finding(s)" in page and "FINDING: said fixed, but lets it through" in page
