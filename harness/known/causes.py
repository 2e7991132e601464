"""The parts of a stack that a known failure comes from, and which of them a stack file replaces.

A known incompatibility (harness/known/incompatibilities.py) is caused by a part of a stack: our
generated proxy config, our server config or command line, the server or framework installed
in the app image, or the proxy software itself (rarely two together: hypercorn's multi-worker
stop with our `--workers 2`). A user who replaces such a part with their own (stack-file
`overrides`) runs something else, so the entry no longer speaks for what runs: the scenario's
verdict is their own, and a pass is a pass.

A part counts as replaced only when what runs differs from what the harness would generate:
the configs that `harness render` wrote, used unchanged (or with only their comments changed,
such as the header naming the stack they were rendered for), are still ours.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import assert_never

from harness.building.configs import RenderedStack, render_stack
from harness.spec.model import StackSpec

__all__ = ["Part", "replaced_parts"]


class Part(StrEnum):
    """Where a known failure comes from, and so what a stack file must replace to lift it."""

    # The proxy config we generate (docker/templates): a user's `overrides.proxy_config` may
    # fix what ours cannot, e.g. re-resolve upstream names with a resolver.
    PROXY_CONFIG = "proxy-config"
    # The server config file or command line we generate: `overrides.server_config` or
    # `overrides.server_args` replace it.
    SERVER_CONFIG = "server-config"
    # The server software in our app image (daphne, hypercorn, uWSGI ...): no setting of it
    # helps, but a user's own image (`overrides.image`) may run another version or server.
    SERVER_SOFTWARE = "server-software"
    # The framework in our app image (Django's WSGI handler ...): likewise, only a user's own
    # image may change it.
    FRAMEWORK = "framework"
    # The proxy itself, installed from the suite's packages in our base image: no stack file
    # replaces it; a version range on the entry says which releases have the failure.
    PROXY_SOFTWARE = "proxy-software"

    @property
    def replaced_by(self) -> str:
        """The stack-file fields that replace this part, as a user reads them."""
        match self:
            case Part.PROXY_CONFIG:
                return "overrides.proxy_config"
            case Part.SERVER_CONFIG:
                return "overrides.server_config or overrides.server_args"
            case Part.SERVER_SOFTWARE | Part.FRAMEWORK:
                return "overrides.image"
            case Part.PROXY_SOFTWARE:
                return "nothing: only another suite (another proxy version)"
            case _:
                assert_never(self)


def replaced_parts(spec: StackSpec) -> frozenset[Part]:
    """The parts of the stack that its stack file replaced with something other than ours."""
    overrides = spec.overrides
    replaced: set[Part] = set()
    if overrides.image is not None:
        replaced |= {Part.SERVER_SOFTWARE, Part.FRAMEWORK}
    if (overrides.proxy_config, overrides.server_config, overrides.server_args) == (None,) * 3:
        return frozenset(replaced)
    ours = render_stack(
        dataclasses.replace(
            spec,
            overrides=dataclasses.replace(
                overrides, proxy_config=None, server_config=None, server_args=None
            ),
        )
    )
    mine = render_stack(spec)
    if _proxy_config(mine) != _proxy_config(ours):
        replaced.add(Part.PROXY_CONFIG)
    if _server_config(mine) != _server_config(ours):
        replaced.add(Part.SERVER_CONFIG)
    return frozenset(replaced)


def _proxy_config(rendered: RenderedStack) -> list[str]:
    """The main proxy config file's effective lines (helper files are always ours)."""
    return _effective_lines(rendered.proxy.files[0].content)


def _server_config(rendered: RenderedStack) -> tuple[object, ...]:
    """The server's command line and config files, by path and effective lines."""
    files = [(f.path, _effective_lines(f.content)) for f in rendered.app.files]
    return (rendered.app.command, files)


def _effective_lines(text: str) -> list[str]:
    """A config file's lines that take effect: without blank lines and whole-line comments
    (`#`, and `;` in uwsgi.ini), trailing spaces dropped; indentation kept (Python)."""
    lines = (line.rstrip() for line in text.splitlines())
    return [line for line in lines if line and not line.lstrip().startswith(("#", ";"))]
