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
