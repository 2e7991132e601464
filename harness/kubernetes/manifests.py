"""A stack as Kubernetes manifests: plain dicts, every value from the StackSpec.

The app tier runs the same server command line and config files as the Docker stack
(harness/building/configs, what `harness render --out` writes); the proxy runs its effective
config from a ConfigMap, behind an ingress-nginx Ingress that carries the stack's declared
limits and timeouts (harness/kubernetes/ingress.py). Names are the Docker stack's own: the
Services `app-1` .. `app-N` (the upstream names in the proxy's config) and `redis`, so the
configs need no change. Each `app-N` Service selects every app pod: on Kubernetes the
proxy balances over Services and kube-proxy picks the pod, so the proxy's own balancing
and stickiness are over Services, not pods (docs/kubernetes.md).

Images: the proxy and Redis run our base image, tagged as `harness build` tags it
(`deploy-harness/base:<suite>-<hash>`, a content hash computed here without Docker); the
app runs your `overrides.image`, else APP_IMAGE_PLACEHOLDER, which you replace with the tag
`harness build` printed, pushed to your registry.
"""

from __future__ import annotations

import posixpath
from typing import Any

from harness.building.configs import RenderedStack, RunValues, render_stack
from harness.building.configs.model import STATIC_DIR, TLS_DIR
from harness.building.images import base_tag
from harness.kubernetes.declared import declared_annotations
from harness.kubernetes.ingress import ingress_annotations
from harness.kubernetes.lifecycle import (
    PRESTOP_PAUSE_SECONDS,
    app_grace_seconds,
    proxy_grace_seconds,
    whole_seconds,
)
from harness.parts import proxy_kit
from harness.spec.model import APP_PORT, HTTP_PORT, HTTPS_PORT, TEST_HOST_NAME, Protocol, StackSpec

Resource = dict[str, Any]

APP_IMAGE_PLACEHOLDER = "deploy-harness/app:{suite}-REPLACE-WITH-YOUR-PUSHED-TAG"
PART_OF = "deploy-harness"
# Requests and limits: a worker process of our reference apps holds about 60 MiB; the
# request leaves room for the master, the limit for a burst. No CPU limit: throttling turns
# into latency that the timeout scenarios would read as a slow app.
MEMORY_PER_WORKER_MIB = 96
CPU_PER_WORKER_MILLI = 100
SMALL_SERVICE = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}}
# Redis as the Docker stack runs it (harness/run/services.py).
REDIS_COMMAND = ["redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
REDIS_PORT = 6379

__all__ = ["APP_IMAGE_PLACEHOLDER", "Resource", "app_image", "health_path", "stack_manifests"]


def stack_manifests(spec: StackSpec) -> dict[str, list[Resource]]:
    """Every manifest of the stack, by the file it is written to."""
    rendered = render_stack(spec, RunValues(str(HTTP_PORT), str(HTTPS_PORT)))
    files: dict[str, list[Resource]] = {
        "configmap-app-settings.yaml": [_config_map("app-settings", dict(rendered.app.env))],
        "configmap-proxy.yaml": [_config_map("proxy-config", _file_data(rendered.proxy))],
    }
    if rendered.app.files:
        files["configmap-server.yaml"] = [_config_map("server-config", _file_data(rendered.app))]
    files["deployment-app.yaml"] = [app_deployment(spec, rendered)]
    files["deployment-proxy.yaml"] = [proxy_deployment(spec, rendered)]
    files["deployment-redis.yaml"] = [redis_deployment(spec)]
    aliases = [f"app-{index}" for index in range(1, spec.replicas + 1)]
    app_ports = [_port("http", APP_PORT)]
    files["service-app.yaml"] = [_service(name, "app", app_ports) for name in ["app", *aliases]]
    files["service-proxy.yaml"] = [_service("proxy", "proxy", _proxy_ports(spec))]
    files["service-redis.yaml"] = [_service("redis", "redis", [_port("redis", REDIS_PORT)])]
    files["ingress.yaml"] = [ingress(spec)]
    return files


def app_image(spec: StackSpec) -> str:
    """Your own image, else the placeholder for the app image `harness build` makes."""
    return spec.overrides.image or APP_IMAGE_PLACEHOLDER.format(suite=spec.suite)


def health_path(spec: StackSpec) -> str:
    """/health as a replica answers it (as the harness's own readiness probe asks it)."""
    return (spec.replica_root or spec.overrides.contract_prefix or "") + "/health"


def _metadata(name: str, component: str, annotations: dict[str, str] | None = None) -> Resource:
    metadata: Resource = {"name": name, "labels": _labels(component)}
    if annotations:
        metadata["annotations"] = annotations
    return metadata


def _labels(component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": component, "app.kubernetes.io/part-of": PART_OF}


def _config_map(name: str, data: dict[str, str]) -> Resource:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _metadata(name, name),
            "data": data}  # fmt: skip


def _file_data(service: Any) -> dict[str, str]:
    return {posixpath.basename(file.path): file.content for file in service.files}


def _mounts(volume: str, service: Any) -> list[Resource]:
    """Each config file at its path in the container, from the ConfigMap's key of its name."""
    return [
        {"name": volume, "mountPath": file.path, "subPath": posixpath.basename(file.path),
         "readOnly": True}
        for file in service.files
    ]  # fmt: skip


def _port(name: str, number: int, protocol: str = "TCP") -> Resource:
    return {"name": name, "port": number, "targetPort": name, "protocol": protocol}


def _container_ports(ports: list[Resource]) -> list[Resource]:
    return [
        {"name": port["name"], "containerPort": port["port"], "protocol": port["protocol"]}
        for port in ports
    ]


def _pre_stop() -> Resource:
    return {"preStop": {"exec": {"command": ["sleep", str(PRESTOP_PAUSE_SECONDS)]}}}


def _deployment(
    spec: StackSpec, component: str, replicas: int, pod: Resource, annotations: dict[str, str]
) -> Resource:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(component, component, {"deploy-harness.dev/stack": spec.id,
                                                     **annotations}),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": _labels(component)},
            # One new pod ready before an old one stops: a rolling restart with no errors.
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"metadata": {"labels": _labels(component)}, "spec": pod},
        },
    }  # fmt: skip


def _app_probes(spec: StackSpec, rendered: RenderedStack) -> Resource:
    """Readiness and liveness on /health with a Host the app allows (the kubelet would send
    the pod's IP:port, which Django's ALLOWED_HOSTS refuses); a TCP connect for a server
    that speaks uWSGI's protocol, not HTTP."""
    if spec.protocol == Protocol.UWSGI:
        action: Resource = {"tcpSocket": {"port": "http"}}
    else:
        host = rendered.app.env.get("HARNESS_ALLOWED_HOSTS", "localhost").split(",")[0]
        headers = [{"name": "Host", "value": host.strip()}]
        action = {"httpGet": {"path": health_path(spec), "port": "http", "httpHeaders": headers}}
    worker = max(1, whole_seconds(spec.timeouts.worker))
    return {
        "readinessProbe": {**action, "periodSeconds": 2, "timeoutSeconds": 1,
                           "failureThreshold": 2},
        # Stuck, not slow: no answer within the worker timeout, three times running.
        "livenessProbe": {**action, "periodSeconds": 10, "timeoutSeconds": worker,
                          "failureThreshold": 3},
    }  # fmt: skip


def app_deployment(spec: StackSpec, rendered: RenderedStack) -> Resource:
    """The app replicas: the stack's server command line, config files and environment."""
    container: Resource = {
        "name": "server",
        "image": app_image(spec),
        "command": list(rendered.app.command),
        "ports": [{"name": "http", "containerPort": APP_PORT, "protocol": "TCP"}],
        # Each replica's own id, as the Docker stack's app-1 .. app-N.
        "env": [{"name": "HARNESS_INSTANCE",
                 "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "envFrom": [{"configMapRef": {"name": "app-settings"}}],
        **_app_probes(spec, rendered),
        "lifecycle": _pre_stop(),
        "resources": {
            "requests": {"cpu": f"{CPU_PER_WORKER_MILLI * spec.workers}m",
                         "memory": f"{MEMORY_PER_WORKER_MIB * (spec.workers + 1)}Mi"},
            "limits": {"memory": f"{2 * MEMORY_PER_WORKER_MIB * (spec.workers + 1)}Mi"},
        },
    }  # fmt: skip
    pod: Resource = {"terminationGracePeriodSeconds": app_grace_seconds(spec),
                     "containers": [container]}  # fmt: skip
    if rendered.app.files:
        container["volumeMounts"] = _mounts("server-config", rendered.app)
        pod["volumes"] = [{"name": "server-config", "configMap": {"name": "server-config"}}]
    return _deployment(spec, "app", spec.replicas, pod, declared_annotations(spec))


def _proxy_ports(spec: StackSpec) -> list[Resource]:
    ports = [_port("http", HTTP_PORT)]
    if spec.tls:
        ports.append(_port("https", HTTPS_PORT))
    return ports


def proxy_deployment(spec: StackSpec, rendered: RenderedStack) -> Resource:
    """The stack's own proxy with its effective config, and the app image's static files
    copied by an init container into the folder the proxy serves them from."""
    kit = proxy_kit(spec.proxy)
    mounts = [*_mounts("proxy-config", rendered.proxy), {"name": "static", "mountPath": STATIC_DIR}]
    volumes: list[Resource] = [
        {"name": "proxy-config", "configMap": {"name": "proxy-config"}},
        {"name": "static", "emptyDir": {}},
    ]
    for index, path in enumerate(kit.tmpfs):
        mounts.append({"name": f"scratch-{index}", "mountPath": path})
        volumes.append({"name": f"scratch-{index}", "emptyDir": {"medium": "Memory"}})
    if spec.tls:  # your certificate: kubectl create secret tls proxy-tls --cert ... --key ...
        mounts.append({"name": "tls", "mountPath": TLS_DIR, "readOnly": True})
        volumes.append({"name": "tls", "secret": {"secretName": "proxy-tls"}})
    copy_static = {
        "name": "static-files",
        "image": app_image(spec),
        "command": ["sh", "-c", f"cp -R {STATIC_DIR}/. /static/"],
        "volumeMounts": [{"name": "static", "mountPath": "/static"}],
    }
    container: Resource = {
        "name": "proxy", "image": base_tag(spec.suite), "command": list(rendered.proxy.command),
        "ports": _container_ports(_proxy_ports(spec)),
        "readinessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 2},
        "livenessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 10},
        "lifecycle": _pre_stop(), "resources": SMALL_SERVICE, "volumeMounts": mounts,
    }  # fmt: skip
    pod = {
        "terminationGracePeriodSeconds": proxy_grace_seconds(spec),
        "initContainers": [copy_static],
        "containers": [container],
        "volumes": volumes,
    }
    return _deployment(spec, "proxy", 1, pod, {})


def redis_deployment(spec: StackSpec) -> Resource:
    """Redis for the counter, the request log and the Channels layer; no persistence."""
    container = {
        "name": "redis", "image": base_tag(spec.suite), "command": REDIS_COMMAND,
        "ports": [{"name": "redis", "containerPort": REDIS_PORT, "protocol": "TCP"}],
        "readinessProbe": {"tcpSocket": {"port": "redis"}, "periodSeconds": 2},
        "resources": SMALL_SERVICE,
    }  # fmt: skip
    return _deployment(spec, "redis", 1, {"containers": [container]}, {})


def _service(name: str, component: str, ports: list[Resource]) -> Resource:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(name, component),
        "spec": {"type": "ClusterIP", "selector": _labels(component), "ports": ports},
    }


def ingress(spec: StackSpec) -> Resource:
    """ingress-nginx in front of the stack's proxy, with the stack's limits and timeouts."""
    annotations = {**ingress_annotations(spec), **declared_annotations(spec)}
    port = "http"
    if spec.tls:  # the stack's proxy terminates TLS, as on Docker: the Ingress re-encrypts
        annotations["nginx.ingress.kubernetes.io/backend-protocol"] = "HTTPS"
        port = "https"
    path = {"path": spec.prefix or "/", "pathType": "Prefix",
            "backend": {"service": {"name": "proxy", "port": {"name": port}}}}  # fmt: skip
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": _metadata("stack", "proxy", annotations),
        "spec": {"ingressClassName": "nginx",
                 "rules": [{"host": TEST_HOST_NAME, "http": {"paths": [path]}}]},
    }  # fmt: skip
