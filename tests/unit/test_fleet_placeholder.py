"""The placeholder that holds a moved replica's old address answers what the replica spoke:
HTTP, or uWSGI's protocol (uwsgi_pass, mod_proxy_uwsgi). Were it HTTP only, a proxy passing
uWSGI packets would find a dead address there, and the re-resolution scenario would wait its
whole window instead of failing as soon as the proxy sends to the old address."""

from __future__ import annotations

import socket
import struct
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from harness.run.fleet import PLACEHOLDER_INSTANCE, placeholder_command

HOST = "127.0.0.1"


@pytest.fixture
def placeholder() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(placeholder_command(HOST, port))
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "no placeholder"
            time.sleep(0.02)  # sleep-ok: polling interval of a deadline-bound wait
    yield port
    process.kill()
    process.wait(timeout=10)


def uwsgi_answer(port: int, path: bytes) -> list[bytes]:
    """Status line and headers of the answer to a uWSGI packet for GET `path`."""

    def pair(key: bytes, value: bytes) -> bytes:
        return struct.pack("<H", len(key)) + key + struct.pack("<H", len(value)) + value

    variables = pair(b"REQUEST_METHOD", b"GET") + pair(b"PATH_INFO", path)
    with socket.create_connection((HOST, port), timeout=5) as connection:
        connection.sendall(struct.pack("<BHB", 0, len(variables), 0) + variables)
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    return answer.split(b"\r\n\r\n")[0].split(b"\r\n")


@pytest.mark.parametrize(("path", "status"), [("/echo", 503), ("/health", 200)])
def test_placeholder_answers_http_and_uwsgi_as_the_old_address(placeholder, path, status):
    http = httpx.get(f"http://{HOST}:{placeholder}{path}", timeout=5)
    assert (http.status_code, http.headers.get("x-instance")) == (status, PLACEHOLDER_INSTANCE)
    head = uwsgi_answer(placeholder, path.encode())
    assert head[0].startswith(f"HTTP/1.1 {status} ".encode()), head
    assert f"X-Instance: {PLACEHOLDER_INSTANCE}".encode() in head, head
