"""The command a project's image starts its server with: the Dockerfile's CMD (after its
ENTRYPOINT), the start script that CMD runs, or a Procfile's `web:` line.
"""

from __future__ import annotations

import itertools
import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath

from harness.commands.init.command import ServerCommand, identify
from harness.commands.init.dockerfile import DockerfileFacts
from harness.commands.init.scan import ProjectFiles, where

_APP_TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*(\(\))?")
_MODULE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


@dataclass(frozen=True, slots=True)
class Launch:
    """The words the image runs (ENTRYPOINT then CMD), which of them the stack's
    `server_args` replace (from `offset` on: the CMD), and the server they start."""

    words: tuple[str, ...]
    offset: int
    where: str
    server: ServerCommand
    rewritable: bool  # the server's own words are in the CMD, plain (not a script, not sh -c)

    @property
    def cmd(self) -> tuple[str, ...]:
        return self.words[self.offset :]

    @property
    def target(self) -> str | None:
        """The app the server imports: `mysite.wsgi:application`, `main:app`, or a module
        alone (`config.wsgi`: gunicorn takes its `application`), not an option's value."""
        words = self.server.words
        targets = [
            word
            for before, word in itertools.pairwise(words)
            if _APP_TARGET.fullmatch(word)
            or (_MODULE.fullmatch(word) and not (before.startswith("-") and "=" not in before))
        ]
        return targets[-1] if targets else None


def find_launch(files: ProjectFiles, docker: DockerfileFacts | None) -> Launch | None:
    """How the image starts the app; a script's server line when CMD runs a script of the
    project's that starts one."""
    launch = _from_dockerfile(docker) if docker is not None else None
    if launch is not None and launch.server.server is None and launch.server.other == "":
        script = _script_launch(files, launch)
        if script is not None:
            return script
    return launch or _from_procfile(files)


def _from_dockerfile(docker: DockerfileFacts) -> Launch | None:
    entry, cmd = docker.entrypoint, docker.cmd
    if cmd is None and entry is None:
        return None
    words = (entry.words if entry else ()) + (cmd.words if cmd else ())
    offset = len(entry.words) if entry else 0
    shown = cmd or entry
    assert shown is not None
    said = docker.describe(shown)
    if entry is not None and cmd is not None:
        said += f", after {docker.describe(entry)}"
    server = identify(words)
    if server.server is None and entry is not None and cmd is not None:
        inner = identify(cmd.words)  # an entrypoint script that runs its arguments ("$@")
        if inner.server is not None:
            index = -1 if inner.in_shell else inner.name_index + offset
            server = ServerCommand(inner.server, inner.words, index)
    plain = server.server is not None and not server.in_shell and server.name_index >= offset
    return Launch(words, offset, said, server, rewritable=plain and cmd is not None)


def _script_launch(files: ProjectFiles, launch: Launch) -> Launch | None:
    """A start script of the project's (`/start`, `./entrypoint.sh`) that execs a server:
    its server line, as the words the stack runs instead of the script."""
    names = {PurePosixPath(word).name for word in launch.cmd if "/" in word or "." in word}
    names |= {PurePosixPath(launch.cmd[0]).name} if launch.cmd else set()
    for path in (p for p in files.files if p.name in names and p.suffix in ("", ".sh")):
        for number, line in reversed(list(enumerate(files.lines(path), start=1))):
            words = _words(line)
            words = words[1:] if words[:1] == ("exec",) else words  # a shell's, not a program
            server = identify(words) if words and "$" not in line else None
            if server is not None and server.server is not None and not server.in_shell:
                said = where(path, number, line.strip()) + f" (run by {launch.where})"
                return Launch(words, 0, said, server, rewritable=True)
    return None


def _from_procfile(files: ProjectFiles) -> Launch | None:
    for path in files.named("Procfile")[:1]:
        for number, line in enumerate(files.lines(path), start=1):
            if line.startswith("web:"):
                words = _words(line[len("web:") :])
                if words:
                    server = identify(words)
                    plain = server.server is not None and not server.in_shell
                    return Launch(words, 0, where(path, number, line.strip()), server, plain)
    return None


def _words(line: str) -> tuple[str, ...]:
    text = line.split(" #", 1)[0].strip()
    if not text or text.startswith("#"):
        return ()
    try:
        return tuple(shlex.split(text))
    except ValueError:
        return ()
