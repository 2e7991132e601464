"""A small matrix run, made up, for the tests of results, diffs and reports.

Three stacks, four families, every outcome at least once, a case one stack does not run
(the plain-HTTP stack has no TLS cases), text that must be escaped, a terminal escape in a log
tail, and two parameters that slug alike. `previous_results()` is the night before: the
failing cell passed then and gunicorn was older, so `sample_diff()` has one newly failing
cell and one version change.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from harness.matrix.diff import MatrixDiff, diff_results
from harness.matrix.schema import (
    CaseRecord,
    ConfigDigest,
    MatrixResults,
    Outcome,
    RunInfo,
    ShardInfo,
    StackRecord,
)

NGINX = "nginx-gunicorn-flask-bookworm-tls"
HAPROXY = "haproxy-uvicorn-django-bookworm"
APACHE = "apache-daphne-channels-trixie-tls"
STACKS = (NGINX, HAPROXY, APACHE)

SMUGGLING = "test_security.py::test_smuggling_probe_is_refused_and_smuggles_nothing"
FAILING_STACK = NGINX
FAILING_CASE = f"{SMUGGLING}[cl-te]"
FAILING_REASON = "proxy forwarded a smuggled GET /admin to the app"
FAILING_EVIDENCE = "request:\nPOST / HTTP/1.1\r\nContent-Length: 4\r\n<script>alert(1)</script>"

FAMILIES: dict[str, tuple[str, ...]] = {
    "security": (
        FAILING_CASE,
        f"{SMUGGLING}[te-cl]",
        "test_security.py::test_malformed_request_gets_4xx[space in header]",
        "test_security.py::test_underscore_headers_cannot_pose_as_forwarded_headers",
    ),
    "static": (
        "test_static.py::test_static_file_is_served_by_proxy[a.css]",
        "test_static.py::test_static_file_is_served_by_proxy[a-css]",  # slugs like [a.css]
        "test_static.py::test_static_traversal_serves_no_file[..%2f]",
    ),
    "tls": (
        "test_tls.py::test_tls_version_policy[1.0]",
        "test_tls.py::test_tls_version_policy[1.3]",
        "test_tls.py::test_hsts_on_every_response[/echo]",
        "test_tls.py::test_alpn_offers_h2",
    ),
    "websocket": (
        "test_websocket.py::test_upgrade_answers_101",
        "test_websocket.py::test_messages_echo_unchanged[unicode]",
        "test_websocket.py::test_ping_is_answered_with_pong",
    ),
}
# What changed since previous_results().
FIXED = (APACHE, "test_websocket.py::test_ping_is_answered_with_pong")
ADDED = (APACHE, "test_static.py::test_static_file_is_served_by_proxy[a-css]")
REMOVED = "test_host.py::test_unknown_host_is_refused"
CASE_COUNT = sum(len(cases) for cases in FAMILIES.values())  # columns of the grid: 14

# (stack, case) -> outcome and its explanation; every other cell run on a stack passed.
NOT_PASSED: dict[tuple[str, str], dict[str, object]] = {
    (NGINX, FAILING_CASE): {
        "outcome": Outcome.FAILED,
        "reason": FAILING_REASON,
        "evidence": FAILING_EVIDENCE,
        "log_tail": "\x1b[31m2024/12/01 [warn] 12#12: client sent invalid header\x1b[0m",
    },
    (NGINX, "test_tls.py::test_tls_version_policy[1.0]"): {
        "outcome": Outcome.XFAILED,
        "reason": "TLS 1.0 handshake accepted",
        "incompatibility": "OpenSSL 3 on bookworm still allows TLS 1.0 at SECLEVEL=0",
    },
    (NGINX, "test_tls.py::test_alpn_offers_h2"): {
        "outcome": Outcome.FLAKY,
        "attempts": 2,
        "first_failure": "ConnectionResetError: [Errno 104] Connection reset by peer",
    },
    (NGINX, "test_static.py::test_static_traversal_serves_no_file[..%2f]"): {
        "outcome": Outcome.SKIPPED,
        "reason": "the proxy normalises %2f itself",
    },
    (HAPROXY, "test_websocket.py::test_ping_is_answered_with_pong"): {
        "outcome": Outcome.ERROR,
        "reason": "ReadinessTimeout: app-1 not ready after 30 s",
        "log_tail": "uvicorn: Waiting for application startup.",
    },
    (HAPROXY, "test_websocket.py::test_messages_echo_unchanged[unicode]"): {
        "outcome": Outcome.XPASSED,
        "reason": "uvicorn < 0.30 mangled non-BMP text frames",
        "incompatibility": "uvicorn#1234",
    },
    (APACHE, "test_tls.py::test_hsts_on_every_response[/echo]"): {
        "outcome": Outcome.FAILED,
        "reason": "no Strict-Transport-Security on GET /echo",
        "evidence": "HTTP/1.1 200 OK\r\nContent-Type: application/json",
    },
    (APACHE, "test_websocket.py::test_upgrade_answers_101"): {
        "outcome": Outcome.XFAILED,
        "reason": "mod_proxy_wstunnel answers 200",
    },
}
# Per outcome, the number of cells: 3 stacks x 14 cases, less the 4 TLS cases of HAPROXY.
CELL_COUNT = 3 * CASE_COUNT - 4
EXPECTED_COUNTS = {
    Outcome.FAILED: 2,
    Outcome.ERROR: 1,
    Outcome.SKIPPED: 1,
    Outcome.XFAILED: 2,
    Outcome.XPASSED: 1,
    Outcome.FLAKY: 1,
    Outcome.PASSED: CELL_COUNT - 8,
}


def _stack(stack_id: str, proxy: str, server: str, app: str, suite: str, tls: bool) -> StackRecord:
    return StackRecord(
        id=stack_id,
        spec={
            "proxy": proxy,
            "server": server,
            "server_label": server,
            "app_mode": app,
            "suite": suite,
            "tls": tls,
            "replicas": 2,
            "balancing": "round_robin",
        },
        source="examples/matrix.toml",
        startup_seconds=4.2,
        seconds={NGINX: 71.5, HAPROXY: 58.25, APACHE: 96.0}[stack_id],
        versions={
            "proxy": {
                "nginx": "nginx version: nginx/1.22.1",
                "haproxy": "HAProxy version 2.6.12",
                "apache": "Server version: Apache/2.4.62 (Debian)",
            }[proxy],
            "python": "3.11.2",
            "server": f"{server} 23.0.0",
            "framework": f"{app} 3.1.3",
            "debian_suite": suite,
            "debian_version": "12.8",
            "packages": {server: "23.0.0", "flask": "3.1.3", "werkzeug": "3.1.3"},
            "debian_packages": {proxy: "1.22.1-9", "openssl": "3.0.15-1~deb12u1"},
        },
        images={"proxy": f"sha256:{'ab' * 32}", "app": f"sha256:{'cd' * 32}"},
        configs=(
            ConfigDigest(
                f"/etc/{proxy}/{proxy}.conf",
                "0123456789abcdef" * 4,
                f"configs/{stack_id}/{proxy}.conf",
            ),
        ),
    )


def _cases() -> tuple[CaseRecord, ...]:
    cases = []
    for stack_id in STACKS:
        for family, names in FAMILIES.items():
            if family == "tls" and stack_id == HAPROXY:
                continue
            for name in names:
                fields: dict = {"outcome": Outcome.PASSED, **NOT_PASSED.get((stack_id, name), {})}
                cases.append(
                    CaseRecord(
                        stack=stack_id,
                        case=name,
                        scenario=name.split("[")[0],
                        family=family,
                        duration=0.25,
                        **fields,
                    )
                )
    return tuple(cases)


def sample_results() -> MatrixResults:
    """The sample run: 3 stacks, 38 cells, every outcome."""
    run = RunInfo(
        harness_version="0.1.0",
        harness_commit="762c3b9d0c1e2f3a4b5c6d7e8f9a0b1c2d3e4f50",
        started="2024-12-01T02:00:00Z",
        ended="2024-12-01T02:04:10Z",
        engine_version="Docker 27.3.1",
        host_cores=2,
        workers=2,
        selection="examples/matrix.toml",
        shards=(
            ShardInfo(
                1, 2, "2024-12-01T02:00:00Z", "2024-12-01T02:02:50Z", 170.0, (APACHE, HAPROXY)
            ),
            ShardInfo(2, 2, "2024-12-01T02:00:00Z", "2024-12-01T02:01:15Z", 75.5, (NGINX,)),
        ),
    )
    stacks = {
        NGINX: _stack(NGINX, "nginx", "gunicorn", "flask", "bookworm", tls=True),
        HAPROXY: _stack(HAPROXY, "haproxy", "uvicorn", "django", "bookworm", tls=False),
        APACHE: _stack(APACHE, "apache", "daphne", "channels", "trixie", tls=True),
    }
    return MatrixResults(run=run, stacks=MappingProxyType(stacks), cases=_cases())


def previous_results() -> MatrixResults:
    """The night before: the failing cell passed, one cell failed that passes now, one case
    was not there yet and one is gone since; gunicorn was 22.0.0."""
    current = sample_results()
    cases = [
        replace(case, outcome=Outcome.PASSED, reason="", evidence="", log_tail="")
        if case.key == (FAILING_STACK, FAILING_CASE)
        else replace(case, outcome=Outcome.FAILED, reason="pong never came")
        if case.key == FIXED
        else case
        for case in current.cases
        if case.key != ADDED
    ]
    cases.append(CaseRecord(NGINX, REMOVED, REMOVED, "host", Outcome.PASSED, 0.1))
    old_stack = current.stacks[NGINX]
    versions = {
        **old_stack.versions,
        "server": "gunicorn 22.0.0",
        "packages": {**old_stack.versions["packages"], "gunicorn": "22.0.0"},
    }
    stacks = {**current.stacks, NGINX: replace(old_stack, versions=versions)}
    return replace(current, stacks=MappingProxyType(stacks), cases=tuple(cases))


def sample_diff() -> MatrixDiff:
    """previous_results() -> sample_results(): one cell each newly failing, newly passing,
    added and removed; two version changes."""
    return diff_results(previous_results(), sample_results())


def framing_results(direct_outcome: str, lenient: bool) -> MatrixResults:
    """The sample run with one framing probe on HAPROXY, made an h11 0.16.0 stack: the
    direct hop did `direct_outcome`, and the server was `lenient` or not."""
    results = sample_results()
    record = results.stacks[HAPROXY]
    spec = {**record.spec, "server": "uvicorn", "http_parser": "h11"}
    versions = {**record.versions, "packages": {"h11": "0.16.0", "uvicorn": "0.54.0"}}
    hop = {
        "outcome": "refused",
        "statuses": [400],
        "closed": True,
        "app_requests": 0,
        "hidden_ran": False,
        "body_length": None,
    }
    observation = {
        "probe": "chunk-bad-terminator",
        "kind": "invalid",
        "proxied": hop,
        "direct": {**hop, "outcome": direct_outcome},
        "server_lenient": lenient,
        "proxy_protects": True if lenient else None,
    }
    case = CaseRecord(
        HAPROXY,
        "test_framing.py::t[chunk-bad-terminator]",
        "test_framing.py::t",
        "framing",
        Outcome.PASSED,
        1.0,
        observations={"framing": observation},
    )
    stacks = {**results.stacks, HAPROXY: replace(record, spec=spec, versions=versions)}
    return replace(results, stacks=stacks, cases=(*results.cases, case))
