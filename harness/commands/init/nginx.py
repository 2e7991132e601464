"""A user's nginx config as the harness would run it: verbatim, as nginx's whole config, in
the proxy container of a stack whose replicas are `app-1` .. `app-N` on port 8000, with the
run's test certificate in /etc/harness/tls. What stops it running there is said as a fix.

The values it decides are read with harness.spec.reading's read_nginx (crossplane). A server
block written for conf.d (no `http {}` around it) is read inside one, on the same lines.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import crossplane

from harness.commands.init.scan import Found, where
from harness.parts.reading.nginx import read_nginx
from harness.spec.expectations import Reading
from harness.spec.model import APP_PORT, Protocol

Directive = dict[str, Any]
TLS_FILES = {"ssl_certificate": "chain.pem", "ssl_certificate_key": "key.pem"}
_REPLICA = re.compile(r"app-(\d+)")
# Users the proxy's Debian image has (nginx's official image runs `user nginx;`).
_USERS = {"www-data", "root", "nobody"}
# Files nginx's Debian package installs, which a config may include.
_SHIPPED = re.compile(r"/etc/nginx/(mime\.types|\w*_params|snippets/[\w.-]+)")


@dataclass(frozen=True, slots=True)
class NginxFacts:
    problems: tuple[str, ...]  # each a fix, naming the line
    tls: Found[bool]
    protocol: Found[Protocol] | None
    replicas: Found[int] | None
    readings: tuple[Reading, ...]


def read_nginx_config(root: Path, path: Path, contract_root: str) -> NginxFacts:
    """What `path` (relative to `root`) does in a stack, and the values it decides for
    requests below `contract_root`."""
    top = _parse(root / path)
    if top is None:
        problem = f"{path.as_posix()}: nginx's grammar does not parse it (crossplane)"
        return NginxFacts((problem,), Found(False, problem), None, None, ())
    everything = list(_walk(top))
    whole = any(d["directive"] == "http" for d in top)
    tls = _tls(path, everything)
    problems = [] if whole else [_snippet_problem(path)]
    problems += _listen_problems(path, everything, tls.value)
    problems += _file_problems(path, everything, tls.value)
    upstream_problems, replicas = _upstreams(path, everything)
    problems += upstream_problems
    passes = [d for d in everything if d["directive"] == "uwsgi_pass"]
    protocol = (
        Found(Protocol.UWSGI, where(path, passes[0]["line"], "uwsgi_pass")) if passes else None
    )
    readings = tuple(_readings(root, path, whole, contract_root, tls.value))
    return NginxFacts(tuple(problems), tls, protocol, replicas, readings)


def _parse(path: Path) -> list[Directive] | None:
    payload = crossplane.parse(
        str(path), single=True, catch_errors=True, check_ctx=False, check_args=False
    )
    if payload["errors"] or not payload["config"]:
        return None
    parsed: list[Directive] = payload["config"][0]["parsed"]
    return parsed


def _walk(block: list[Directive]) -> Iterator[Directive]:
    for directive in block:
        yield directive
        yield from _walk(directive.get("block", []))


def _text(directive: Directive) -> str:
    return " ".join([directive["directive"], *directive["args"]])


def _snippet_problem(path: Path) -> str:
    return (
        f"{path.as_posix()} is a server block for conf.d (no http {{}} around it), and the "
        "harness runs proxy_config as nginx's whole config: wrap it in `events {}` and "
        "`http { include /etc/nginx/mime.types; ... }`"
    )


def _tls(path: Path, everything: list[Directive]) -> Found[bool]:
    for directive in everything:
        ssl_listen = directive["directive"] == "listen" and "ssl" in directive["args"]
        if ssl_listen or (directive["directive"] == "ssl" and directive["args"] == ["on"]):
            return Found(True, where(path, directive["line"], _text(directive)))
    return Found(False, f"{path.as_posix()}: no `listen ... ssl`")


def _listen_problems(path: Path, everything: list[Directive], tls: bool) -> list[str]:
    """The harness publishes the proxy's ports 80 (and 443 with TLS)."""
    listens = [d for d in everything if d["directive"] == "listen"]
    ports = {d["args"][0].rsplit(":", 1)[-1] for d in listens if d["args"]}
    wanted = ["80", "443"] if tls else ["80"]
    missing = [port for port in wanted if port not in ports and (listens or port != "80")]
    if not missing:
        return []
    given = ", ".join(sorted(ports)) or "none"
    return [
        f"{path.as_posix()} listens on {given}: the harness publishes the proxy's port "
        f"{' and '.join(wanted)}; listen on {', '.join(missing)}"
    ]


def _file_problems(path: Path, everything: list[Directive], tls: bool) -> list[str]:
    """Users, includes and certificate paths that the proxy's container does not have."""
    problems = []
    for directive in everything:
        name, args, line = directive["directive"], directive["args"], directive["line"]
        if name == "user" and args and args[0] not in _USERS:
            problems.append(
                f"{where(path, line, _text(directive))}: the proxy's image has no user "
                f"{args[0]}; use www-data"
            )
        if name == "include" and args and not _SHIPPED.fullmatch(args[0]):
            problems.append(
                f"{where(path, line, _text(directive))}: only this file is copied into the "
                "proxy; put what it includes here"
            )
        if name in TLS_FILES and tls and args and args[0] != f"/etc/harness/tls/{TLS_FILES[name]}":
            problems.append(
                f"{where(path, line, _text(directive))}: the run's test certificate is "
                f"/etc/harness/tls/{TLS_FILES[name]}"
            )
    return problems


def _upstreams(path: Path, everything: list[Directive]) -> tuple[list[str], Found[int] | None]:
    """Whether every address nginx passes to is a replica, `app-N:8000`; how many there are."""
    upstream_names = {
        d["args"][0] for d in everything if d["directive"] == "upstream" and d["args"]
    }
    addresses: list[tuple[str, Directive]] = []
    for directive in everything:
        name, args = directive["directive"], directive["args"]
        if name in ("proxy_pass", "uwsgi_pass") and args:
            host = re.sub(r"^\w+://", "", args[0]).split("/", 1)[0]
            if host not in upstream_names:
                addresses.append((host, directive))
        if name == "server" and args and "block" not in directive:
            addresses.append((args[0], directive))
    wrong = [(a, d) for a, d in addresses if not _is_replica(a)]
    if wrong:
        directive = wrong[0][1]
        return [
            f"{where(path, directive['line'], _text(directive))}: the harness's replicas are "
            f"app-1:{APP_PORT} .. app-N:{APP_PORT} (N = replicas); pass to them"
        ], None
    replicas = {match.group(1) for a, _ in addresses if (match := _REPLICA.match(a))}
    if not replicas:
        return [], None
    first = min(addresses, key=lambda pair: int(pair[1]["line"]))[1]
    count = len(replicas)
    said = f"{count} replicas, app-1 .. app-{count}" if count > 1 else "1 replica, app-1"
    return [], Found(count, where(path, first["line"], said))


def _is_replica(address: str) -> bool:
    host, _, port = address.partition(":")
    return bool(_REPLICA.fullmatch(host)) and port == str(APP_PORT)


def _readings(
    root: Path, path: Path, whole: bool, contract_root: str, tls: bool
) -> Iterator[Reading]:
    """read_nginx's values, said with the file's path from the project's root."""
    if whole:
        found = list(read_nginx(root / path, contract_root, tls))
    else:
        with tempfile.TemporaryDirectory(prefix="harness-init-") as folder:
            wrapped = Path(folder, path.name)
            # On the snippet's first line, so every line keeps its number.
            text = (root / path).read_text(encoding="utf-8", errors="replace")
            wrapped.write_text(f"events {{}} http {{ {text}\n}}\n", encoding="utf-8")
            found = list(read_nginx(wrapped, contract_root, tls))
    for reading in found:
        said = reading.where
        if said.startswith(path.name):
            said = path.as_posix() + said[len(path.name) :]
        yield Reading(reading.expectation, reading.value, said)
