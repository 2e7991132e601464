"""Errors the harness raises, all under one base.

    HarnessError
    ├── ConfigError            a stack file, stack selection or setting is invalid
    ├── EngineError            the Docker engine cannot be reached or refused a request
    ├── ImageBuildError        a base image, wheelhouse or app image could not be built
    └── StackError             a stack could not be brought up or driven
        ├── StackStartError    a container exited or a config was rejected during start-up
        │   └── PortTaken      a port the proxy publishes was taken before it could bind it
        └── ReadinessTimeout   a service did not become ready before its deadline

Every message says what failed, where (file, stack, service), what was expected and what was
seen, and a hint. Errors about containers carry the tail of the relevant logs as a note.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Base of every error the harness raises on purpose."""


class ConfigError(HarnessError):
    """A stack file, a stack selection or a setting is invalid."""


class EngineError(HarnessError):
    """The Docker engine cannot be reached or refused a request."""


class ImageBuildError(HarnessError):
    """An image (or the wheelhouse it needs) could not be built."""


class StackError(HarnessError):
    """A stack could not be brought up or driven."""


class StackStartError(StackError):
    """A container exited or its config was rejected while the stack started."""


class PortTaken(StackStartError):
    """A port chosen for the proxy to publish was taken before the engine could bind it."""


class ExecOutputLost(StackError):
    """A command run in a container exited 0 but none of its output came back: Docker 20.10
    under load sometimes loses a short exec's output (seen once in about 1,400 probes)."""


class ReadinessTimeout(StackError):
    """A service did not become ready before its deadline."""
