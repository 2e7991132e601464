"""Render every config of a stack from its spec (or take the user's own files)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2

from harness.building.configs.model import STATIC_DIR, TLS_DIR, ConfigFile, RunValues, ServiceConfig
from harness.building.configs.servers import server_command, server_context, server_files
from harness.parts import proxy_kit
from harness.parts.kinds import ClientProtocol
from harness.paths import TEMPLATES_DIR
from harness.spec.model import APP_PORT, HTTP_PORT, HTTPS_PORT, TEST_HOST_NAME, StackSpec
from harness.spec.prefix import PrefixHandling

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,  # config files, not HTML
)


@dataclass(frozen=True, slots=True)
class RenderedStack:
    """The effective configs of a stack: what the proxy and each replica run with."""

    proxy: ServiceConfig
    app: ServiceConfig


def replica_names(spec: StackSpec) -> list[str]:
    return [f"app-{index}" for index in range(1, spec.replicas + 1)]


def template_context(spec: StackSpec, run: RunValues) -> dict[str, Any]:
    """Every value our templates may use; run values are placeholders outside a run."""
    return {
        "stack_id": spec.id,
        "replicas": replica_names(spec),
        "server_label": spec.server_label,
        "protocol": str(spec.protocol),
        "balancing": str(spec.balancing),
        "tls": spec.tls,
        "http3": ClientProtocol.H3 in spec.offered_protocols,
        "cache": spec.cache,
        "suite": str(spec.suite),
        "tls_versions": list(spec.tls_versions),
        "workers": spec.workers,
        "threads": spec.threads,
        "timeouts": asdict(spec.timeouts),
        "upstream_idle": upstream_idle_seconds(spec),
        "limits": asdict(spec.limits),
        "app_port": APP_PORT,
        "http_port": HTTP_PORT,
        "https_port": HTTPS_PORT,
        "tls_dir": TLS_DIR,
        "static_dir": STATIC_DIR,
        "test_host_name": TEST_HOST_NAME,
        **prefix_context(spec),
        **asdict(run),
        **server_context(spec),
    }


def prefix_context(spec: StackSpec) -> dict[str, Any]:
    """The proxy's side of a URL prefix (harness/spec/prefix.py): `url_prefix`, where the app
    is published ("" at the root); `upstream_root`, the path the proxy sends it as ("" when it
    strips the prefix); `forwarded_prefix`, the X-Forwarded-Prefix it sends ("" for none)."""
    handling = spec.prefix_handling
    return {
        "url_prefix": spec.prefix or "",
        "upstream_root": spec.replica_root,
        "forwarded_prefix": spec.prefix if handling == PrefixHandling.FORWARDED else "",
    }


def upstream_idle_seconds(spec: StackSpec) -> int:
    """How long the proxy keeps an idle upstream connection: two seconds less than the
    server's keep-alive, so the proxy never sends a request on a connection the server is
    closing (a reset, and a 502 for the client)."""
    return max(1, int(spec.timeouts.keepalive) - 2)


def _own_or_ours(
    own: Path | None, ours: str, context: dict[str, Any], run: RunValues
) -> tuple[str, str]:
    if own is not None:
        return run.fill(own.read_text(encoding="utf-8")), str(own)
    return _ENVIRONMENT.get_template(ours).render(**context), "generated"


def app_env(spec: StackSpec) -> dict[str, str]:
    """The environment every replica shares (each also gets its own HARNESS_INSTANCE)."""
    env = {
        "HARNESS_SERVER": spec.server_label,
        "HARNESS_INTERFACE": str(spec.interface),
        "HARNESS_PROXY_HOPS": str(spec.proxy_hops),
        "HARNESS_TRUST": str(spec.trust),
        "HARNESS_ALLOWED_HOSTS": f"localhost,127.0.0.1,{TEST_HOST_NAME}",
        "REDIS_URL": "redis://redis:6379/0",
        "DJANGO_SETTINGS_MODULE": spec.overrides.django_settings or "django_app.settings",
    }
    env.update(spec.overrides.env)
    return env


def render_stack(spec: StackSpec, run: RunValues | None = None) -> RenderedStack:
    """The configs a stack runs with; without run values, run placeholders stay in place."""
    run = run or RunValues()
    context = template_context(spec, run)
    layout = proxy_kit(spec.proxy)
    proxy_text, proxy_source = _own_or_ours(
        spec.overrides.proxy_config, layout.template, context, run
    )
    helpers = tuple(
        ConfigFile(path, _ENVIRONMENT.get_template(template).render(**context))
        for template, path in layout.helpers
    )
    proxy = ServiceConfig(
        command=layout.command,
        files=(ConfigFile(layout.config_path, proxy_text, proxy_source), *helpers),
        check_command=layout.check_command,
    )
    files = server_files(spec, lambda name: _ENVIRONMENT.get_template(name).render(**context))
    if spec.overrides.server_config is not None:
        if not files:
            files = (ConfigFile("/etc/harness/server.conf", ""),)
        own = spec.overrides.server_config
        files = (ConfigFile(files[0].path, run.fill(own.read_text(encoding="utf-8")), str(own)),)
    app = ServiceConfig(
        command=server_command(spec), files=files, env=MappingProxyType(app_env(spec))
    )
    return RenderedStack(proxy=proxy, app=app)
