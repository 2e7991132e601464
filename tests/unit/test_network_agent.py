"""The stack's network agent (harness/run/network_probe.py) and the host's side of it
(harness/run/agent.py), run here on 127.0.0.1 against a local server: the requests a stack
makes of it, its start-up, and the errors it names."""

from __future__ import annotations

import base64
import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from harness.errors import StackError
from harness.run import network_probe
from harness.run.agent import ask_agent
from harness.run.stack import free_port


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def replica() -> Iterator[int]:
    """A server answering /health with 200, as a replica does; its port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


class AgentStack:
    """What ask_agent needs of a stack: its id and the agent's port."""

    id = "nginx-gunicorn-gthread-flask"

    def __init__(self, port: int) -> None:
        self.port = port

    def agent_port(self) -> int:
        return self.port


def start_agent(port: int) -> None:
    threading.Thread(target=network_probe.serve, args=(port,), daemon=True).start()


@pytest.fixture
def agent() -> AgentStack:
    port = free_port()
    start_agent(port)
    return AgentStack(port)


def test_ready_request_answers_each_target_by_name(agent, replica):
    request = {"op": "ready", "patience": 1.0, "health_path": "/health", "wanted": "200",
               "targets": [f"127.0.0.1:{replica}:http"]}  # fmt: skip
    seen = ask_agent(agent, request, timeout=5)  # type: ignore[arg-type]
    assert network_probe.answered(seen["127.0.0.1"]), seen


def test_direct_request_sends_the_bytes_and_returns_the_answer(agent, replica):
    probe = b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n"
    request = {"op": "direct", "host": "127.0.0.1", "port": replica, "deadline": 3,
               "idle": 0.3, "probe": base64.b64encode(probe).decode()}  # fmt: skip
    result = ask_agent(agent, request, timeout=5)  # type: ignore[arg-type]
    assert result["error"] is None and result["closed"], result
    assert base64.b64decode(result["raw"]).startswith(b"HTTP/1.0 200"), result


@pytest.fixture
def answers_held_bytes_at_end_of_input() -> Iterator[int]:
    """A server that answers the first request at once and keeps the connection open, and
    answers what else it read with it only once the client's input ends (gunicorn 21's
    gthread worker with a pipelined request); its port."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
            while connection.recv(65536):
                pass
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhidden")

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def test_direct_request_half_closes_a_connection_left_open_and_reads_on(
    agent, answers_held_bytes_at_end_of_input
):
    """The second answer comes only after the end of input; a reader that stopped at the idle
    gap and closed would miss it (and the app's /seen read right after, what it ran)."""
    probe = b"POST /echo HTTP/1.1\r\nHost: x\r\n\r\nGET /hidden HTTP/1.1\r\nHost: x\r\n\r\n"
    request = {"op": "direct", "host": "127.0.0.1", "port": answers_held_bytes_at_end_of_input,
               "deadline": 3, "idle": 0.2, "probe": base64.b64encode(probe).decode()}  # fmt: skip
    result = ask_agent(agent, request, timeout=5)  # type: ignore[arg-type]
    raw = base64.b64decode(result["raw"])
    assert result["error"] is None and not result["closed"], result
    assert raw.endswith(b"hidden") and raw.count(b"HTTP/1.1 200") == 2, raw


def test_an_agent_still_starting_is_waited_for(replica):
    """Until it listens, Docker's proxy on the published port refuses or closes at once."""
    port = free_port()
    threading.Timer(0.3, start_agent, args=(port,)).start()
    request = {"op": "ready", "patience": 0.5, "health_path": "/health", "wanted": "200",
               "targets": [f"127.0.0.1:{replica}:http"]}  # fmt: skip
    seen = ask_agent(AgentStack(port), request, timeout=5)  # type: ignore[arg-type]
    assert network_probe.answered(seen["127.0.0.1"]), seen


def test_a_bad_request_is_named(agent):
    with pytest.raises(StackError, match=r"stack nginx-gunicorn-gthread-flask: the network "
                       r"agent: unknown op 'dance'"):  # fmt: skip
        ask_agent(agent, {"op": "dance"}, timeout=5)  # type: ignore[arg-type]


def test_no_agent_at_all_is_named(monkeypatch):
    monkeypatch.setattr("harness.run.agent._START_PATIENCE", 0.2)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(StackError, match=r"service redis \(network agent on 127\.0\.0\.1:\d+\): "
                       r"no answer to 'ready': ConnectionRefusedError"):  # fmt: skip
        ask_agent(AgentStack(port), {"op": "ready"}, timeout=1)  # type: ignore[arg-type]


def test_a_uwsgi_replica_is_asked_for_its_health_in_its_own_protocol():
    """A uWSGI server accepts connections before its app is loaded: the probe asks GET
    /health in uwsgi's packet format (the variables a proxy's uwsgi_pass sends)."""
    packet = network_probe.uwsgi_request("/health")
    modifier1, size, modifier2 = packet[0], int.from_bytes(packet[1:3], "little"), packet[3]
    assert (modifier1, modifier2, size) == (0, 0, len(packet) - 4)
    variables, at = {}, 4
    while at < len(packet):
        key_size = int.from_bytes(packet[at : at + 2], "little")
        key = packet[at + 2 : at + 2 + key_size].decode()
        at += 2 + key_size
        value_size = int.from_bytes(packet[at : at + 2], "little")
        variables[key] = packet[at + 2 : at + 2 + value_size].decode()
        at += 2 + value_size
    assert variables["REQUEST_METHOD"] == "GET" and variables["PATH_INFO"] == "/health"
    assert variables["HTTP_HOST"] == "localhost"


class _KeptAlive(_Health):
    """HTTP/1.1 with keep-alive; an idle connection is closed after `timeout` seconds."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def _keeping_for(seconds: float) -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (_KeptAlive,), {"timeout": seconds})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize(("keeps", "idle", "closed"), [(3.0, 0.3, False), (0.3, 1.5, True)])
def test_kept_request_says_whether_the_idle_connection_outlived_the_wait(
    agent, keeps, idle, closed
):
    """Either side of the server's keep-alive: kept, the second answer comes on the same
    connection; closed sooner, when the server closed it."""
    server = _keeping_for(keeps)
    request = {"op": "kept", "host": "127.0.0.1", "port": server.server_address[1],
               "request": base64.b64encode(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").decode(),
               "idle": idle, "deadline": 3}  # fmt: skip
    try:
        seen = ask_agent(agent, request, timeout=10)  # type: ignore[arg-type]
    finally:
        server.shutdown()
    assert seen["error"] is None and seen["first"].startswith("HTTP/1.1 200"), seen
    if closed:
        assert seen["second"] == "" and 0.2 < seen["closed_after"] < 1.0, seen
    else:
        assert seen["closed_after"] is None and seen["second"].startswith("HTTP/1.1 200"), seen
