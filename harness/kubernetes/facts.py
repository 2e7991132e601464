"""What a set of manifests says by itself: pod templates, preStop pauses, the server's
graceful timeout (its command line or a config file in a mounted ConfigMap), the app's
allowed hosts (its environment, ConfigMaps it reads, or a settings file in one).

The servers' own directives come from their kits (`Expectation.GRACEFUL`: gunicorn's
`graceful_timeout`, uvicorn's `--timeout-graceful-shutdown`), so a new server kit is read
here without an edit. Each value found says where: `configmap-server.yaml: gunicorn.conf.py
graceful_timeout`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from harness.kubernetes.reading import ManifestDocument
from harness.parts import SERVER_KITS
from harness.parts.expectation import Expectation

# Kinds whose pods come from spec.template.
POD_OWNERS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})
# Where Django settings commonly read ALLOWED_HOSTS from the environment.
ALLOWED_HOST_VARIABLES = ("HARNESS_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS", "ALLOWED_HOSTS")
_SLEEP = re.compile(r"\bsleep\s+(\d+(?:\.\d+)?)")
_NUMBER = r"(\d+(?:\.\d+)?)"

__all__ = [
    "ALLOWED_HOST_VARIABLES",
    "Found",
    "PodTemplate",
    "allowed_hosts",
    "config_maps",
    "graceful_timeout",
    "pod_templates",
    "pre_stop_seconds",
    "server_names",
]


@dataclass(frozen=True, slots=True)
class Found:
    """A value read from the manifests, and where."""

    value: Any
    where: str


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """The pod spec of one workload (a Deployment...), and the document it is in."""

    document: ManifestDocument
    spec: dict[str, Any]

    @property
    def containers(self) -> list[dict[str, Any]]:
        return [c for c in self.spec.get("containers") or [] if isinstance(c, dict)]


def pod_templates(documents: list[ManifestDocument]) -> Iterator[PodTemplate]:
    for document in documents:
        if document.kind in POD_OWNERS:
            spec = _dig(document.body, "spec", "template", "spec")
            if isinstance(spec, dict):
                yield PodTemplate(document, spec)


def config_maps(
    documents: list[ManifestDocument],
) -> dict[str, tuple[ManifestDocument, dict[str, str]]]:
    """Each ConfigMap by name: its document and its data."""
    found = {}
    for document in documents:
        data = document.body.get("data") if document.kind == "ConfigMap" else None
        if isinstance(data, dict):
            found[document.name] = (document, {str(k): str(v) for k, v in data.items()})
    return found


def _dig(body: Any, *keys: str) -> Any:
    for key in keys:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def pre_stop_seconds(container: dict[str, Any]) -> float | None:
    """The preStop pause: an exec `sleep N` (or a shell line with one), or the sleep action."""
    pre_stop = _dig(container, "lifecycle", "preStop")
    seconds = _dig(pre_stop, "sleep", "seconds")
    if isinstance(seconds, int | float):
        return float(seconds)
    command = _dig(pre_stop, "exec", "command")
    if isinstance(command, list):
        match = _SLEEP.search(" ".join(str(word) for word in command))
        if match:
            return float(match.group(1))
    return None


def server_names() -> frozenset[str]:
    """The commands of the servers the harness knows: `gunicorn`, `uvicorn`..."""
    return frozenset(str(kind) for kind in SERVER_KITS)


def _graceful_directives() -> tuple[list[str], list[str]]:
    """Every server kit's graceful-timeout directive: options, and config-file keys."""
    directives = [
        kit.directives[Expectation.GRACEFUL]
        for kit in SERVER_KITS.values()
        if Expectation.GRACEFUL in kit.directives
    ]
    options = [d for d in directives if d.startswith("-")]
    return options, [d for d in directives if not d.startswith("-")]


def graceful_timeout(
    template: PodTemplate,
    container: dict[str, Any],
    maps: dict[str, tuple[ManifestDocument, dict[str, str]]],
) -> Found | None:
    """The server's graceful timeout, from its command line or environment
    (GUNICORN_CMD_ARGS), else from a config file in a ConfigMap mounted into the pod."""
    options, keys = _graceful_directives()
    words = [str(w) for w in (container.get("command") or []) + (container.get("args") or [])]
    words += [str(e.get("value", "")) for e in container.get("env") or [] if isinstance(e, dict)]
    line = " ".join(words)
    for option in options:
        match = re.search(rf"(?:^|\s){re.escape(option)}[=\s]+{_NUMBER}", line)
        if match:
            return Found(
                float(match.group(1)), f"same file, container {container.get('name')} {option}"
            )
    for name in _mounted_config_maps(template):
        document, data = maps.get(name, (None, {}))
        for file_name, text in data.items():
            for key in keys:
                match = re.search(rf"^\s*{re.escape(key)}\s*[=:]\s*{_NUMBER}", text, re.MULTILINE)
                if match and document is not None:
                    return Found(float(match.group(1)), f"{document.where}: {file_name} {key}")
    return None


def _mounted_config_maps(template: PodTemplate) -> list[str]:
    names = [_dig(v, "configMap", "name") for v in template.spec.get("volumes") or []]
    return [str(name) for name in names if name]


def allowed_hosts(
    container: dict[str, Any], maps: dict[str, tuple[ManifestDocument, dict[str, str]]]
) -> Found | None:
    """The app's allowed hosts: an env variable of ALLOWED_HOST_VARIABLES (its value, a
    ConfigMap key it refers to, or envFrom a ConfigMap), else `ALLOWED_HOSTS = [...]` in a
    settings file of a ConfigMap."""
    for env in container.get("env") or []:
        if isinstance(env, dict) and env.get("name") in ALLOWED_HOST_VARIABLES:
            if "value" in env:
                return Found(_split(str(env["value"])), f"same file, env {env['name']}")
            ref = _dig(env, "valueFrom", "configMapKeyRef") or {}
            document, data = maps.get(str(ref.get("name")), (None, {}))
            if document is not None and str(ref.get("key")) in data:
                return Found(_split(data[str(ref["key"])]), f"{document.where}: data.{ref['key']}")
    for source in container.get("envFrom") or []:
        document, data = maps.get(str(_dig(source, "configMapRef", "name")), (None, {}))
        for variable in ALLOWED_HOST_VARIABLES:
            if document is not None and variable in data:
                return Found(_split(data[variable]), f"{document.where}: data.{variable}")
    return _hosts_in_settings(maps)


def _split(text: str) -> list[str]:
    return [host for host in re.split(r"[,\s]+", text) if host]


def _hosts_in_settings(maps: dict[str, tuple[ManifestDocument, dict[str, str]]]) -> Found | None:
    for document, data in maps.values():
        for file_name, text in data.items():
            match = re.search(r"^ALLOWED_HOSTS\s*=\s*(\[.*?\])", text, re.MULTILINE | re.DOTALL)
            if not match:
                continue
            try:
                hosts = ast.literal_eval(match.group(1))
            except (ValueError, SyntaxError):
                continue
            return Found([str(h) for h in hosts], f"{document.where}: {file_name} ALLOWED_HOSTS")
    return None
