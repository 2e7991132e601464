"""Where a server listens, made 0.0.0.0:8000: the address the proxy reaches a replica at.

Each server names its address its own way (gunicorn `--bind`, uvicorn `--host`/`--port`,
waitress `--listen=`); most default to 127.0.0.1, which the proxy, in another container,
cannot reach. The options that set the address are replaced by one that listens on
0.0.0.0:8000, inserted right after the server's name (waitress-serve reads options only
before its app argument).
"""

from __future__ import annotations

from collections.abc import Callable

from harness.commands.init.command import LISTEN, option_values, without_options
from harness.spec.model import APP_PORT, ServerKind

_EVERYWHERE = ("0.0.0.0", "", "[::]", "::")
_UWSGI_SOCKETS = ("--http", "--http-socket", "--socket", "--uwsgi-socket", "-s")

Rebind = Callable[[list[str], str | None], tuple[list[str], str | None]]


def listens_here(address: str) -> bool:
    """Whether `host:port` is port 8000 on every interface (`0.0.0.0:8000`, `:8000`)."""
    host, _, port = address.rpartition(":")
    return port == str(APP_PORT) and host in _EVERYWHERE


def rebound(
    server: ServerKind, words: list[str], config_bind: str | None
) -> tuple[list[str], str | None]:
    """The server's words (its name first) listening on 0.0.0.0:8000, and what changed, in
    words for the comment (None: it already did). `config_bind` is the address its config
    file sets, if a literal there."""
    return _REBIND[server](words, config_bind)


def _host_and_port(
    host_flags: tuple[str, ...], port_flags: tuple[str, ...], dropped: tuple[str, ...]
) -> Rebind:
    def rebind(words: list[str], config_bind: str | None) -> tuple[list[str], str | None]:
        hosts, ports = option_values(words, host_flags), option_values(words, port_flags)
        if hosts[-1:] == ["0.0.0.0"] and ports[-1:] in ([], [str(APP_PORT)]):
            return words, None  # each of these servers' default port is 8000
        shown = [f"{host_flags[-1]} {h}" for h in hosts] + [f"{port_flags[-1]} {p}" for p in ports]
        given = " ".join(shown) or "none: the default 127.0.0.1, unreachable from the proxy"
        kept = without_options(words, host_flags + port_flags + dropped)
        new = [kept[0], host_flags[-1], "0.0.0.0", port_flags[-1], str(APP_PORT), *kept[1:]]
        return new, f"listens on {LISTEN} (given: {given})"

    return rebind


def _bind(words: list[str], config_bind: str | None) -> tuple[list[str], str | None]:
    """gunicorn and hypercorn: `--bind host:port`, the command line over the config file."""
    given = option_values(words, ("-b", "--bind"))
    if given and all(listens_here(address) for address in given):
        return words, None
    if not given and config_bind is not None and listens_here(config_bind):
        return words, None
    kept = without_options(words, ("-b", "--bind"))
    what = f"--bind {' '.join(given)}" if given else f"its config's bind {config_bind}"
    if not given and config_bind is None:
        what = "no bind, the default 127.0.0.1:8000, unreachable from the proxy"
    return [kept[0], "--bind", LISTEN, *kept[1:]], f"listens on {LISTEN} (was: {what})"


def _waitress(words: list[str], config_bind: str | None) -> tuple[list[str], str | None]:
    flags = ("--listen", "--host", "--port", "--unix-socket")
    if option_values(words, flags) == [LISTEN]:
        return words, None
    kept = without_options(words, flags)
    given = " ".join(option_values(words, flags)) or "none: waitress's default is port 8080"
    return [kept[0], f"--listen={LISTEN}", *kept[1:]], f"listens on {LISTEN} (given: {given})"


def _uwsgi(words: list[str], config_bind: str | None) -> tuple[list[str], str | None]:
    """uWSGI keeps the kind of socket given (HTTP or its own protocol), on port 8000; with
    none on its command line, its ini file's stands (checked beside the proxy's)."""
    sockets = [w for w in _UWSGI_SOCKETS if option_values(words, (w,))]
    if not sockets:
        return words, None
    values = option_values(words, tuple(sockets))
    if all(listens_here(v) for v in values):
        return words, None
    kept = without_options(words, _UWSGI_SOCKETS)
    new = [kept[0], sockets[0], f":{APP_PORT}", *kept[1:]]
    return new, f"listens on :{APP_PORT} (given: {sockets[0]} {' '.join(values)})"


_REBIND: dict[ServerKind, Rebind] = {
    ServerKind.GUNICORN: _bind,
    ServerKind.HYPERCORN: _bind,
    ServerKind.UVICORN: _host_and_port(("--host",), ("--port",), ("--uds", "--fd")),
    ServerKind.GRANIAN: _host_and_port(("--host",), ("--port",), ("--uds",)),
    ServerKind.DAPHNE: _host_and_port(
        ("-b", "--bind"), ("-p", "--port"), ("-u", "--unix-socket", "-e", "--endpoint", "--fd")
    ),
    ServerKind.WAITRESS: _waitress,
    ServerKind.UWSGI: _uwsgi,
}
