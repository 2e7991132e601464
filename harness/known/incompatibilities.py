"""What a proxy, server or app genuinely cannot do, as data, with the evidence.

An entry names the stacks it concerns (a glob over stack ids, and spec fields that must all
match, so that stacks from users' files are covered too) and the scenarios (globs over
`test_file.py::test_name`, with `[params]` when the scenario has parameters besides the
stack, e.g. `test_limits.py::test_body_at_declared_maximum_is_accepted[chunked]`; in these
globs `*` and `?` are wildcards and brackets are literal). The pytest plugin marks each
matching scenario `xfail(strict=True)`: it must keep failing, so the day a new version fixes
it the run says so and the entry goes.

Entries apply to what runs. Each names the part of the stack that causes the failure
(harness/known/causes.py): our proxy config, our server config or command line, the server or
framework in our app image, or the proxy software itself. A stack whose file replaces that
part with its own (`overrides.proxy_config`, `server_config`, `server_args`, `image`) runs
without the entry, as a plain scenario. An entry may also state the proxy versions it holds
for (harness/spec/suites.py: the version each Debian suite ships); on a suite outside the range it
does not apply.

Only what no configuration of ours fixes belongs here. A setting that fixes a failure goes in
our configs instead (e.g. nginx's `uwsgi_param HTTP_TRANSFER_ENCODING` for chunked bodies).
"""

from __future__ import annotations

from types import MappingProxyType

from packaging.specifiers import SpecifierSet

from harness.known.causes import Part
from harness.known.incompatibility import (
    CHUNKED_AT_LIMIT,
    CHUNKED_IN_BODY,
    CHUNKED_OVER_LIMIT,
    CHUNKED_UPLOAD,
    FOREIGN_ORIGIN,
    HEADER_LINE_AT_LIMIT,
    HEADER_LINE_OVER_LIMIT,
    IN_FLIGHT,
    PAUSED_REPLICA,
    RECREATED_REPLICA,
    ROLLING_RESTART,
    SLOW_CLIENTS,
    SLOW_UPLOADS,
    SMALL_UNCOMPRESSED,
    STREAM_GZIP,
    TIMEOUT_STATUS,
    WEBSOCKET_STOP,
    Incompatibility,
    where,
)
from harness.parts.kinds import ClientProtocol, with_protocol
from harness.spec.model import Framework, ProxyKind, ServerKind, StackSpec, Trust, WorkerClass
from harness.spec.suites import VersionRange

RESPONSE_HEAD = "test_limits.py::test_response_head_of_declared_size_reaches_client"
# An announced body one byte over the limit (the case's HTTP/1.1 name).
CONTENT_LENGTH_OVER_LIMIT = (
    "test_limits.py::test_body_over_declared_maximum_gets_413_from_proxy[content-length]"
)


def _server_takes_long_lines(spec: StackSpec) -> bool:
    """Whether the server itself takes a header line longer than the declared maximum:
    gunicorn's own parser refuses it (limit_request_field_size), so the stack holds; its
    uvicorn worker parses with uvicorn's, which takes it."""
    return spec.server != ServerKind.GUNICORN or spec.worker_class == WorkerClass.UVICORN


KNOWN: tuple[Incompatibility, ...] = (
    Incompatibility(
        scenarios=(CHUNKED_UPLOAD, CHUNKED_AT_LIMIT, CHUNKED_OVER_LIMIT, CHUNKED_IN_BODY),
        where=where(proxy="apache", protocol="uwsgi"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Apache's mod_proxy_uwsgi answers a chunked request body with 411 Length Required: "
            "its handler calls ap_setup_client_block(r, REQUEST_CHUNKED_ERROR) "
            "(modules/proxy/mod_proxy_uwsgi.c, uwsgi_handler); proxy-sendcl and request "
            "body spooling exist only in mod_proxy_http. Seen: 411 from Apache 2.4.68."
        ),
    ),
    Incompatibility(
        scenarios=(CHUNKED_UPLOAD, CHUNKED_AT_LIMIT, CHUNKED_IN_BODY),
        where=where(proxy="haproxy", server="uwsgi"),
        parts=(Part.SERVER_SOFTWARE,),
        reason=(
            "HAProxy forwards a chunked body chunked as it arrives (option http-buffer-request "
            "waits for one buffer, tune.bufsize, never a whole body), and uWSGI 2.0's "
            "http-socket hands such a request to the app with "
            "`Transfer-Encoding: chunked`, no CONTENT_LENGTH and no wsgi.input_terminated, "
            "so WSGI apps read an empty body; only uwsgi.chunked_read() sees it. uWSGI's "
            "--wsgi-manage-chunked-input exists only on its unreleased master branch "
            "(unbit/uwsgi#1428; absent from `uwsgi --help` of 2.0.30). Seen: the app read 0 "
            "bytes."
        ),
    ),
    Incompatibility(
        scenarios=(CHUNKED_UPLOAD, CHUNKED_AT_LIMIT, CHUNKED_IN_BODY),
        where=where(proxy="haproxy", framework="django", interface="wsgi"),
        # waitress reads a chunked body whole before the app runs and sets CONTENT_LENGTH
        # (a strict XPASS on haproxy-waitress-django, nightly run of 2026-12-08).
        when=lambda spec: spec.server != ServerKind.WAITRESS,
        parts=(Part.FRAMEWORK,),
        reason=(
            "HAProxy forwards a chunked body chunked as it arrives (it cannot spool one), and "
            "Django under WSGI reads "
            "CONTENT_LENGTH bytes only, ignoring wsgi.input_terminated "
            "(django/core/handlers/wsgi.py: LimitedStream(wsgi.input, CONTENT_LENGTH or 0); "
            "Django ticket #35838, PRs django/django#20406 and #21638 unmerged). nginx and "
            "Apache (proxy-sendcl) spool the body and send Content-Length; HAProxy cannot. "
            "waitress, which buffers the body itself and sets CONTENT_LENGTH, is not concerned."
        ),
    ),
    Incompatibility(
        scenarios=(SLOW_CLIENTS,),
        where=where(proxy=("apache", "haproxy")),
        when=lambda spec: spec.sync_workers,
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Neither Apache's mod_proxy nor HAProxy spools a whole response: each holds one "
            "buffer per connection (ProxyIOBufferSize; tune.bufsize) and stops reading the "
            "server while the client does not read, so a sync worker stays busy until the "
            "client reads or a timeout ends it. gunicorn's deployment docs ask for a buffering "
            "proxy (nginx) in front of sync workers for this reason. Seen: with 4 clients "
            "reading nothing of a 32 MiB answer, GET /echo waited past 3 s on Apache 2.4.68 "
            "and on HAProxy 2.6.12, not on nginx. HAProxy frees the workers at `timeout "
            "client` (3 s) by giving up on the slow clients, whose answers are then cut short "
            "(a strict XPASS on 4 TLS stacks in the nightly run of 2026-12-08, before the "
            "scenario read the slow clients' answers to tell that from buffering)."
        ),
    ),
    Incompatibility(
        scenarios=(SLOW_UPLOADS,),
        where=where(proxy="apache"),
        when=lambda spec: spec.sync_workers,
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Apache's mod_proxy_http streams a request body that has a Content-Length to the "
            "server as it arrives, once its prefetch (16 KiB) is read: proxy-sendcl spools "
            "only bodies without a length, and no directive spools a whole body, so a slow "
            "upload holds a sync worker until it ends or a timeout does. Seen: with 4 clients "
            "halfway through a 48 KiB upload, GET /echo waited past 1.5 s on Apache 2.4.68 "
            "(`AH01097: pass request body failed` once the uploads were dropped), not on "
            "nginx, nor on HAProxy with option http-buffer-request."
        ),
    ),
    Incompatibility(
        scenarios=(CHUNKED_OVER_LIMIT,),
        where=where(proxy="haproxy"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "HAProxy has no request body size limit: our config refuses a Content-Length "
            "over max_body_bytes (req.hdr_val(content-length)), but a chunked body is streamed "
            "and req.body_size sees only what one buffer holds (option http-buffer-request, "
            "tune.bufsize). Seen: a 10 MiB + 1 chunked body reached the app (200)."
        ),
    ),
    Incompatibility(
        scenarios=(CHUNKED_OVER_LIMIT,),
        where=where(proxy="apache", protocol="http"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Apache 2.4 does not apply LimitRequestBody to proxied requests: ap_http_filter "
            "sets no limit when r->proxyreq is set (modules/http/http_filters.c); our config "
            "refuses a Content-Length over the limit with mod_rewrite, which cannot see a "
            "chunked body's size. Seen: a 10 MiB + 1 chunked body got 200 from Apache 2.4.68, "
            "with LimitRequestBody 10485760 in the server and in <Location />."
        ),
    ),
    Incompatibility(
        scenarios=(f"{TIMEOUT_STATUS}[*]",),
        where=where(proxy="apache", protocol="http", timeouts__timeout_status="504"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Apache's mod_proxy_http answers an upstream read timeout with 502, not 504: it "
            'notes proxy_timedout, then returns ap_proxyerror(r, HTTP_BAD_GATEWAY, "Error '
            'reading from remote server") (modules/proxy/mod_proxy_http.c, '
            "ap_proxy_http_process_response); the note only feeds failontimeout. Seen: 502 "
            "after 5 s. A stack declaring timeout_status = 502 passes."
        ),
    ),
    Incompatibility(
        scenarios=(f"{TIMEOUT_STATUS}[*]",),
        where=where(proxy="apache", protocol="uwsgi"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Apache's mod_proxy_uwsgi answers an upstream read timeout with 500: uwsgi_response "
            "returns HTTP_INTERNAL_SERVER_ERROR when it cannot read a status line "
            "(modules/proxy/mod_proxy_uwsgi.c), and 500 is no timeout status (502 or 504). "
            "Seen: 500 after 5 s."
        ),
    ),
    Incompatibility(
        scenarios=(RECREATED_REPLICA,),
        where=where(proxy="nginx"),
        parts=(Part.PROXY_CONFIG,),
        versions=VersionRange(ProxyKind.NGINX, before="1.27.3"),
        reason=(
            "nginx resolves the names in an upstream block once, at start, and our config "
            "balances over one: the `resolve` parameter of `server` is open source only from "
            "nginx 1.27.3 (commercial before), and Debian ships 1.22 (bookworm) and 1.26 "
            "(trixie). A variable proxy_pass with `resolver` re-resolves but gives up the "
            "upstream's balancing (least_conn, hash, max_fails); a stack file's own nginx.conf "
            "doing that lifts this entry. Seen: a recreated replica never got traffic again."
        ),
    ),
    Incompatibility(
        scenarios=(RECREATED_REPLICA,),
        where=where(proxy="apache"),
        parts=(Part.PROXY_CONFIG,),
        reason=(
            "Apache resolves a BalancerMember's name once, and keeps that address while it "
            "answers. addressttl= resolves it again, but then a stopped replica's name fails "
            "to resolve and Apache answers 500 (DNS lookup failure) instead of trying another "
            "member, health checks or not; our config keeps failover and gives this up. Seen: "
            "with addressttl=5, 500s while a replica was stopped (apache-daphne-django-asgi, "
            "apache-uwsgi-flask); without it, a recreated replica got no traffic while whatever "
            "took its old address answered there."
        ),
    ),
    Incompatibility(
        scenarios=(
            "test_framing.py::test_proxied_probe_reaches_app_as_stated_or_not_at_all"
            "[chunk-extension-invalid]",
        ),
        where=where(proxy="haproxy", server="uwsgi", protocol="http"),
        parts=(Part.PROXY_CONFIG, Part.SERVER_SOFTWARE),
        reason=(
            "HAProxy 2.6 and 3.0 accept a chunked body whose chunk line has a control byte in "
            "its extension, and uWSGI's http-socket then reads none of it: the app ran the "
            "request once with 0 body bytes where the probe stated its length (the same reading "
            "straight from the replica). No hidden request ran. Seen on haproxy-uwsgi-flask-http "
            "in every run, and on HAProxy 3.0.11 (trixie) in the nightly run of 2026-12-08."
        ),
    ),
    Incompatibility(
        scenarios=(
            "test_framing.py::test_proxied_probe_reaches_app_as_stated_or_not_at_all"
            "[chunk-bare-lf]",
        ),
        where=where(proxy="haproxy", server="uwsgi", protocol="http"),
        versions=VersionRange(ProxyKind.HAPROXY, before="3.0"),
        parts=(Part.PROXY_CONFIG, Part.SERVER_SOFTWARE),
        reason=(
            "HAProxy 2.6 accepts a chunk line ended by a bare LF, and uWSGI's http-socket then "
            "reads none of the body: the app ran the request once with 0 body bytes where the "
            "probe stated its length. HAProxy 3.0 refuses it with 400 (3.0.11 on trixie, nightly "
            "run of 2026-12-08: a strict XPASS on haproxy-uwsgi-flask-http-trixie)."
        ),
    ),
    Incompatibility(
        scenarios=(
            "test_framing.py::test_proxied_probe_reaches_app_as_stated_or_not_at_all"
            "[chunk-extension-invalid]",
        ),
        where=where(
            proxy="haproxy", server=("granian", "gunicorn"), framework="django", interface="wsgi"
        ),
        parts=(Part.PROXY_SOFTWARE, Part.SERVER_SOFTWARE, Part.FRAMEWORK),
        reason=(
            "HAProxy 2.6 and 3.0 pass on a chunk line with a control byte in its extension, "
            "granian and gunicorn (27.0.1) take it too (as they do straight from the stack "
            "network), and Django "
            "under WSGI then reads no body: a chunked request reaches it without "
            "CONTENT_LENGTH, and Django reads CONTENT_LENGTH bytes only (the chunked-upload "
            "entry above). The app ran the request once with 0 of the 5 bytes the probe "
            "stated; no hidden request ran. Seen in the nightly run of 2026-12-08 on "
            "haproxy-granian-wsgi-django-h2c-trixie (HAProxy 3.0.11), "
            "haproxy-gunicorn-sync-django(-tls, -tls-trixie), and on bookworm's HAProxy 2.6.12 "
            "in the shards run before."
        ),
    ),
    Incompatibility(
        scenarios=(
            "test_framing.py::test_proxied_probe_reaches_app_as_stated_or_not_at_all"
            "[chunk-bare-lf]",
        ),
        where=where(
            proxy="haproxy", server=("granian", "gunicorn"), framework="django", interface="wsgi"
        ),
        versions=VersionRange(ProxyKind.HAPROXY, before="3.0"),
        parts=(Part.PROXY_SOFTWARE, Part.SERVER_SOFTWARE, Part.FRAMEWORK),
        reason=(
            "HAProxy 2.6 passes on a chunk line ended by a bare LF (3.0 refuses it with 400), "
            "granian and gunicorn (27.0.1) take it, and Django under WSGI reads no body of a "
            "chunked request (CONTENT_LENGTH only): the app ran the request once with 0 of the "
            "5 stated bytes. Seen on HAProxy 2.6.12 in front of granian's and gunicorn's WSGI "
            "Django (haproxy-granian-wsgi-django-h2c-tls, haproxy-gunicorn-sync-django and "
            "-tls, nightly run of 2026-12-08)."
        ),
    ),
    # Django's WSGI handler writes each Set-Cookie as `c.output(header="")`, which begins with
    # a space (django/core/handlers/wsgi.py; its ASGI handler strips it): optional whitespace
    # in HTTP/1.1, but granian passes it into an HTTP/2 field value, which RFC 9113 section
    # 8.2.1 forbids to start with whitespace (docs/findings.md 5).
    Incompatibility(
        scenarios=(with_protocol(RESPONSE_HEAD, ClientProtocol.H2),),
        where=where(
            proxy="haproxy",
            server="granian",
            interface="wsgi",
            framework="django",
            protocol="h2c",
        ),
        versions=VersionRange(ProxyKind.HAPROXY, before="3.0"),
        parts=(Part.SERVER_SOFTWARE, Part.FRAMEWORK),
        over_every_protocol=False,
        reason=(
            "granian sends Django's WSGI Set-Cookie over h2c with the leading space Django "
            "writes (a field value RFC 9113 section 8.2.1 forbids to start with whitespace), "
            "and HAProxy 2.6 hands it to an HTTP/2 client empty: a 3,584-byte cookie arrived "
            "with 0 bytes (haproxy-granian-wsgi-django-h2c-tls, twice, nightly run of "
            "2026-12-08). HAProxy 3.0.11 passes it whole; HTTP/1.1 clients get it whole; "
            "Flask, which writes no leading space, is not concerned."
        ),
    ),
    Incompatibility(
        scenarios=(
            with_protocol(RESPONSE_HEAD, ClientProtocol.H2),
            with_protocol(RESPONSE_HEAD, ClientProtocol.H3),
            with_protocol(
                "test_forwarding.py::test_same_origin_form_post_passes_csrf", ClientProtocol.H3
            ),
            with_protocol(
                "test_tls.py::test_app_sees_https_and_marks_cookies_secure", ClientProtocol.H3
            ),
        ),
        where=where(
            proxy="caddy",
            server="granian",
            interface="wsgi",
            framework="django",
            protocol="h2c",
        ),
        parts=(Part.SERVER_SOFTWARE, Part.FRAMEWORK),
        over_every_protocol=False,
        reason=(
            "granian sends Django's WSGI Set-Cookie over h2c with the leading space Django "
            "writes (a field value RFC 9113 section 8.2.1 forbids to start with whitespace), "
            "and Caddy 2.6 passes it on: an HTTP/3 client refuses the whole answer (aioquic: "
            "`Header b'set-cookie' value starts with whitespace`), and an HTTP/2 client got a "
            "3,584-byte cookie empty. Seen on caddy-granian-wsgi-django-h2c-tls in the nightly "
            "run of 2026-12-08; HTTP/1.1 clients get the cookie whole."
        ),
    ),
    # daphne's own lack: no server argument gives it a graceful stop, so a stack file's
    # server_args keep these entries; its own image (another server) lifts them.
    Incompatibility(
        scenarios=(IN_FLIGHT,),
        where=where(server="waitress"),
        parts=(Part.SERVER_SOFTWARE,),
        reason=(
            "waitress 3.0.2 has no graceful stop: it installs no signal handler (no `signal` "
            "anywhere in the waitress package) and has no shutdown setting, so SIGTERM ends "
            "the process at once with Python's default action. Seen: the in-flight 2 s /sleep "
            "on the stopped replica got 502 from nginx (nginx-waitress-flask), the app having "
            "started it once."
        ),
    ),
    Incompatibility(
        scenarios=(WEBSOCKET_STOP,),
        where=where(server="daphne"),
        parts=(Part.SERVER_SOFTWARE,),
        reason=(
            "daphne 4.2.3 has no graceful stop: on SIGTERM Twisted's reactor stops and open "
            "WebSockets are dropped (--application-close-timeout only bounds the app's own "
            "cleanup). Seen: WebSockets closed with 1006 (no close frame)."
        ),
    ),
    Incompatibility(
        scenarios=(IN_FLIGHT,),
        where=where(server="daphne"),
        parts=(Part.SERVER_SOFTWARE,),
        reason=(
            "daphne 4.2.3 has no graceful stop: on SIGTERM Twisted's reactor stops, and an "
            "HTTP request still running may be dropped. Seen both ways: the in-flight 2 s "
            "/sleep got 502 from the proxy in some runs, and 200 from the stopped replica in "
            "others (apache-daphne-django-asgi and haproxy-daphne-django-asgi-tls, the stop "
            "sent while the request ran)."
        ),
        intermittent=True,
    ),
    Incompatibility(
        scenarios=(ROLLING_RESTART,),
        where=where(proxy="apache", server="daphne"),
        # daphne drops the request; Apache has no way to send a sent request again (nginx's
        # proxy_next_upstream error and HAProxy's retry-on empty-response do, for a GET).
        parts=(Part.SERVER_SOFTWARE, Part.PROXY_SOFTWARE),
        reason=(
            "daphne 4.2.3 has no graceful stop (above): a GET it is answering when SIGTERM "
            "comes is dropped, and Apache's mod_proxy_http never sends a request again once "
            "it went to a member, so the client gets 502. Seen: one 502 without X-Instance "
            "after 0.01 s, 0.04 s into a rolling restart of 119 GETs "
            "(apache-daphne-django-asgi, default profile, 2026-11-30)."
        ),
        intermittent=True,
    ),
    Incompatibility(
        scenarios=(IN_FLIGHT,),
        where=where(server="hypercorn"),
        # hypercorn's fault, met because our command line runs `--workers {workers}`: a
        # stack file's own command line (maybe --workers 1) or image lifts it.
        parts=(Part.SERVER_SOFTWARE, Part.SERVER_CONFIG),
        when=lambda spec: spec.workers > 1,
        reason=(
            "hypercorn 0.18 with more than one worker may abort an in-flight request on "
            "SIGTERM: the parent tells its workers to shut down gracefully, but as soon as "
            "the first has exited it terminates the rest (hypercorn/run.py: "
            "process.terminate()), and a worker started with a shutdown event has no "
            "SIGTERM handler of its own, so it dies at once. A request survives only on the "
            "worker that exits first, and which one that is varies from run to run (with "
            "--workers 1 it always finishes). Seen both ways: HAProxy log SH--, 502 after "
            "219 ms; and 200 after 2.15 s from the stopped replica "
            "(haproxy-hypercorn-django-asgi, default profile, 2026-12-03)."
        ),
        intermittent=True,
    ),
    Incompatibility(
        scenarios=(WEBSOCKET_STOP,),
        where=where(server=("hypercorn", "granian")),
        parts=(Part.SERVER_SOFTWARE,),
        reason=(
            "hypercorn 0.18 and granian 2.8.7 close open WebSockets without a 1001/1012 close "
            "frame when stopped. Seen: close codes 1011 (hypercorn) and 1006 (both)."
        ),
    ),
    Incompatibility(
        scenarios=(PAUSED_REPLICA, ROLLING_RESTART),
        where=where(proxy="apache", protocol="uwsgi"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Apache's mod_proxy_uwsgi answers a backend that stops answering with its own 500 "
            "(uwsgi_response returns HTTP_INTERNAL_SERVER_ERROR when no status line comes) and "
            "never retries the request on another member; mod_proxy_hcheck can only TCP-check "
            "uwsgi:// members, and a paused or stopping container still accepts TCP. Seen: "
            "500 without X-Instance after 5.01 s (paused), 2 x 500 after 1.1 s in a rolling "
            "restart of 164 requests."
        ),
    ),
    Incompatibility(
        scenarios=(FOREIGN_ORIGIN,),
        where=where(server="granian", interface="asgi"),
        packages=MappingProxyType({"granian": SpecifierSet("==2.8.7")}),
        parts=(Part.SERVER_SOFTWARE,),
        reason=(
            "granian 2.8.7 sometimes never answers a WebSocket handshake the app denies "
            "(websocket.close before websocket.accept; ASGI says 403): it logged "
            "`/ws/echo 101`, nginx waited its 10 s read timeout and the client timed out "
            "(nginx 499). emmett-framework/granian#818 reports the hang (closed upstream); "
            "with 2.8.7 it is intermittent. Seen on nginx-granian-asgi-django-least-conn."
        ),
        intermittent=True,
    ),
    Incompatibility(
        scenarios=(SMALL_UNCOMPRESSED,),
        where=where(proxy="haproxy"),
        # Met because our config compresses at HAProxy: a user's own config may not.
        parts=(Part.PROXY_SOFTWARE, Part.PROXY_CONFIG),
        versions=VersionRange(ProxyKind.HAPROXY, before="3.2"),
        reason=(
            "HAProxy's compression filter has no minimum size before 3.2 (`compression "
            "minsize-res`): 2.6 and 3.0 compress every answer of a listed type, and their "
            "filter decides before any http-response rule could mark a small answer "
            "no-transform. Seen: a 200-byte text/plain answer gzipped by HAProxy 2.6.12."
        ),
    ),
    Incompatibility(
        scenarios=(STREAM_GZIP,),
        where=where(proxy="haproxy"),
        parts=(Part.PROXY_SOFTWARE, Part.PROXY_CONFIG),
        reason=(
            "HAProxy's compression filter (libslz) sends a streamed chunk only once the next "
            "one arrives or the answer ends, so each line of /stream comes one interval late "
            "and two at a time; it has no flush setting, and a stream cannot be exempted by "
            "its response headers. Seen on HAProxy 2.6.12: lines at [0.61, 0.61, 1.42, 1.42, "
            "1.61] s for one every 0.4 s. Uncompressed (Accept-Encoding: identity) they arrive "
            "as sent."
        ),
        intermittent=True,
    ),
    Incompatibility(
        scenarios=(with_protocol(HEADER_LINE_OVER_LIMIT, ClientProtocol.H2),),
        where=where(proxy="nginx"),
        when=_server_takes_long_lines,
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "nginx limits an HTTP/2 field by its name and its value, each against "
            "large_client_header_buffers (ngx_http_v2_state_field_len), not by the line it "
            "becomes: a field whose HTTP/1.1 line is one byte over the declared maximum (its "
            "name, `: ` and CRLF counted) passes on to the server, which takes it. Seen on "
            "nginx 1.22.1: an 8193-byte line got 200 from uvicorn over h2, 400 over HTTP/1.1; "
            "over the uwsgi protocol too (nightly run of 2026-12-08, nginx-uwsgi-django-tls: "
            "uWSGI's buffer-size bounds all the request's variables together, no one line)."
        ),
    ),
    Incompatibility(
        scenarios=(with_protocol(HEADER_LINE_AT_LIMIT, ClientProtocol.H2),),
        where=where(proxy="apache"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Apache counts an HTTP/2 field against LimitRequestFieldSize with another "
            "overhead than an HTTP/1.1 line: with the value that makes HTTP/1.1 exact (our "
            "config's max_header_bytes - 3), a field whose line is exactly the declared "
            "maximum gets 431 from mod_http2 over h2 and 200 over HTTP/1.1, and no one value "
            "makes both exact. Seen on Apache 2.4.68 (Debian bookworm)."
        ),
    ),
    Incompatibility(
        scenarios=(
            *(
                with_protocol(case, ClientProtocol.H3)
                for case in (CHUNKED_UPLOAD, CHUNKED_AT_LIMIT, CHUNKED_OVER_LIMIT, CHUNKED_IN_BODY)
            ),
        ),
        # Both suites ship Caddy 2.6.2, built against different QUIC libraries: the entry is
        # the suite's build, not the Caddy version.
        where=where(proxy="caddy", suite="bookworm"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Caddy 2.6 over HTTP/3, as Debian bookworm builds it (Go 1.19, the old "
            "github.com/lucas-clemente/quic-go), passes a request body sent without "
            "content-length on as an empty one: its HTTP/3 server leaves such a request's "
            "length at 0, not unknown, and the reverse proxy then sends no body. Seen on Caddy "
            "2.6.2 (bookworm): 1 MiB in DATA frames, the app read 0 bytes and answered 200; the "
            "same body over HTTP/2 arrives whole. Trixie's Caddy 2.6.2 (Go 1.24, "
            "github.com/quic-go/quic-go) passes it whole (strict XPASS in the nightly run of "
            "2026-12-08 on caddy-granian-asgi-django-tls-trixie and "
            "caddy-waitress-django-tls-trixie)."
        ),
    ),
    Incompatibility(
        scenarios=(with_protocol(CONTENT_LENGTH_OVER_LIMIT, ClientProtocol.H3),),
        where=where(proxy="caddy"),
        parts=(Part.PROXY_SOFTWARE,),
        # The 413 comes first when the server is slow to read the body: with hypercorn over
        # h2c the case passed.
        intermittent=True,
        reason=(
            "Caddy 2.6 over HTTP/3 keeps Content-Length out of the request's headers (quic-go "
            "moves it into the length), so a matcher on the header never sees an announced "
            "length over the limit: the request goes to a replica, request_body's max_size "
            "ends it midway and the client gets 502, not 413. Seen on Caddy 2.6.2: "
            "`requestbody.errorWrapper.Read: HTTP 413: http: request body too large`, 502."
        ),
    ),
    Incompatibility(
        scenarios=(
            "test_websocket.py::test_upgrade_answers_101",
            "test_websocket.py::test_messages_echo_unchanged[*]",
            "test_websocket.py::test_ping_is_answered_with_pong",
            "test_websocket.py::test_idle_connection_survives_declared_idle_time",
            "test_websocket.py::test_app_close_code_reaches_client",
            "test_websocket.py::test_room_message_reaches_members_on_other_replicas",
            "test_http2.py::test_websocket_works_for_a_client_on_http2",
            "test_prefix.py::test_websocket_connects_below_the_prefix",
        ),
        where=where(proxy="haproxy", server="granian", protocol="h2c", interface="asgi"),
        parts=(Part.PROXY_CONFIG, Part.SERVER_SOFTWARE),
        reason=(
            "With `proto h2` HAProxy carries a WebSocket to the server by RFC 8441's extended "
            "CONNECT, and granian has none: it refuses the stream (RST_STREAM "
            "REFUSED_STREAM), HAProxy answers the handshake 502. Seen with HAProxy 2.6.12 and "
            "granian 2.8.7; hypercorn takes it. Send WebSocket paths to a backend without "
            "`proto h2`."
        ),
    ),
    Incompatibility(
        scenarios=(f"{TIMEOUT_STATUS}[*]",),
        where=where(proxy="caddy", protocol="h2c"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Caddy 2.6's h2c transport (`versions h2c`: Go's http2.Transport) does not apply "
            "the http transport's response_header_timeout: a reply slower than proxy_read "
            "still comes back, 200 after 4.5 s where HTTP/1.1 to the same server gives 504 "
            "at 3 s. Seen on Caddy 2.6.2 in front of granian."
        ),
    ),
    Incompatibility(
        scenarios=(with_protocol(CHUNKED_OVER_LIMIT, ClientProtocol.H2),),
        # Seen with granian, not in every run; with hypercorn over h2c the case passed.
        where=where(proxy="caddy", protocol="h2c", server="granian"),
        intermittent=True,
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Over HTTP/2 to the server, a body without content-length that request_body's "
            "max_size ends midway counts as a failure of the replica it went to (Caddy's "
            "passive health checks): the client gets its 413, but the next requests meet "
            "every replica out of rotation, 503. Seen on Caddy 2.6.2 with granian over h2c in "
            "one run of two; over HTTP/1.1 to the same server the replicas stay in."
        ),
    ),
    Incompatibility(
        scenarios=("test_http2.py::test_cookie_crumbs_reach_app_as_one_cookie_header",),
        # hypercorn joins the crumbs itself before the app sees them: the case passes there.
        where=where(proxy="caddy", protocol="h2c", server="granian"),
        parts=(Part.PROXY_SOFTWARE, Part.SERVER_SOFTWARE),
        reason=(
            "Over HTTP/2 to the server, Caddy passes cookie crumbs on as separate fields, "
            "as HTTP/2 allows, and the ASGI server hands them to the app as separate headers "
            "(ASGI keeps duplicates): Django joins them with '; ', but an app that reads the "
            "first Cookie header alone (Starlette's request.cookies) loses the others. Seen "
            "on Caddy 2.6.2 with granian 2.8.7: the app's headers held 'a=1, b=2, session=x y'."
        ),
    ),
    Incompatibility(
        scenarios=(HEADER_LINE_OVER_LIMIT,),
        where=where(proxy="caddy"),
        when=_server_takes_long_lines,
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Caddy limits the whole request head (Go's http.Server MaxHeaderBytes, the servers "
            "option max_header_size, plus 4 KiB Go adds), never one header line, so it passes "
            "on a line one byte over the declared maximum, and a server that takes longer "
            "lines answers it. Seen on Caddy 2.6.2: an 8193-byte line got 200 from uvicorn; "
            "Caddy's own 431 came only past about 37,000 bytes of head."
        ),
    ),
    Incompatibility(
        scenarios=(
            "test_security.py::test_smuggling_probe_is_refused_and_smuggles_nothing[cl-te]",
            "test_security.py::test_smuggling_probe_is_refused_and_smuggles_nothing[te-cl]",
            "test_security.py::test_smuggling_probe_is_refused_and_smuggles_nothing[te-tab]",
            "test_framing.py::test_proxied_probe_reaches_app_as_stated_or_not_at_all[te-cl]",
        ),
        where=where(proxy="caddy"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Caddy (Go's net/http server) takes a request with both Content-Length and "
            "chunked by the chunked framing, as RFC 9112 section 6.3 says, but keeps the "
            "connection open after answering, where section 6.1 says the server MUST close "
            "it: bytes after the last chunk are read as the client's next request. Seen on "
            "Caddy 2.6.2 (Debian bookworm): cl-te, te-cl and te-tab each got 200 with the "
            "connection still open 2.5 s later; the te-cl framing probe's hidden request ran."
        ),
    ),
    Incompatibility(
        scenarios=(
            "test_security.py::test_smuggling_probe_is_refused_and_smuggles_nothing"
            "[bad-chunk-size]",
        ),
        where=where(proxy="caddy"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Caddy streams a chunked body to the replica as it parses it, so a chunk size "
            "that is no number is found only after the request went upstream, and the "
            "client gets 502 Bad Gateway (an upstream error) instead of a 4xx. Seen on Caddy "
            "2.6.2: `zz` as a chunk size got 502 with the connection closed."
        ),
    ),
    Incompatibility(
        scenarios=(
            CHUNKED_UPLOAD,
            CHUNKED_AT_LIMIT,
            CHUNKED_IN_BODY,
        ),
        where=where(proxy="caddy", interface="wsgi"),
        # A WSGI app reads the body by CONTENT_LENGTH unless the server de-chunks it:
        # Django's WSGI handler always, and every app behind uWSGI's http-socket.
        # waitress reads a chunked body whole and sets CONTENT_LENGTH itself.
        when=lambda spec: (
            spec.server != ServerKind.WAITRESS
            and (spec.framework == Framework.DJANGO or spec.server == ServerKind.UWSGI)
        ),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Caddy 2.6 passes a chunked request body on chunked, without Content-Length, "
            "even with buffer_requests (it reads the body first but does not set the length; "
            "nginx and Apache send the length they buffered), so a WSGI app that reads "
            "CONTENT_LENGTH reads nothing. Seen on Caddy 2.6.2: a 1 MiB chunked POST got 200 "
            "and the app read 0 bytes (caddy-gunicorn-sync-django, caddy-uwsgi-flask-http)."
        ),
    ),
    Incompatibility(
        scenarios=(CHUNKED_OVER_LIMIT,),
        where=where(proxy="caddy", interface="wsgi"),
        # waitress reads a chunked body whole before the app runs: the cut body never reaches it.
        when=lambda spec: spec.server != ServerKind.WAITRESS,
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Caddy's request_body max_size cuts a chunked body at the limit while it already "
            "streams the request to the replica, so a WSGI server has started the request "
            "(and logged it) before the client gets 413; a body with Content-Length over the "
            "limit is refused before any replica sees it. Seen on Caddy 2.6.2: 413 for a "
            "1 MiB + 1 byte chunked body, the request in the replica's log "
            "(caddy-granian-wsgi-flask); 200 where the app read no body at all. Whether the "
            "replica has logged the request before the cut varies from run to run."
        ),
        intermittent=True,
    ),
    Incompatibility(
        scenarios=(SLOW_CLIENTS,),
        where=where(proxy="caddy"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Caddy 2.6 does not buffer answers: its buffer_responses holds every answer, "
            "streams and Server-Sent Events included, until it ends, so it cannot be on for a "
            "site that streams, and off, a client that reads nothing holds a sync worker "
            "until the server's timeout (gunicorn's deployment guide asks for a buffering "
            "proxy in front of sync workers). Seen: with 4 clients reading nothing of a "
            "48 MiB answer, GET /echo got 504 after 3.1 s (caddy-gunicorn-sync-django)."
        ),
    ),
    Incompatibility(
        scenarios=tuple(
            f"test_framing.py::test_proxied_probe_reaches_app_as_stated_or_not_at_all[{probe}]"
            for probe in (
                "chunk-size-plus",
                "chunk-size-0x",
                "chunk-bare-lf",
                "chunk-bad-terminator",
                "chunk-extension-invalid",
            )
        ),
        where=where(proxy="caddy"),
        parts=(Part.PROXY_SOFTWARE,),
        reason=(
            "Caddy sends the request head on to a replica before it has read the body, so a "
            "chunked body it finds malformed later (a `+` or `0x` in a chunk size, a bare LF, "
            "a bad terminator) is cut short on the way: Caddy logs `invalid byte in chunk "
            "length` or `malformed chunked encoding`, and whether the app runs the request "
            "with the body it got depends on the server. Seen on Caddy 2.6.2: statuses [200], "
            "the app ran 1 request and read 0 body bytes (uWSGI over HTTP; uvicorn and "
            "gunicorn's sync worker for a bare LF; waitress 1.3.1 and 2.1.0, hypercorn 0.14.4, "
            "daphne 3.0.2 and h11 0.14 for `+5`); other servers refuse the cut body."
        ),
        intermittent=True,
    ),
    Incompatibility(
        scenarios=(
            ROLLING_RESTART,
            "test_limits.py::test_proxy_does_not_reuse_upstream_connections_the_server_is_closing",
            "test_balancing.py::test_post_not_repeated_when_upstream_times_out",
        ),
        where=where(proxy="caddy"),
        parts=(Part.PROXY_SOFTWARE, Part.PROXY_CONFIG),
        reason=(
            "Seen once each on Caddy 2.6.2, not in most runs: one 502 in a rolling restart of "
            "197 requests (caddy-gunicorn-gthread-flask-tls-least-conn); GETs over upstream "
            "connections older than the idle window, which Caddy's active health checks "
            "share with requests and keep in use every second, so the scenario cannot tell "
            "reuse after idling from reuse of a busy connection; and, sticky by cookie, no "
            "POST of the scenario's tries placed on the paused replica (Caddy places a "
            "visitor without its cookie at random, not in turn)."
        ),
        intermittent=True,
    ),
    Incompatibility(
        scenarios=(
            "test_forwarding.py::test_forwarded_headers_are_applied_by_the_declared_layer_only",
        ),
        where=where(server="uwsgi", protocol="http"),
        # Over plain HTTP the scheme it applies is the one it had.
        when=lambda spec: spec.tls and spec.trust == Trust.APP,
        parts=(Part.SERVER_SOFTWARE,),
        reason=(
            "uWSGI's http-socket sets the scheme itself from X-Forwarded-Proto (and "
            "X-Forwarded-Ssl), from any peer, with no setting to trust none: behind a TLS "
            "proxy the server layer already says https where the stack declares the app "
            "layer. Seen on uWSGI 2.0.30 (pyuwsgi), straight to a replica: `X-Forwarded-Proto: "
            "https` and `X-Forwarded-Ssl: on` each gave wsgi.url_scheme https, none gave http; "
            "through nginx, HAProxy and Caddy alike (*-uwsgi-flask-http-tls)."
        ),
    ),
)


def known_incompatibilities(spec: StackSpec, scenario: str) -> list[Incompatibility]:
    """The entries that expect this scenario to fail on this stack, as it runs: none whose
    cause the stack file replaced, none outside its version range."""
    return [entry for entry in KNOWN if entry.matches(spec, scenario)]
