"""What each Debian suite ships, known before a run: the proxies' upstream versions (each
proxy kit's `shipped`).

A stack's suite fixes the proxy version it runs (the proxies come from the suite's packages in
our base image), so a known incompatibility that holds only for some versions of a proxy can
say so, and the harness knows at collection time whether it applies: nginx before 1.27.3 has
no `resolve` parameter for upstream servers; bookworm ships 1.22, trixie 1.26.

The versions are upstream versions, as precise as they stay over the suite's point releases:
Debian backports fixes into nginx and HAProxy without changing their upstream version, but
follows Apache's 2.4.x releases in stable updates (bookworm went from 2.4.57 to 2.4.68), so
Apache is known as 2.4 only. Checked for bookworm with `dpkg-query -W` in the base image
(nginx 1.22.1-9+deb12u9, haproxy 2.6.12-1+deb12u3, apache2 2.4.68-1~deb12u1).
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import Version

from harness.parts import proxy_kit
from harness.parts.kinds import ProxyKind, Suite

__all__ = ["VersionRange", "shipped_version"]


def shipped_version(suite: Suite, proxy: ProxyKind) -> Version:
    """The upstream version of the proxy that the suite's packages install."""
    return proxy_kit(proxy).shipped[suite]


@dataclass(frozen=True, slots=True)
class VersionRange:
    """Versions of one proxy: from `since` (included) up to `before` (excluded).

    An open end is written as None: `VersionRange(ProxyKind.NGINX, before="1.27.3")` is every
    nginx before 1.27.3. Versions are PEP 440 strings, checked when the range is made.
    """

    proxy: ProxyKind
    since: str | None = None
    before: str | None = None

    def __post_init__(self) -> None:
        for bound in (self.since, self.before):
            if bound is not None:
                Version(bound)  # an invalid bound fails at import, not in the middle of a run

    def __contains__(self, version: Version) -> bool:
        return (self.since is None or version >= Version(self.since)) and (
            self.before is None or version < Version(self.before)
        )

    def holds_on(self, suite: Suite) -> bool:
        """Whether the proxy version the suite ships is in this range."""
        return shipped_version(suite, self.proxy) in self

    def __str__(self) -> str:
        bounds = [
            *([f">= {self.since}"] if self.since else []),
            *([f"< {self.before}"] if self.before else []),
        ]
        return f"{self.proxy} {', '.join(bounds) or '(any version)'}"
