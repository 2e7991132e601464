"""The expected values an nginx.conf decides, read with crossplane (nginx's own grammar).

Each value is the one nginx applies to the scenarios' requests: the `server` the client
reaches (the one listening on 443 on a TLS stack, else on 80), its `location` with the longest
prefix matching the path the requests start with, and nginx's inheritance (location, then
server, then http), else nginx's documented default. Only the file itself is read (`include`d
files are not followed: they usually hold mime types and snippets, not these directives).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import crossplane

from harness.parts.expectation import UNLIMITED, Expectation, Reading

Block = list[dict[str, Any]]

_SIZE = re.compile(r"^(\d+)([kKmMgG]?)$")
_TIME = re.compile(r"(\d+)(ms|s|m|h|d|w|M|y)?")
_TIME_UNITS = {
    "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000,
    "y": 31536000, "": 1,
}  # fmt: skip
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}

# directive -> (expectation, default as nginx documents it, how to read its arguments)
_SIZES = {
    "client_max_body_size": (Expectation.MAX_BODY_BYTES, "1m"),
    "proxy_buffer_size": (Expectation.MAX_RESPONSE_HEADER_BYTES, "4k"),
    "uwsgi_buffer_size": (Expectation.MAX_RESPONSE_HEADER_BYTES, "4k"),
}
_TIMES = {
    "proxy_read_timeout": (Expectation.PROXY_READ, "60s"),
    "uwsgi_read_timeout": (Expectation.PROXY_READ, "60s"),
}


class NginxConfigUnreadable(Exception):
    """crossplane could not parse the file, or a location's regex could not be read: no
    value is read from it."""


def read_nginx(path: Path, root: str, tls: bool) -> list[Reading]:
    """The values `path` decides for requests below `root` ("" for the site's root); none
    when nginx's choice cannot be read (the file does not parse, a regex in Python's
    dialect does not compile): the run then says what it assumed."""
    try:
        return list(_readings(path, root, tls))
    except NginxConfigUnreadable:
        return []


def _readings(path: Path, root: str, tls: bool) -> Iterator[Reading]:
    http = _http_block(path)
    server = _server(http, 443 if tls else 80)
    if server is None:
        return
    name = path.name
    page = _location(server, root + "/echo")
    uwsgi = any(d["directive"] == "uwsgi_pass" for d in page)
    chain = (page, server, http)
    for directive, (expectation, default) in _SIZES.items():
        if directive.endswith("_buffer_size") and directive.startswith("uwsgi") != uwsgi:
            continue  # the buffer of the protocol the location passes with
        yield _read(name, chain, directive, default, expectation, _size)
    yield _read(name, chain, "large_client_header_buffers", "4 8k", Expectation.MAX_HEADER_BYTES,
                lambda args: _size(args[-1:]))  # fmt: skip
    for directive, (expectation, default) in _TIMES.items():
        if directive.startswith("uwsgi") == uwsgi:
            yield _read(name, chain, directive, default, expectation, _time)
    ws = _location(server, root + "/ws/echo")
    read_directive = "uwsgi_read_timeout" if uwsgi else "proxy_read_timeout"
    yield _read(name, (ws, server, http), read_directive, "60s", Expectation.WEBSOCKET_IDLE, _time)
    yield Reading(Expectation.TIMEOUT_STATUS, 504, f"{name}: nginx answers 504 on a read timeout")
    yield _read(name, chain, "gzip", "off", Expectation.COMPRESSION, lambda a: float(a[0] == "on"))
    yield from _upstream_readings(name, http, page, server)


def _read(
    name: str, chain: tuple[Block, ...], directive: str, default: str,
    expectation: Expectation, parse: Any,
) -> Reading:  # fmt: skip
    """The directive's value from the innermost block that sets it, else nginx's default."""
    for block in chain:
        for entry in block:
            if entry["directive"] == directive:
                args = entry["args"]
                where = f"{name} line {entry['line']}: {directive} {' '.join(args)}"
                return Reading(expectation, parse(args), where)
    return Reading(expectation, parse(default.split()), f"{name}: no {directive}, nginx's "
                   f"default {default}")  # fmt: skip


def _upstream_readings(name: str, http: Block, page: Block, server: Block) -> Iterator[Reading]:
    """proxy_connect (the longer of the connect timeout and the rest a failed replica gets)
    and max_fails, from the upstream block that the location passes to."""
    connect = _read(name, (page, server, http), "proxy_connect_timeout", "60s",
                    Expectation.PROXY_CONNECT, _time)  # fmt: skip
    servers = _upstream_servers(http, page)
    resolve = _resolve_reading(name, (page, server, http), page, servers)
    if resolve is not None:
        yield resolve
    if not servers:
        yield connect
        return
    params = _server_params(servers[0])
    line = f"{name} line {servers[0]['line']}: server {' '.join(servers[0]['args'])}"
    rest = _time([params.get("fail_timeout", "10s")])
    yield connect if connect.value >= rest else Reading(Expectation.PROXY_CONNECT, rest, line)
    yield Reading(Expectation.MAX_FAILS, int(params.get("max_fails", "1")), line)


def _resolve_reading(
    name: str, chain: tuple[Block, ...], page: Block, servers: Block
) -> Reading | None:
    """How long nginx keeps a replica's address: for ever when it resolves the name once, at
    start (an upstream server without `resolve`, or a literal proxy_pass host); the
    resolver's valid= when it resolves again (a variable in proxy_pass, or `resolve`)."""
    target = next((d for d in page if d["directive"] in ("proxy_pass", "uwsgi_pass")), None)
    if target is None:
        return None
    follows = "$" in target["args"][0] or (servers and all("resolve" in s["args"] for s in servers))
    if not follows:
        first = servers[0] if servers else target
        where = f"{name} line {first['line']}: {first['directive']} {' '.join(first['args'])}"
        return Reading(Expectation.RESOLVE, float(UNLIMITED), f"{where}: no `resolve`, so "
                       "nginx looks the name up once, at start")  # fmt: skip
    for block in chain:
        for entry in (d for d in block if d["directive"] == "resolver"):
            valid = next((a.split("=", 1)[1] for a in entry["args"] if a.startswith("valid=")),
                         None)  # fmt: skip
            if valid is not None:
                where = f"{name} line {entry['line']}: resolver {' '.join(entry['args'])}"
                return Reading(Expectation.RESOLVE, _time([valid]), where)
    return None


def _upstream_servers(http: Block, page: Block) -> Block:
    target = next((d["args"][0] for d in page if d["directive"] in ("proxy_pass", "uwsgi_pass")),
                  "")  # fmt: skip
    host = re.sub(r"^\w+://", "", target).split("/", 1)[0]
    for entry in http:
        if entry["directive"] == "upstream" and entry["args"] == [host]:
            return [d for d in entry.get("block", []) if d["directive"] == "server"]
    return []


def _server_params(server: Mapping[str, Any]) -> dict[str, str]:
    return dict(arg.split("=", 1) for arg in server["args"][1:] if "=" in arg)


def _http_block(path: Path) -> Block:
    payload = crossplane.parse(str(path), single=True, comments=False, catch_errors=True)
    if payload["errors"] or not payload["config"]:
        raise NginxConfigUnreadable(payload["errors"])
    top: Block = payload["config"][0]["parsed"]
    return next((d.get("block", []) for d in top if d["directive"] == "http"), [])


def _server(http: Block, port: int) -> Block | None:
    servers = [d.get("block", []) for d in http if d["directive"] == "server"]
    for server in servers:
        for listen in (d for d in server if d["directive"] == "listen"):
            if listen["args"][0].rsplit(":", 1)[-1] == str(port):
                return list(server)
    return servers[0] if servers else None


def _location(server: Block, path: str) -> Block:
    """The block of the location nginx picks for `path`, in nginx's order: an exact `=`
    match; else the longest prefix, if it is `^~`; else the first regex location that
    matches (in the file's order); else that longest prefix. Nested locations are not
    followed. A regex Python cannot read makes the choice unknown: NginxConfigUnreadable."""
    longest: tuple[int, str, Block] = (-1, "", [])
    regexes: list[tuple[str, str, Block]] = []
    for entry in (d for d in server if d["directive"] == "location"):
        args, block = entry["args"], list(entry.get("block", []))
        modifier, pattern = (args[0], args[1]) if len(args) == 2 else ("", args[0])
        if modifier == "=" and path == pattern:
            return block
        if modifier in ("", "^~") and path.startswith(pattern) and len(pattern) > longest[0]:
            longest = (len(pattern), modifier, block)
        if modifier in ("~", "~*"):
            regexes.append((modifier, pattern, block))
    if longest[1] != "^~":
        for modifier, pattern, block in regexes:
            try:
                flags = re.IGNORECASE if modifier == "~*" else 0
                if re.search(pattern, path, flags):
                    return block
            except re.error as error:
                raise NginxConfigUnreadable(f"location {modifier} {pattern}: {error}") from None
    return longest[2]


def _size(args: list[str]) -> float:
    match = _SIZE.match(args[0]) if args else None
    if match is None:
        return float(UNLIMITED)
    number = int(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]
    return float(UNLIMITED if number == 0 else number)


def _time(args: list[str]) -> float:
    return float(sum(int(n) * _TIME_UNITS[unit] for n, unit in _TIME.findall(args[0])))
