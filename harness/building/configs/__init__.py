"""Configs a stack runs with: proxy config files, server config files and command lines.

Our own configs are Jinja templates in docker/templates, readable by anyone who knows the
proxy or server. A user's own file (stack-file `overrides`) replaces ours verbatim, except for
the few run placeholders (see RUN_PLACEHOLDERS) that `harness render` leaves in place.
"""

from harness.building.configs.model import RUN_PLACEHOLDERS, ConfigFile, RunValues, ServiceConfig
from harness.building.configs.render import RenderedStack, render_stack

__all__ = [
    "RUN_PLACEHOLDERS",
    "ConfigFile",
    "RenderedStack",
    "RunValues",
    "ServiceConfig",
    "render_stack",
]
