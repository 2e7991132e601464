"""deploy-harness: proves Python web deployments work, with real proxies and servers.

The public names below are imported on first use (PEP 562), not with the package: every
`import harness.<module>` imports this package first, and `harness --help`, a usage error or
a unit test of one module would otherwise pay for docker-py, httpx, jinja2 and the image
builders (about 0.5 CPU s a process on this machine).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from harness.errors import (
    ConfigError,
    EngineError,
    HarnessError,
    ImageBuildError,
    ReadinessTimeout,
    StackError,
    StackStartError,
)

if TYPE_CHECKING:
    from harness.run.session import HarnessSession
    from harness.run.stack import Stack
    from harness.spec.model import StackSpec
    from harness.spec.selection import select_stacks
    from harness.spec.stackfile import load_stack_file

__all__ = [
    "ConfigError",
    "EngineError",
    "HarnessError",
    "HarnessSession",
    "ImageBuildError",
    "ReadinessTimeout",
    "Stack",
    "StackError",
    "StackSpec",
    "StackStartError",
    "load_stack_file",
    "select_stacks",
]

# Public name -> the module that defines it, imported when the name is first asked for.
_LAZY = {
    "HarnessSession": "harness.run.session",
    "Stack": "harness.run.stack",
    "StackSpec": "harness.spec.model",
    "select_stacks": "harness.spec.selection",
    "load_stack_file": "harness.spec.stackfile",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'harness' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
