"""The proxy a project puts in front of its app, from its config: a file of a name a proxy
kit knows (`config_shape.names`: nginx.conf, haproxy.cfg, httpd.conf, Caddyfile...), or a
`.conf`/`.cfg` that reads as nginx's, Apache's or HAProxy's; whether it terminates TLS; and
what would stop it running verbatim in a stack (each said as a fix). Without a config, the
harness's own nginx config.

nginx is read with crossplane (init/nginx.py); the others line by line, by their kit's shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from harness.commands.init.nginx import read_nginx_config
from harness.commands.init.scan import Found, ProjectFiles, also, likeliest_first, where
from harness.errors import ConfigError
from harness.parts import PROXY_KITS, proxy_kit
from harness.spec.expectations import Reading
from harness.spec.model import APP_PORT, Protocol, ProxyKind

_NGINX_TEXT = re.compile(r"^\s*(server|location|upstream|http)\b[^;{]*\{", re.MULTILINE)
_PASSES = re.compile(r"\b(proxy_pass|uwsgi_pass)\b")
_HAPROXY_TEXT = re.compile(r"^(frontend|backend|listen)\s+\S+", re.MULTILINE)
_APACHE_TEXT = re.compile(r"<VirtualHost|^\s*ProxyPass\s", re.MULTILINE)
_NAMED = {name: kind for kind, kit in PROXY_KITS.items() for name in kit.config_shape.names}
# Proxies the harness does not run, by a config file's name.
_OTHER_PROXIES = {
    "traefik.yml": "Traefik", "traefik.yaml": "Traefik", "traefik.toml": "Traefik",
    "envoy.yaml": "Envoy", "envoy.yml": "Envoy",
}  # fmt: skip
_REPLICA_ADDRESS = re.compile(r"(?:\w+://)?(app-(\d+)):(\d+)")
# An upstream address on a line: host:port, with a scheme or not (a balancer:// name is none).
_ADDRESS = re.compile(r"^(?:(?!balancer)\w+://)?[\w.-]+:\d+(?:/.*)?$")
_HARNESS_TLS = "/etc/harness/tls/"


@dataclass(frozen=True, slots=True)
class ProxyFacts:
    kind: Found[ProxyKind]
    config: Found[Path] | None
    problems: tuple[str, ...]  # why the config cannot run verbatim, each a fix
    tls: Found[bool]
    protocol: Found[Protocol] | None = None
    replicas: Found[int] | None = None
    readings: tuple[Reading, ...] = ()


def find_proxy(files: ProjectFiles, contract_root: str) -> ProxyFacts:
    """The project's proxy and its config, or the harness's nginx when it has none; a config
    only of a proxy the harness does not run is a ConfigError saying what to add."""
    candidates = _candidates(files)
    if not candidates:
        other = [p for p in files.files if p.name.lower() in _OTHER_PROXIES]
        if other:
            proxy = _OTHER_PROXIES[other[0].name.lower()]
            raise ConfigError(
                f"init: {other[0].as_posix()} configures {proxy}, a proxy the harness does not "
                "run; add an nginx.conf, haproxy.cfg, httpd.conf or Caddyfile for the harness to "
                "test "
                "(`harness render nginx-gunicorn-gthread-flask --out DIR` writes one to start from)"
            )
        return ProxyFacts(
            Found(ProxyKind.NGINX, "no proxy config found: the harness's own nginx config"),
            None,
            (),
            Found(False, "no proxy config found"),
        )
    path, kind = candidates[0]
    found = Found(path, f"found: {path.as_posix()}{also(path, [p for p, _ in candidates])}")
    facts = ProxyFacts(Found(kind, f"found: {path.as_posix()}"), found, (), Found(False, ""))
    if kind == ProxyKind.NGINX:
        nginx = read_nginx_config(files.root, path, contract_root)
        return replace(facts, problems=nginx.problems, tls=nginx.tls, protocol=nginx.protocol,
                       replicas=nginx.replicas, readings=nginx.readings)  # fmt: skip
    return _line_checked(files, facts, path, kind)


def _candidates(files: ProjectFiles) -> list[tuple[Path, ProxyKind]]:
    """Proxy configs, by name or by what they say, likeliest first (an nginx file that passes
    to the app before one that only includes others)."""
    found: list[tuple[Path, ProxyKind]] = []
    for path in files.files:
        kind = _NAMED.get(path.name.lower())
        if kind is None and path.suffix in (".conf", ".cfg"):
            kind = _sniffed(files.text(path), path.suffix)
        if kind is not None:
            found.append((path, kind))

    def key(pair: tuple[Path, ProxyKind]) -> tuple[bool, tuple[int, int, str]]:
        path, kind = pair
        idle = kind == ProxyKind.NGINX and not _PASSES.search(files.text(path))
        return idle, likeliest_first(path)

    return sorted(found, key=key)


def _sniffed(text: str, suffix: str) -> ProxyKind | None:
    if suffix == ".cfg":
        return ProxyKind.HAPROXY if _HAPROXY_TEXT.search(text) else None
    if _APACHE_TEXT.search(text):
        return ProxyKind.APACHE
    if _NGINX_TEXT.search(text) and _PASSES.search(text):
        return ProxyKind.NGINX
    return None


def _line_checked(
    files: ProjectFiles, facts: ProxyFacts, path: Path, kind: ProxyKind
) -> ProxyFacts:
    """Any proxy but nginx: TLS, certificate paths, ports and replica addresses, line by line,
    by its kit's config shape."""
    shape = proxy_kit(kind).config_shape
    lines = [line.split("#", 1)[0].strip() for line in files.lines(path)]
    tls_lines = [n for n, line in enumerate(lines, 1) if re.match(shape.tls_line, line)]
    tls = (
        Found(True, where(path, tls_lines[0], lines[tls_lines[0] - 1]))
        if tls_lines
        else Found(False, f"{path.as_posix()}: no TLS")
    )
    text = files.text(path)
    problems = [f"{path.as_posix()} {fix}" for word, fix in shape.must_say if word not in text]
    replicas: set[str] = set()
    for number, line in enumerate(lines, 1):
        problems += _certificate_problem(path, number, line, shape.certificate, tls.value)
        if not line.startswith(shape.upstream_lines):
            continue
        for address in _addresses_in(line):
            match = _REPLICA_ADDRESS.fullmatch(address)
            if match is None or match.group(3) != str(APP_PORT):
                problems.append(
                    f"{where(path, number, line)}: the harness's replicas are app-1:{APP_PORT} "
                    f".. app-N:{APP_PORT} (N = replicas); pass to them"
                )
            else:
                replicas.add(match.group(2))
    protocol = None
    uwsgi = [n for n, line in enumerate(lines, 1) if "uwsgi://" in line]
    if uwsgi:
        protocol = Found(Protocol.UWSGI, where(path, uwsgi[0], lines[uwsgi[0] - 1]))
    count = len(replicas)
    found_replicas = Found(count, f"{path.as_posix()}: app-1 .. app-{count}") if count else None
    return replace(facts, problems=tuple(problems), tls=tls, protocol=protocol,
                   replicas=None if problems else found_replicas)  # fmt: skip


def _addresses_in(line: str) -> list[str]:
    """The upstream addresses a line names (`server s1 app-1:8000 check`, `BalancerMember
    http://app-1:8000`, `reverse_proxy app-1:8000 app-2:8000 {`), without scheme and path."""
    found = [word for word in line.split()[1:] if _ADDRESS.match(word)]
    return [re.sub(r"^\w+://", "", word).split("/", 1)[0] for word in found]


def _certificate_problem(
    path: Path, number: int, line: str, wanted: tuple[str, str], tls: bool
) -> list[str]:
    if not tls:
        return []
    words = line.split()
    if wanted[0] in words[:-1]:
        given = words[words.index(wanted[0]) + 1]
        if not given.startswith(_HARNESS_TLS):
            return [
                f"{where(path, number, line)}: the run's test certificate is "
                f"{_HARNESS_TLS}{wanted[1]}"
            ]
    return []
