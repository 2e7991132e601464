"""Where each proxy reads its config, how it starts, and how it checks a config."""

from __future__ import annotations

from dataclasses import dataclass

from harness.building.configs.model import HARNESS_ETC
from harness.spec.model import ProxyKind


@dataclass(frozen=True, slots=True)
class ProxyLayout:
    """A proxy's main config (template and path), its helper files, and its command lines.

    `helpers` are (template, path) pairs rendered next to the main config, such as the Lua
    service HAProxy serves static files with; a user's own main config may use them too.
    """

    template: str
    config_path: str
    command: tuple[str, ...]
    check_command: tuple[str, ...]
    helpers: tuple[tuple[str, str], ...] = ()


LAYOUTS = {
    ProxyKind.NGINX: ProxyLayout(
        template="nginx.conf.j2",
        config_path="/etc/nginx/nginx.conf",
        command=("nginx", "-g", "daemon off;"),
        check_command=("nginx", "-t", "-q"),
    ),
    ProxyKind.HAPROXY: ProxyLayout(
        template="haproxy.cfg.j2",
        config_path="/etc/haproxy/haproxy.cfg",
        command=("haproxy", "-W", "-db", "-f", "/etc/haproxy/haproxy.cfg"),
        check_command=("haproxy", "-c", "-q", "-f", "/etc/haproxy/haproxy.cfg"),
        helpers=(("haproxy-static.lua.j2", f"{HARNESS_ETC}/haproxy-static.lua"),),
    ),
    ProxyKind.APACHE: ProxyLayout(
        template="httpd.conf.j2",
        config_path="/etc/harness/httpd.conf",
        command=("apache2", "-f", "/etc/harness/httpd.conf", "-DFOREGROUND"),
        check_command=("apache2", "-f", "/etc/harness/httpd.conf", "-t"),
    ),
}
