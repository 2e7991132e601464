"""WSGI middleware: the contract's routes under the prefix, everything else to your app.

    from harness_contract.wsgi import ContractMiddleware
    application = ContractMiddleware(application)

It sees the request as the server gave it (after any WSGI middleware inside it, before any
outside it), so /echo's framework view and server view are the same here; use the Django app
(harness_contract.django) to see what Django makes of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from harness_contract.core import PREFIX, SEEN, RequestView, answer, below_prefix, read_chunks
from harness_contract.seen import recorded

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def _text(value: str) -> str:
    """WSGI strings are latin-1 decoded bytes; the contract reports UTF-8 text."""
    return value.encode("latin-1").decode("utf-8", errors="replace")


def _host(environ: Environ) -> str:
    return str(environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}")


def view_of(environ: Environ, path: str, framework: str = "wsgi") -> RequestView:
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    query = str(environ.get("QUERY_STRING", ""))
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    server = {
        "remote_addr": environ.get("REMOTE_ADDR"),
        "scheme": scheme,
        "host_header": environ.get("HTTP_HOST"),
    }
    headers = {
        key[5:].replace("_", "-").title(): _text(str(value))
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").title()] = str(environ[key])
    url = f"{scheme}://{_host(environ)}{quote(environ.get('SCRIPT_NAME', '') + PREFIX + path)}"
    return RequestView(
        method=str(environ["REQUEST_METHOD"]),
        path=_text(path),
        raw_path=raw.split("?", 1)[0],
        query_string=_text(query),
        headers=headers,
        remote_addr=environ.get("REMOTE_ADDR"),
        scheme=scheme,
        is_secure=scheme == "https",
        host=_host(environ),
        url=url + (f"?{query}" if query else ""),
        script_name=str(environ.get("SCRIPT_NAME", "")) + PREFIX,
        server_view=server,
        framework=framework,
    )


class ContractMiddleware:
    """Answers the contract below `prefix`; passes every other request to `app`.

    /stream and /sse return an iterator that yields each piece when it is made, without a
    Content-Length: the server sends them chunked, one by one."""

    def __init__(self, app: WsgiApp, prefix: str = PREFIX) -> None:
        self.app, self.prefix = app, prefix

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if recorded(path, self.prefix):
            query = _text(str(environ.get("QUERY_STRING", "")))
            SEEN.record(str(environ.get("REQUEST_METHOD")), _text(path), query)
        below = below_prefix(path, self.prefix)
        if below is None:
            return self.app(environ, start_response)
        view = view_of(environ, below)

        def absolute(target: str) -> str:
            return (
                f"{view.scheme}://{view.host}{environ.get('SCRIPT_NAME', '')}{self.prefix}{target}"
            )

        result = answer(view, lambda: read_chunks(environ["wsgi.input"].read), absolute)
        start_response(f"{result.status} {_reason(result.status)}", result.head())
        if environ["REQUEST_METHOD"] == "HEAD":
            return []
        return [result.body] if result.stream is None else iter(result.stream)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
