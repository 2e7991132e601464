"""deploy-harness: proves Python web deployments work, with real proxies and servers."""

from harness.errors import (
    ConfigError,
    EngineError,
    HarnessError,
    ImageBuildError,
    ReadinessTimeout,
    StackError,
    StackStartError,
)
from harness.selection import select_stacks
from harness.session import HarnessSession
from harness.specs import StackSpec
from harness.stack import Stack
from harness.stackfile import load_stack_file

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
