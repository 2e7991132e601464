"""Failure hints for the prefix scenarios: the directives that publish an app under its URL
prefix on the stack's proxy, and the setting that tells its server or framework (each kit's
`prefix` and `root_setting`; harness/spec/prefix.py decides which applies)."""

from __future__ import annotations

from harness.parts import proxy_kit, server_kit
from harness.spec.model import StackSpec
from harness.spec.prefix import PrefixHandling, prefix_handling


def _said(text: str, spec: StackSpec) -> str:
    """A kit's directive with the stack's prefix in place of `{prefix}`."""
    return text.replace("{prefix}", spec.prefix or "")


def _server_root_setting(spec: StackSpec, root: str) -> str:
    return server_kit(spec.server).root_setting.replace("{root}", root)


def how_the_app_is_told(spec: StackSpec) -> str:
    """The directives that publish the app under its prefix and tell it, for failure hints."""
    prefix = spec.prefix or ""
    directives = proxy_kit(spec.proxy).prefix
    handling = prefix_handling(spec)
    strip, keep = _said(directives.strip, spec), _said(directives.keep, spec)
    if handling == PrefixHandling.FORWARDED:
        header = _said(directives.header, spec)
        return f"{strip}, `{header}`, and werkzeug's ProxyFix(x_prefix=1) in the app"
    if handling == PrefixHandling.ADDED_ROOT:
        return f"{strip}, and {_server_root_setting(spec, prefix)} (it adds the root back)"
    return f"{keep}, and {_server_root_setting(spec, prefix)} (it splits the root off)"


def static_location(spec: StackSpec) -> str:
    """The proxy directive that serves static files below the prefix."""
    return _said(proxy_kit(spec.proxy).prefix.static, spec)


def websocket_location(spec: StackSpec) -> str:
    """The proxy directive that passes WebSockets on below the prefix."""
    return _said(proxy_kit(spec.proxy).prefix.websocket, spec)


def outside_refusal(spec: StackSpec) -> str:
    """The proxy directive that keeps paths outside the prefix away from the app."""
    return _said(proxy_kit(spec.proxy).prefix.outside, spec)
