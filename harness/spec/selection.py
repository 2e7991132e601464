"""Choosing stacks: a profile, globs over stack ids, and users' stack files."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Sequence
from pathlib import Path

from harness.errors import ConfigError
from harness.spec.catalog import PROFILES, STACKS
from harness.spec.model import StackSpec
from harness.spec.stackfile import load_stack_file

DEFAULT_PROFILE = "default"


def known_stacks(from_files: Sequence[StackSpec] = ()) -> dict[str, StackSpec]:
    """Built-in stacks plus those of stack files; a file's stack replaces a same-id one."""
    return {**STACKS, **{spec.id: spec for spec in from_files}}


def nearest_stacks(name: str, stacks: Sequence[str]) -> str:
    """The end of an unknown-stack message: the known ids closest to `name`, not all of them."""
    close = difflib.get_close_matches(name.replace("*", "").replace("?", ""), stacks, n=5)
    like = f"Known stacks like it: {', '.join(close)}" if close else "No known stack is like it"
    return f"{like} ({len(stacks)} in all). Hint: `harness stacks` lists them."


def select_stacks(
    globs: Sequence[str] = (),
    stack_files: Sequence[Path] = (),
    profile: str | None = None,
) -> list[StackSpec]:
    """The stacks a run uses.

    With globs: every known stack (built-in or from the files) matching any glob. Without:
    the stacks of the given files, or else the profile's stacks (`default` when none is named).
    """
    from_files = [spec for path in stack_files for spec in load_stack_file(path)]
    stacks = known_stacks(from_files)
    if profile is not None and profile not in PROFILES:
        raise ConfigError(f"--profile: got {profile!r}; allowed: {', '.join(PROFILES)}")
    if globs:
        chosen = [
            spec
            for name, spec in stacks.items()
            if any(fnmatch.fnmatchcase(name, glob) for glob in globs)
        ]
        if not chosen:
            raise ConfigError(
                f"--stack {' '.join(globs)!s}: matches no stack. "
                + nearest_stacks(globs[0], sorted(stacks))
            )
        return chosen
    if stack_files and profile is None:
        return from_files
    return [stacks[name] for name in PROFILES[profile or DEFAULT_PROFILE]]
