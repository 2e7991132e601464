"""Relations between manifests that no schema checks, each broken one as ONE line naming
both files and fields:

- grace: terminationGracePeriodSeconds >= preStop pause + the server's graceful timeout +
  the longest declared request (harness/kubernetes/lifecycle.py says why);
- probes: an httpGet probe's path is a route the app has (our reference apps: the contract's
  routes), its port is the container's, and the Host it sends (the pod's IP:port, unless
  httpHeaders sets Host) is one the app allows (Django's ALLOWED_HOSTS answers 400 else);
- ingress: ingress-nginx's body size, buffer and timeouts cover the declared values.

What the manifests do not say is a note, not a problem: the check says what it could not
check and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from harness.kubernetes.declared import Declarations, DeclaredValue
from harness.kubernetes.facts import (
    Found,
    PodTemplate,
    allowed_hosts,
    config_maps,
    graceful_timeout,
    pod_templates,
    pre_stop_seconds,
    server_names,
)
from harness.kubernetes.ingress import (
    INGRESS_ANNOTATIONS,
    IngressAnnotation,
    Unit,
    parse_nginx_size,
)
from harness.kubernetes.reading import ManifestDocument
from harness.parts.expectation import Expectation
from harness.spec.expectations import shown_number

KUBERNETES_DEFAULT_GRACE = 30
REFERENCE_IMAGE = "deploy-harness/app:"
# The contract's GET routes a probe may ask (apps/CONTRACT.md); /health is the one to ask.
CONTRACT_PROBE_ROUTES = ("/health", "/echo", "/urls", "/bytes", "/headers", "/cookie", "/seen")
_PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
_GRACE_FIELD = "spec.template.spec.terminationGracePeriodSeconds"

__all__ = [
    "CONTRACT_PROBE_ROUTES",
    "Finding",
    "Relation",
    "Severity",
    "check_relations",
    "host_allowed",
]


class Severity(StrEnum):
    PROBLEM = "problem"  # the manifests contradict each other or the declared values
    NOTE = "note"  # something the manifests do not say, so it was not checked


class Relation(StrEnum):
    GRACE = "grace"
    PROBE = "probe"
    INGRESS = "ingress"


@dataclass(frozen=True, slots=True)
class Finding:
    """One relation found broken (or not checkable), as the line a user reads."""

    severity: Severity
    relation: Relation
    line: str


ConfigMaps = dict[str, tuple[ManifestDocument, dict[str, str]]]


def check_relations(documents: list[ManifestDocument], declared: Declarations) -> list[Finding]:
    """Every relation of the manifests checked, problems and notes in file order."""
    maps = config_maps(documents)
    longest = _longest_request(documents, declared)
    findings: list[Finding] = []
    for template in pod_templates(documents):
        findings += _grace(template, maps, longest)
        for container in template.containers:
            findings += _probes(template, container, maps)
    findings += _ingresses(documents, declared)
    return findings


def _longest_request(documents: list[ManifestDocument], declared: Declarations) -> Found | None:
    """The declared proxy_read, else an Ingress's proxy-read-timeout (or ingress-nginx's 60)."""
    if Expectation.PROXY_READ in declared:
        value = declared[Expectation.PROXY_READ]
        return Found(value.value, value.where)
    read = next(a for a in INGRESS_ANNOTATIONS if a.name == "proxy-read-timeout")
    for document in documents:
        if document.kind == "Ingress":
            annotations = _annotations(document)
            text = annotations.get(read.key)
            seconds = _number(text if text is not None else read.default)
            if seconds is not None:
                origin = read.key if text is not None else f"absent {read.key}: its default"
                return Found(seconds, f"{document.where}: {origin}")
    return None


def _number(text: object) -> float | None:
    try:
        return float(str(text))
    except ValueError:
        return None


def _annotations(document: ManifestDocument) -> dict[str, Any]:
    metadata = document.body.get("metadata") or {}
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    return annotations if isinstance(annotations, dict) else {}


def _problem(relation: Relation, line: str) -> Finding:
    return Finding(Severity.PROBLEM, relation, line)


def _note(relation: Relation, line: str) -> Finding:
    return Finding(Severity.NOTE, relation, line)


def _runs_python_server(container: dict[str, Any]) -> bool:
    words = [str(w) for w in (container.get("command") or []) + (container.get("args") or [])]
    names = server_names()
    return any(word.rsplit("/", 1)[-1] in names for word in words)


def _pause(template: PodTemplate) -> tuple[float, str] | None:
    """The longest preStop pause of the pod's containers (they pause side by side)."""
    found = [(pre_stop_seconds(c), str(c.get("name"))) for c in template.containers]
    paused = [(seconds, name) for seconds, name in found if seconds is not None]
    if not paused:
        return None
    seconds, name = max(paused)
    where = f"same file, container {name} lifecycle.preStop"
    return seconds, f"preStop sleep {shown_number(seconds)} ({where})"


def _graceful(
    template: PodTemplate, maps: ConfigMaps
) -> tuple[tuple[float, str] | None, list[Finding]]:
    """The server's graceful timeout, or a note for each server container it is not read for."""
    notes = []
    for container in template.containers:
        graceful = graceful_timeout(template, container, maps)
        if graceful is not None:
            return (
                graceful.value,
                f"graceful {shown_number(graceful.value)} ({graceful.where})",
            ), []
        if _runs_python_server(container):
            notes.append(
                _note(
                    Relation.GRACE,
                    (
                        f"{template.document.where}: container {container.get('name')}: the "
                        "server's graceful timeout could not be read (no graceful option in its "
                        "command line or env, no graceful setting in a mounted ConfigMap): grace "
                        "checked without it"
                    ),
                )
            )
    return None, notes


def _grace(template: PodTemplate, maps: ConfigMaps, longest: Found | None) -> list[Finding]:
    pause = _pause(template)
    graceful, notes = _graceful(template, maps)
    parts = [part for part in (pause, graceful) if part is not None]
    if not parts:
        return notes
    if longest is not None:
        shown = shown_number(longest.value)
        parts.append((longest.value, f"longest request {shown} ({longest.where})"))
    else:
        notes.append(
            _note(
                Relation.GRACE,
                (
                    f"{template.document.where}: the longest request could not be read (no "
                    "declared timeouts.proxy_read, no Ingress): grace checked without it"
                ),
            )
        )
    return notes + _grace_line(template, parts)


def _grace_line(template: PodTemplate, parts: list[tuple[float, str]]) -> list[Finding]:
    given = template.spec.get("terminationGracePeriodSeconds")
    grace = given if isinstance(given, int) else KUBERNETES_DEFAULT_GRACE
    if grace >= sum(value for value, _ in parts):
        return []
    shown = f"{grace}" if isinstance(given, int) else f"{grace} (absent: Kubernetes' default)"
    needed = " + ".join(text for _, text in parts)
    return [
        _problem(Relation.GRACE, f"{template.document.where}: {_GRACE_FIELD} = {shown} < {needed}")
    ]


def _probes(template: PodTemplate, container: dict[str, Any], maps: ConfigMaps) -> list[Finding]:
    findings = []
    for probe_name in _PROBES:
        get = (container.get(probe_name) or {}).get("httpGet")
        if not isinstance(get, dict):
            continue
        field = f"container {container.get('name')} {probe_name}.httpGet"
        findings += _probe_port(template, container, field, get)
        findings += _probe_path(template, container, field, get)
        findings += _probe_host(template, container, field, get, maps)
    return findings


def _is_reference_app(container: dict[str, Any]) -> bool:
    return str(container.get("image", "")).startswith(REFERENCE_IMAGE)


def _probe_port(
    template: PodTemplate, container: dict[str, Any], field: str, get: dict[str, Any]
) -> list[Finding]:
    ports = {p.get(k) for p in container.get("ports") or [] for k in ("name", "containerPort")}
    if get.get("port") in ports:
        return []
    named = ", ".join(sorted(str(port) for port in ports if port is not None)) or "none"
    return [
        _problem(
            Relation.PROBE,
            (
                f"{template.document.where}: {field}.port = {get.get('port')!r} is not a port of "
                f"container {container.get('name')} (same file, ports: {named})"
            ),
        )
    ]


def _probe_path(
    template: PodTemplate, container: dict[str, Any], field: str, get: dict[str, Any]
) -> list[Finding]:
    where = template.document.where
    path = str(get.get("path", "/")).split("?", 1)[0]
    if not _is_reference_app(container):
        return [
            _note(
                Relation.PROBE,
                (
                    f"{where}: {field}.path {path!r} not checked: image "
                    f"{container.get('image')!r} is not a reference app of this harness, whose "
                    "routes are known"
                ),
            )
        ]
    if any(path == route or path.endswith(route) for route in CONTRACT_PROBE_ROUTES):
        return []
    return [
        _problem(
            Relation.PROBE,
            (
                f"{where}: {field}.path = {path!r} is not a route of the reference apps "
                f"(apps/CONTRACT.md: {', '.join(CONTRACT_PROBE_ROUTES)}); probe /health"
            ),
        )
    ]


def host_allowed(host: str, allowed: list[str]) -> bool:
    """Django's rule: `*` allows any host, `.example.com` it and its subdomains; the port
    is not compared."""
    name = host.lower() if host.endswith("]") else host.rsplit(":", 1)[0].lower()
    for pattern in (p.lower() for p in allowed):
        if pattern in ("*", name):
            return True
        if pattern.startswith(".") and (name.endswith(pattern) or name == pattern[1:]):
            return True
    return False


def _probe_host(
    template: PodTemplate,
    container: dict[str, Any],
    field: str,
    get: dict[str, Any],
    maps: ConfigMaps,
) -> list[Finding]:
    where = template.document.where
    headers = [h for h in get.get("httpHeaders") or [] if isinstance(h, dict)]
    named = [str(h.get("value", "")) for h in headers if str(h.get("name")).lower() == "host"]
    allowed = allowed_hosts(container, maps)
    if allowed is None:
        return [
            _note(
                Relation.PROBE,
                (
                    f"{where}: {field}: the app's allowed hosts could not be read (no "
                    "HARNESS_ALLOWED_HOSTS, DJANGO_ALLOWED_HOSTS or ALLOWED_HOSTS in its env or "
                    "ConfigMaps): the probe's Host was not checked"
                ),
            )
        ]
    if _is_reference_app(container) and str(get.get("path", "")).endswith("/health"):
        return []  # the reference apps answer /health before their Host check
    # The kubelet sends the pod's IP:port: only `*` allows an address not known in advance.
    host = named[0] if named else "<pod IP>"
    if host_allowed(host, allowed.value):
        return []
    if named:
        sent = f"Host {host!r} (same file, {field}.httpHeaders)"
    else:
        sent = f"Host <pod IP>:{get.get('port')} (no httpHeaders Host: the pod's address)"
    return [
        _problem(
            Relation.PROBE,
            (
                f"{where}: {field} sends {sent}, not in the allowed hosts "
                f"{','.join(allowed.value)} ({allowed.where}); Django answers 400. Hint: set "
                "httpHeaders Host to an allowed name"
            ),
        )
    ]


def _ingresses(documents: list[ManifestDocument], declared: Declarations) -> list[Finding]:
    findings = []
    for document in documents:
        if document.kind != "Ingress":
            continue
        if not declared:
            findings.append(
                _note(
                    Relation.INGRESS,
                    (
                        f"{document.where}: annotations not compared: no declared limits or "
                        "timeouts (give --stack, or keep the deploy-harness.dev/ annotations that "
                        "`harness render --kubernetes` writes)"
                    ),
                )
            )
            continue
        for annotation in INGRESS_ANNOTATIONS:
            text = _annotations(document).get(annotation.key)
            for expectation in annotation.covers:
                if expectation in declared:
                    findings += _ingress_value(document, annotation, text, declared[expectation])
    return findings


def _ingress_value(
    document: ManifestDocument,
    annotation: IngressAnnotation,
    text: object,
    declared: DeclaredValue,
) -> list[Finding]:
    raw = str(text) if text is not None else annotation.default
    value = parse_nginx_size(raw) if annotation.unit == Unit.BYTES else _number(raw)
    field = f"{document.where}: metadata.annotations {annotation.key}"
    if value is None:
        return [_problem(Relation.INGRESS, f"{field} = {raw!r} is not in {annotation.unit}")]
    if (annotation.unit == Unit.BYTES and value == 0) or value >= declared.value:
        return []  # 0: no limit
    shown = raw if text is not None else f"{raw} (absent: ingress-nginx's default)"
    unit = " bytes" if annotation.unit == Unit.BYTES else " s"
    return [
        _problem(
            Relation.INGRESS,
            (
                f"{field} = {shown} < declared {declared.expectation.value} "
                f"{shown_number(declared.value)}{unit} ({declared.where})"
            ),
        )
    ]
