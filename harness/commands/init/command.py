"""A server's command line, as a Dockerfile's CMD (or a start script) gives it: which server
it runs, the options it gives, and the same line made fit to run in a stack.

In a stack the proxy reaches each replica as `app-N` on port 8000 (APP_PORT) and the server's
own config file, when the stack file names one, is copied to /etc/harness/. So the command
line init writes listens on 0.0.0.0:8000 and reads its config from there; each change is said
in the value's comment.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath

from harness.spec.model import APP_PORT, ServerKind

LISTEN = f"0.0.0.0:{APP_PORT}"
ETC = "/etc/harness"
SERVER_WORDS = {
    "gunicorn": ServerKind.GUNICORN, "uvicorn": ServerKind.UVICORN,
    "daphne": ServerKind.DAPHNE, "hypercorn": ServerKind.HYPERCORN,
    "uwsgi": ServerKind.UWSGI, "pyuwsgi": ServerKind.UWSGI, "granian": ServerKind.GRANIAN,
    "waitress-serve": ServerKind.WAITRESS, "waitress": ServerKind.WAITRESS,
}  # fmt: skip
# Servers (and development servers) the harness does not run, by the word that starts them.
OTHER_SERVERS = {
    "bjoern": "bjoern", "meinheld": "meinheld", "cheroot": "cheroot", "tornado": "Tornado",
    "sanic": "Sanic's server", "twistd": "Twisted", "aiohttp": "aiohttp's server",
    "gevent": "gevent's server", "runserver": "Django's development server (manage.py runserver)",
    "run": "Flask's development server (flask run)", "fastapi": "the fastapi CLI",
}  # fmt: skip
_WRAPPERS = {"exec", "env", "tini", "dumb-init", "gosu", "su-exec", "nice", "--"}
_PYTHON = re.compile(r"python(\d(\.\d+)?)?")
_SHELLS = {"sh", "bash", "dash", "ash"}
_CONFIG_FLAGS = {ServerKind.GUNICORN: ("-c", "--config"), ServerKind.UWSGI: ("--ini",)}
_CONFIG_NAMES = {ServerKind.GUNICORN: "gunicorn.conf.py", ServerKind.UWSGI: "uwsgi.ini"}


@dataclass(frozen=True, slots=True)
class ServerCommand:
    """The server a command runs (None: none the harness knows), its words from the server's
    name on, where that name is in the command, and what else it runs, named for a message."""

    server: ServerKind | None
    words: tuple[str, ...]
    name_index: int  # in the command's words; -1 inside `sh -c` (read, never rewritten)
    other: str | None = None  # a server the harness does not run, or "" for a script

    @property
    def in_shell(self) -> bool:
        return self.name_index < 0


def identify(words: tuple[str, ...]) -> ServerCommand:
    """The server a command starts, looking through wrappers (`exec`, `tini --`, `python -m`)
    and into `sh -c "... && gunicorn ..."` (its last command that starts a server)."""
    index = 0
    while index < len(words):
        word = PurePosixPath(words[index]).name
        rest = words[index + 1 :]
        if word in _SHELLS and rest[:1] == ("-c",) and len(rest) > 1:
            return _in_shell(rest[1])
        if word in _WRAPPERS or word.startswith("-"):
            index += 1
            continue
        if _PYTHON.fullmatch(word) and rest[:1] == ("-m",) and len(rest) > 1:
            index += 2  # `python -m gunicorn ...`: the module names the server
            continue
        if _PYTHON.fullmatch(word) and rest:
            return _other(words, index + 1, rest[1:2])
        return _known(words, index)
    return ServerCommand(None, (), -1, "")


def _known(words: tuple[str, ...], index: int) -> ServerCommand:
    word = PurePosixPath(words[index]).name
    if word in SERVER_WORDS:
        return ServerCommand(SERVER_WORDS[word], words[index:], index)
    if word == "flask" and words[index + 1 : index + 2] == ("run",):
        return ServerCommand(None, words[index:], index, OTHER_SERVERS["run"])
    return ServerCommand(None, words[index:], index, OTHER_SERVERS.get(word, ""))


def _other(words: tuple[str, ...], index: int, argument: tuple[str, ...]) -> ServerCommand:
    """`python manage.py runserver` or `python app.py`: not a server the harness runs."""
    script = PurePosixPath(words[index]).name
    if script == "manage.py" and argument == ("runserver",):
        return ServerCommand(None, words[index:], index, OTHER_SERVERS["runserver"])
    return ServerCommand(None, words[index:], index, f"python {script}")


def _in_shell(script: str) -> ServerCommand:
    for part in reversed(re.split(r"&&|\|\||;|\n", script)):
        try:
            words = tuple(shlex.split(part))
        except ValueError:
            continue
        found = identify(words) if words else None
        if found is not None and found.server is not None:
            return ServerCommand(found.server, found.words, -1)
    return ServerCommand(None, (), -1, "")


def option_values(words: tuple[str, ...] | list[str], flags: tuple[str, ...]) -> list[str]:
    """Every value given for one of `flags` (`-b X`, `--bind X`, `--bind=X`)."""
    values = []
    for index, word in enumerate(words):
        name, equals, inline = word.partition("=")
        if name in flags:
            if equals:
                values.append(inline)
            elif index + 1 < len(words):
                values.append(words[index + 1])
    return values


def without_options(words: list[str], flags: tuple[str, ...]) -> list[str]:
    """The words with every `flag value` (or `flag=value`) of `flags` left out."""
    kept: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        name, equals, _ = word.partition("=")
        if name in flags:
            skip = not equals
            continue
        kept.append(word)
    return kept


def config_path_in(command: ServerCommand) -> str | None:
    """The config file the command names (`gunicorn -c X`, `uwsgi --ini X` or `uwsgi X.ini`)."""
    if command.server is None or command.server not in _CONFIG_FLAGS:
        return None
    values = option_values(command.words, _CONFIG_FLAGS[command.server])
    if not values and command.server == ServerKind.UWSGI:
        values = [w for w in command.words[1:] if w.endswith(".ini")]
    return values[-1] if values and not values[-1].startswith("python:") else None


def harness_config_path(server: ServerKind) -> str:
    """Where the harness puts the server config a stack file names (overrides.server_config)."""
    return f"{ETC}/{_CONFIG_NAMES[server]}"


def with_harness_config(server: ServerKind, words: list[str], named: str | None) -> list[str]:
    """The server's words reading its config from the harness's copy: the path the command
    named replaced, or the option added after the server's name when it named none."""
    target = harness_config_path(server)
    if named is None:
        flag = _CONFIG_FLAGS[server][-1]
        return [words[0], flag, target, *words[1:]]
    return [target if word == named else word.replace(f"={named}", f"={target}") for word in words]
