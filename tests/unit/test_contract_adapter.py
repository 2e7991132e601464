"""harness_contract: the contract's routes under the prefix on a user's own app, without
Docker. WSGI through wsgiref's request builder, ASGI through a hand-driven scope."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from wsgiref.util import setup_testing_defaults

from harness_contract.asgi import ContractMiddleware as AsgiContract
from harness_contract.core import SEEN, below_prefix
from harness_contract.wsgi import ContractMiddleware as WsgiContract


def own_wsgi_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"my own page"]


def call_wsgi(path, method="GET", body=b"", query="", headers=None):
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "QUERY_STRING": query,
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:8080",
        "REMOTE_ADDR": "172.18.0.5",
        **(headers or {}),
    }
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, response_headers):
        seen["status"], seen["headers"] = status, dict(response_headers)

    body_out = b"".join(WsgiContract(own_wsgi_app)(environ, start_response))
    return seen["status"], seen["headers"], body_out


def test_prefix_matching_is_by_whole_segments():
    assert below_prefix("/_harness/echo") == "/echo"
    assert below_prefix("/_harness") == "/"
    assert below_prefix("/_harnessing/echo") is None
    assert below_prefix("/echo") is None


def test_wsgi_passes_the_apps_own_routes_through():
    status, _, body = call_wsgi("/")
    assert (status, body) == ("200 OK", b"my own page")


def test_wsgi_echo_reports_the_request_below_the_prefix():
    status, headers, body = call_wsgi("/_harness/echo/a b", method="PUT", query="x=1&y=")
    seen = json.loads(body)
    assert status == "200 OK" and headers["Content-Type"] == "application/json"
    assert (seen["method"], seen["path"], seen["args"]) == (
        "PUT",
        "/echo/a b",
        {"x": ["1"], "y": [""]},
    )
    assert seen["script_name"] == "/_harness" and seen["remote_addr"] == "172.18.0.5"
    assert seen["server_view"] == {
        "remote_addr": "172.18.0.5", "scheme": "http", "host_header": "127.0.0.1:8080"
    }  # fmt: skip


def test_wsgi_upload_digests_the_body_and_redirect_is_absolute():
    body = b"x" * 100_000
    _, _, answer = call_wsgi("/_harness/upload", method="POST", body=body)
    assert json.loads(answer) == {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    status, headers, _ = call_wsgi("/_harness/redirect")
    assert status == "302 Found"
    assert headers["Location"] == "http://127.0.0.1:8080/_harness/echo?redirected=1"


def test_wsgi_records_every_request_for_seen():
    call_wsgi("/_harness/echo/marker-42", method="DELETE")
    _, _, body = call_wsgi("/_harness/seen", query="limit=5")
    entries = json.loads(body)["requests"]
    assert {"method": "DELETE", "path": "/_harness/echo/marker-42"}.items() <= entries[1].items()
    assert SEEN.newest(1)[0]["path"] == "/_harness/seen"


def test_unknown_contract_route_is_404_naming_it():
    status, _, body = call_wsgi("/_harness/counter")
    assert status == "404 Not Found" and b"'/counter'" in body


def test_asgi_answers_the_contract_and_passes_the_rest():
    async def own_asgi_app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"own"})

    async def call(path):
        sent = []
        messages = [{"type": "http.request", "body": b"abc", "more_body": False}]

        async def receive():
            return messages.pop(0)

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http", "method": "POST", "path": path, "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8080")], "scheme": "https",
            "client": ("172.18.0.9", 5555), "server": ("app-1", 8000),
        }  # fmt: skip
        await AsgiContract(own_asgi_app)(scope, receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    assert asyncio.run(call("/")) == (200, b"own")
    status, body = asyncio.run(call("/_harness/echo"))
    seen = json.loads(body)
    assert status == 200 and seen["scheme"] == "https" and seen["is_secure"] is True
    assert (seen["body_length"], seen["remote_addr"]) == (3, "172.18.0.9")
