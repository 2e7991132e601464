"""The one boundary to docker-py: its errors become harness errors here, nowhere else.

Like httpx's `map_exceptions()`: every call that drives the engine on a stack's behalf runs
inside `docker_errors(stack, service)`, so a user sees which stack and which service failed,
what the engine said and what to do, never a docker-py traceback.

    docker.errors.ImageNotFound        -> ConfigError       (an image name the engine lacks)
    docker.errors.BuildError           -> ImageBuildError
    docker.errors.NotFound             -> StackStartError   (the container or network is gone)
    docker.errors.APIError (409/500..) -> StackStartError   (the engine refused the container)
    any other DockerException,
    requests' ConnectionError          -> EngineError       (the engine went away)

With an `action` (what a running scenario asked of a service: "stop", "pause", ...), the
two StackStartErrors are StackErrors instead, saying what was asked: the stack had started.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import docker.errors
import requests.exceptions

from harness.engine import LABEL_SERVICE, LABEL_STACK
from harness.errors import ConfigError, EngineError, ImageBuildError, StackError, StackStartError


def _said(error: docker.errors.DockerException) -> str:
    explanation = getattr(error, "explanation", None)
    return str(explanation or error).strip()


def docker_errors(
    stack: str, service: str = "any service", action: str | None = None, hint: str | None = None
) -> AbstractContextManager[None]:
    """Translate docker-py's errors raised inside the block into harness errors naming the
    stack and the service (and the action asked of it, on a running stack). `hint` replaces
    the default hint for a refusal, where the caller knows the likely cause better."""
    where = f"stack {stack}, service {service}"
    if action is None:
        return _translated(where)
    state_hint = hint or (
        f"its state may not allow {action}: `docker ps -a --filter label={LABEL_STACK}={stack} "
        f"--filter label={LABEL_SERVICE}={service}` shows it."
    )
    return _translated(f"{where} ({action})", StackError, state_hint)


def command_docker_errors(command: str) -> AbstractContextManager[None]:
    """The CLI's last resort, around a whole command: names the command."""
    return _translated(f"harness {command}")


@contextmanager
def _translated(
    where: str,
    refused: type[StackError] = StackStartError,
    refused_hint: str = (
        "`docker logs` of the service's container, or `harness clean` if an earlier run "
        "left it behind."
    ),
) -> Iterator[None]:
    try:
        yield
    except docker.errors.ImageNotFound as error:
        raise ConfigError(
            f"{where}: the engine has no image: {_said(error)}. Hint: build it first "
            "(`docker build -t NAME .`), check the name with `docker images`, or remove "
            "overrides.image to run the harness's own app image."
        ) from None
    except docker.errors.BuildError as error:
        raise ImageBuildError(f"{where}: image build failed: {_said(error)}") from None
    except docker.errors.NotFound as error:
        raise refused(
            f"{where}: the engine no longer has it: {_said(error)}. Hint: something removed "
            "this run's containers while it ran (`harness clean`, `docker rm`, a reaping "
            "run); run again without that."
        ) from None
    except docker.errors.APIError as error:
        raise refused(
            f"{where}: the engine refused: {_said(error)}. Hint: {refused_hint}"
        ) from None
    except (docker.errors.DockerException, requests.exceptions.ConnectionError) as error:
        raise EngineError(
            f"{where}: lost the Docker engine: {_said(error)}. "
            "Hint: is it running? `harness doctor` checks."
        ) from None
