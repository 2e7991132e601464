"""harness_contract.flask: the contract's routes under the prefix on a user's own Flask app,
through Flask's test client, answering as the WSGI middleware does (same shared handlers)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import Client

from harness_contract.flask import contract_blueprint
from harness_contract.wsgi import ContractMiddleware

ENVIRON = {"REMOTE_ADDR": "172.18.0.5", "HTTP_USER_AGENT": "probe/1"}


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
    assert answer == {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
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
    client.get("/?marker=1")
    client.delete("/_harness/echo/marker-42")
    entries = client.get("/_harness/seen?limit=5").get_json()["requests"]
    paths = [(entry["method"], entry["path"]) for entry in entries[:3]]
    assert paths == [
        ("GET", "/_harness/seen"),
        ("DELETE", "/_harness/echo/marker-42"),
        ("GET", "/"),
    ]


def test_flask_headers_and_unknown_route_answer_as_the_wsgi_middleware(client):
    headers = client.get("/_harness/headers?size=10", base_url="https://127.0.0.1")
    assert headers.headers["X-Large"] == "a" * 10 and "Secure" in headers.headers["Set-Cookie"]
    missing = client.get("/_harness/counter")
    assert missing.status_code == 404 and b"'/counter'" in missing.data


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/health"), ("POST", "/upload"), ("GET", "/bytes?n=3000"), ("GET", "/sleep?ms=1"),
     ("GET", "/headers?size=50"), ("GET", "/redirect"), ("PATCH", "/echo/x?q=%C3%A9"),
     ("GET", "/nothing-here")],
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
    for header in ("Content-Type", "Content-Length", "Location", "X-Large", "Set-Cookie"):
        if header != "Content-Length" or not path.startswith("/echo"):  # "flask" vs "wsgi"
            assert flask.headers.get(header) == middleware.headers.get(header), header
    if path.startswith("/echo"):
        flask_seen, middleware_seen = flask.get_json(), middleware.get_json()
        assert (flask_seen.pop("framework"), middleware_seen.pop("framework")) == ("flask", "wsgi")
        assert flask_seen == middleware_seen
    else:
        assert flask.data == middleware.data


def test_a_prefix_of_your_own_and_the_bare_prefix(app):
    app.register_blueprint(contract_blueprint("/ops/contract", name="second"))
    client = app.test_client()
    assert client.get("/ops/contract/health").data == b"ok"
    bare = client.get("/_harness")
    assert bare.status_code == 404 and json.loads(bare.data)["error"].startswith("no contract")


def test_the_package_imports_without_flask():
    """harness_contract stays importable where Flask is absent: only .flask needs it."""
    script = (
        "import sys; sys.modules['flask'] = None\n"
        "import harness_contract, harness_contract.core, harness_contract.wsgi\n"
        "import harness_contract.asgi\n"
        "try:\n    import harness_contract.flask\nexcept ImportError:\n    print('needs flask')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout.strip()) == (0, "needs flask"), result.stderr
