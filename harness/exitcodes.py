"""The `harness` command's exit codes, one per class of failure, so CI can tell them apart.

0  success
1  checks failed: a scenario failed (harness test), a cell newly fails (matrix diff),
   a load step failed too many requests (harness load), a doctor check found a problem
2  usage or configuration: bad arguments, a bad stack file, an unknown stack,
   an unwritable output folder, a missing overrides.image
3  harness load only: the gate found a regression against --baseline
4  the Docker engine cannot be reached or refused a request
5  an image (or the wheelhouse it needs) could not be built
6  a stack did not start or did not become ready
130 interrupted (Ctrl-C, SIGTERM)

A shared service at the bottom of the house, beside errors.py whose tree it maps: the CLI
returns these codes, and so does the pytest plugin (harness/plugin/) when a session cannot
start, so it lives below both rather than in commands/, the top floor.
"""

from __future__ import annotations

from enum import IntEnum

from harness.errors import EngineError, HarnessError, ImageBuildError, StackError


class ExitCode(IntEnum):
    """What the `harness` process returns; documented in --help and the README."""

    OK = 0
    CHECKS_FAILED = 1
    USAGE = 2
    REGRESSION = 3
    ENGINE = 4
    IMAGE_BUILD = 5
    STACK_START = 6
    INTERRUPTED = 130


def exit_code_for(error: HarnessError) -> ExitCode:
    """The class of a harness error, as an exit code. Errors outside the tree's leaves (an
    unknown stack id, a bad option value) are the user's input: usage."""
    if isinstance(error, EngineError):
        return ExitCode.ENGINE
    if isinstance(error, ImageBuildError):
        return ExitCode.IMAGE_BUILD
    if isinstance(error, StackError):
        return ExitCode.STACK_START
    return ExitCode.USAGE  # ConfigError, and plain HarnessError about the command's input


HELP = """exit codes:
  0    success
  1    checks failed: a scenario (harness test), a newly failing cell (matrix diff),
       a load step over its failure ratio (load), a doctor problem
  2    usage or configuration: bad arguments, stack file, stack id, output folder, image name
  3    harness load: the gate found a regression against --baseline
  4    the Docker engine cannot be reached or refused a request
  5    an image or its wheelhouse could not be built
  6    a stack did not start or did not become ready
  130  interrupted"""
