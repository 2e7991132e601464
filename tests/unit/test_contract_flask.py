"""harness_contract.flask: the contract's routes under the prefix on a user's own Flask app,
through Flask's test client, answering as the WSGI middleware does (same shared handlers)."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import time

import pytest
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import Client

from harness_contract.flask import contract_blueprint
from harness_contract.wsgi import ContractMiddleware

ENVIRON = {"REMOTE_ADDR": "172.18.0.5", "HTTP_USER_AGENT": "probe/1"}
INSTANCE = "app-4"


@pytest.fixture(autouse=True)
def _replica_id(monkeypatch):
    monkeypatch.setenv("HARNESS_INSTANCE", INSTANCE)


@pytest.fixture
def app():
    app = Flask("users_app")

    @app.get("/")
    def own_page():
        return "my own page"

    app.register_blueprint(contract_blueprint())
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_flask_passes_the_apps_own_routes_through(client):
    response = client.get("/")
    assert (response.status_code, response.data) == (200, b"my own page")


def test_flask_echo_reports_the_request_below_the_prefix(client):
    response = client.put(
        "/_harness/echo/a b?x=1&y=", base_url="http://127.0.0.1:8080", environ_base=ENVIRON
    )
    seen = response.get_json()
    assert response.status_code == 200 and response.content_type == "application/json"
    assert (seen["method"], seen["path"], seen["args"]) == (
        "PUT",
        "/echo/a b",
        {"x": ["1"], "y": [""]},
    )
    assert (seen["framework"], seen["script_name"], seen["remote_addr"]) == (
        "flask", "/_harness", "172.18.0.5"
    )  # fmt: skip
    assert seen["server_view"] == {
        "remote_addr": "172.18.0.5", "scheme": "http", "host_header": "127.0.0.1:8080"
    }  # fmt: skip


def test_flask_echo_answers_any_method_including_options_and_head(client):
    assert client.options("/_harness/echo").get_json()["method"] == "OPTIONS"
    head = client.head("/_harness/echo")
    assert head.status_code == 200 and head.data == b"" and int(head.content_length) > 0


def test_flask_upload_digests_the_body_and_redirect_is_absolute(client):
    body = b"x" * 100_000
    answer = client.post("/_harness/upload", data=body).get_json()
    assert answer == {
        "size": len(body), "sha256": hashlib.sha256(body).hexdigest(), "instance": INSTANCE
    }  # fmt: skip
    redirect = client.get("/_harness/redirect", base_url="https://shop.example:8443")
    assert redirect.status_code == 302
    assert redirect.location == "https://shop.example:8443/_harness/echo?redirected=1"


def test_flask_echo_shows_proxyfix_and_keeps_the_servers_own_view(app):
    """The framework view is what ProxyFix made of X-Forwarded-*; the server view is not."""
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "shop.example"}  # fmt: skip
    client = app.test_client()
    response = client.get(
        "/_harness/echo", headers=forwarded, base_url="http://app-1:8000", environ_base=ENVIRON
    )
    seen = response.get_json()
    assert (seen["remote_addr"], seen["scheme"], seen["host"]) == (
        "203.0.113.7", "https", "shop.example"
    )  # fmt: skip
    assert seen["is_secure"] is True and seen["url"] == "https://shop.example/_harness/echo"
    assert seen["server_view"] == {
        "remote_addr": "172.18.0.5", "scheme": "http", "host_header": "app-1:8000"
    }  # fmt: skip


def test_flask_records_every_request_of_the_app_for_seen(client):
    """Every request of the app, not only the contract's, but /health and /seen below the
    prefix (probes and reads of the log would drown it)."""
    client.get("/?marker=1")
    client.delete("/_harness/echo/marker-42")
    client.get("/_harness/health")
    entries = client.get("/_harness/seen?limit=5").get_json()["requests"]
    paths = [(entry["method"], entry["path"], entry["query"]) for entry in entries[:2]]
    assert paths == [("DELETE", "/_harness/echo/marker-42", ""), ("GET", "/", "marker=1")]
    assert {entry["instance"] for entry in entries[:2]} == {INSTANCE}


def test_flask_names_the_replica_on_every_answer_below_the_prefix(app):
    """X-Instance on the contract's answers and on Flask's own there (a Host refused by
    TRUSTED_HOSTS), not on the app's own pages."""
    app.config["TRUSTED_HOSTS"] = ["localhost"]
    client = app.test_client()
    refused = client.get("/_harness/echo", base_url="http://evil.example")
    missing = client.get("/_harness/nothing", base_url="http://localhost")
    own = client.get("/", base_url="http://localhost")
    assert (refused.status_code, refused.headers.get("X-Instance")) == (400, INSTANCE)
    assert (missing.status_code, missing.headers.get("X-Instance")) == (404, INSTANCE)
    assert (own.status_code, own.headers.get("X-Instance")) == (200, None)


@pytest.mark.parametrize("path", ["/_harness/stream", "/_harness/sse"])
def test_flask_streams_each_piece_when_it_is_made(client, path):
    """A streamed Response: the server gets the pieces one by one, the first at once."""
    started = time.monotonic()
    response = client.get(f"{path}?count=2&interval_ms=250", buffered=False)
    arrivals = [(time.monotonic() - started, piece) for piece in response.response]
    response.close()
    assert response.status_code == 200 and "Content-Length" not in response.headers
    assert response.headers["X-Accel-Buffering"] == "no" and len(arrivals) == 2
    assert arrivals[0][0] < 0.15 and arrivals[1][0] - arrivals[0][0] >= 0.245, arrivals


def test_flask_sse_is_an_uncached_event_stream(client):
    response = client.get("/_harness/sse?count=2&interval_ms=0")
    assert response.headers["Content-Type"] == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.data.decode().startswith("id: 0\ndata: {")
    head = client.head("/_harness/sse?interval_ms=5000")
    assert (head.status_code, head.data) == (200, b"")


def test_flask_caching_routes_and_archive(client):
    first, second = (client.get("/_harness/cacheable?m=1") for _ in range(2))
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.get_json()["token"] != second.get_json()["token"]
    cookie = client.get("/_harness/with-cookie", base_url="https://localhost")
    token = cookie.get_json()["token"]
    assert cookie.headers["Set-Cookie"].startswith(f"cache_probe={token}; Path=/; HttpOnly")
    assert cookie.headers["Set-Cookie"].endswith("; Secure")
    vary = client.get("/_harness/vary", headers={"Accept-Language": "fr"})
    assert (vary.headers["Vary"], vary.get_json()["variant"]) == ("Accept-Language", "fr")
    archive = client.get("/_harness/archive?n=5000")
    assert archive.content_type == "application/gzip" and len(gzip.decompress(archive.data)) == 5000


def test_flask_form_checks_the_origin_flask_believes_behind_proxyfix(app):
    """/form's CSRF check uses the scheme and host ProxyFix gave Flask: the site's public
    origin passes, the server's own (http, the replica's name) does not."""
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example:8443"}
    client = app.test_client()
    token = client.get("/_harness/form", headers=forwarded, base_url="http://app-1:8000")
    token = token.get_json()["token"]
    client.set_cookie("csrftoken", token, domain="app-1")
    for origin, status in [("https://shop.example:8443", 200), ("http://app-1:8000", 403)]:
        sent = {**forwarded, "Origin": origin, "X-CSRFToken": token}
        posted = client.post("/_harness/form", headers=sent, base_url="http://app-1:8000")
        assert posted.status_code == status, (origin, posted.get_json())


def test_flask_headers_and_unknown_route_answer_as_the_wsgi_middleware(client):
    headers = client.get("/_harness/headers?size=10", base_url="https://127.0.0.1")
    assert headers.headers["X-Large"] == "a" * 10 and "Secure" in headers.headers["Set-Cookie"]
    missing = client.get("/_harness/counter")
    assert missing.status_code == 404 and b"'/counter'" in missing.data


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/health"), ("POST", "/upload"), ("GET", "/bytes?n=3000"), ("GET", "/sleep?ms=1"),
     ("GET", "/headers?size=50"), ("GET", "/redirect"), ("PATCH", "/echo/x?q=%C3%A9"),
     ("GET", "/nothing-here"), ("GET", "/cookie"), ("GET", "/bytes?n=x"),
     ("POST", "/stream"), ("GET", "/form")],
)  # fmt: skip
def test_flask_answers_as_the_wsgi_middleware_does(client, method, path):
    """Same request, same status, headers and body; /echo differs only in its framework."""
    wsgi = Client(ContractMiddleware(lambda environ, start_response: []))
    answers = [
        c.open("/_harness" + path, method=method, data=b"body", environ_base=ENVIRON)
        for c in (client, wsgi)
    ]
    flask, middleware = answers
    assert flask.status_code == middleware.status_code
    assert _compared(flask, path) == _compared(middleware, path)
    if path.startswith("/echo"):
        flask_seen, middleware_seen = flask.get_json(), middleware.get_json()
        assert (flask_seen.pop("framework"), middleware_seen.pop("framework")) == ("flask", "wsgi")
        assert flask_seen == middleware_seen


COMPARED = ("Content-Type", "Content-Length", "Location", "X-Large", "Set-Cookie", "X-Instance",
            "Allow")  # fmt: skip


def _compared(response, path):
    """The headers and body to compare: /echo's body and length differ by its framework
    ("flask", "wsgi"), /form's token is fresh on every answer."""
    headers = {name: response.headers.get(name) for name in COMPARED}
    if path.startswith("/echo"):
        return headers | {"Content-Length": None}
    compared = json.dumps(headers).encode() + response.data
    if path == "/form":
        compared = compared.replace(response.get_json()["token"].encode(), b"<token>")
    return compared


def test_a_prefix_of_your_own_and_the_bare_prefix(app):
    app.register_blueprint(contract_blueprint("/ops/contract", name="second"))
    client = app.test_client()
    assert client.get("/ops/contract/health").data == b"ok"
    bare = client.get("/_harness")
    assert bare.status_code == 404 and json.loads(bare.data)["error"].startswith("no contract")


def test_the_package_imports_without_any_framework():
    """harness_contract stays importable where Flask, Django and Channels are absent: only
    the module of each framework needs it."""
    script = (
        "import sys\n"
        "for name in ('flask', 'django', 'channels', 'werkzeug'):\n    sys.modules[name] = None\n"
        "import harness_contract, harness_contract.core, harness_contract.wsgi\n"
        "import harness_contract.asgi, harness_contract.websocket\n"
        "for name in ('flask', 'django', 'channels'):\n"
        "    try:\n        __import__(f'harness_contract.{name}')\n"
        "    except ImportError:\n        print('needs', name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == ["needs flask", "needs django", "needs channels"]


@pytest.mark.parametrize("framing", ["content-length", "no-length"])
def test_a_body_at_the_apps_own_limit_reaches_the_contract_as_it_reaches_the_app(framing):
    """MAX_CONTENT_LENGTH holds for the contract's routes as for the app's own: a body of
    exactly the limit is read whole, one byte more is 413, under a server that marks its
    input terminated (gunicorn) too."""
    import io

    from flask import Flask

    app = Flask(__name__)
    limit = 100_000  # more than one 64 KiB read
    app.config["MAX_CONTENT_LENGTH"] = limit
    app.register_blueprint(contract_blueprint())
    client = app.test_client()
    terminated = {"wsgi.input_terminated": True}
    for size, status in ((limit, 200), (limit + 1, 413)):
        body = b"x" * size
        sent = {"data": body} if framing == "content-length" else {
            "input_stream": io.BytesIO(body)}  # fmt: skip
        response = client.post("/_harness/upload", environ_base=terminated, **sent)
        assert response.status_code == status, (size, response.data[:120])
