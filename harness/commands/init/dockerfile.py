"""What a Dockerfile says about the app it builds: its base, its environment, the command it
runs (CMD, after any ENTRYPOINT), the requirements it installs and the files it copies.

Instructions are read as Docker reads them (continuation lines joined, comments dropped); a
multi-stage file is read whole, the last CMD and ENTRYPOINT winning as in its final stage.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from harness.commands.init.scan import Found, ProjectFiles, also, where

DOCKERFILE_NAMES = r"(Dockerfile|Containerfile)(\.[\w.-]+)?|[\w.-]+\.(Dockerfile|dockerfile)"
HARNESS_BASE = "HARNESS_BASE_IMAGE"
SUPPORT = "harness-support"
# Shell syntax that a command's words cannot be split from without a shell.
_SHELL_SYNTAX = re.compile(r"[$`|;&<>]|\\\n")
_PIP_REQUIREMENTS = re.compile(r"(?:-r|--requirement)[\s=]+(\S+)")
_PIP_INSTALL = re.compile(r"\bpip3?\s+install\s+([^;&|]*)")
# pip options whose value is the next word.
_PIP_VALUED = {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i",
               "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target",
               "--prefix", "--root", "--src", "--cache-dir"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str  # upper case: FROM, CMD, ...
    arguments: str
    line: int


@dataclass(frozen=True, slots=True)
class Command:
    """A CMD or ENTRYPOINT as words, and whether it was written in shell form."""

    words: tuple[str, ...]
    shell_form: bool
    line: int


@dataclass(frozen=True, slots=True)
class DockerfileFacts:
    path: Path
    base: Found[str] | None  # the last FROM's image
    builds_from_harness_base: bool
    env: dict[str, Found[str]]
    cmd: Command | None
    entrypoint: Command | None
    installed_requirements: tuple[str, ...]  # `pip install -r X` paths
    installed_packages: tuple[Found[str], ...]  # `pip install fastapi uvicorn` names
    installs_from_wheels: bool  # from harness-support/wheels, offline
    copies_adapter: bool  # harness-support/harness_contract
    missing_sources: tuple[Found[str], ...]  # COPY sources absent from the build context

    def describe(self, command: Command) -> str:
        """`Dockerfile line 15: CMD` (its words are the value written beside it)."""
        keyword = "CMD" if command is self.cmd else "ENTRYPOINT"
        form = " (shell form)" if command.shell_form else ""
        return where(self.path, command.line, f"{keyword}{form}")


def find_dockerfile(files: ProjectFiles) -> Found[Path] | None:
    """The likeliest Dockerfile: `Dockerfile` itself before `Dockerfile.dev` or `app.Dockerfile`."""
    candidates = files.matching(DOCKERFILE_NAMES)
    if not candidates:
        return None
    plain = [p for p in candidates if p.name in ("Dockerfile", "Containerfile")]
    chosen = (plain or candidates)[0]
    return Found(chosen, f"found: {chosen.as_posix()}{also(chosen, candidates)}")


def read_dockerfile(files: ProjectFiles, path: Path) -> DockerfileFacts:
    instructions = list(_instructions(files.lines(path)))
    text = files.text(path)
    froms = [i for i in instructions if i.keyword == "FROM"]
    base = None
    if froms:
        image = froms[-1].arguments.split()[0] if froms[-1].arguments.split() else ""
        base = Found(image, where(path, froms[-1].line, f"FROM {froms[-1].arguments}"))
    runs = " ".join(i.arguments for i in instructions if i.keyword == "RUN")
    return DockerfileFacts(
        path=path,
        base=base,
        builds_from_harness_base=any(HARNESS_BASE in i.arguments for i in froms),
        env=_environment(path, instructions),
        cmd=_command(instructions, "CMD"),
        entrypoint=_command(instructions, "ENTRYPOINT"),
        installed_requirements=tuple(_PIP_REQUIREMENTS.findall(runs)),
        installed_packages=tuple(_pip_packages(path, instructions)),
        installs_from_wheels=f"{SUPPORT}/wheels" in text and "--no-index" in runs,
        copies_adapter=f"{SUPPORT}/harness_contract" in text or f"{SUPPORT} " in text,
        missing_sources=tuple(_missing_sources(files, path, instructions)),
    )


def _instructions(lines: list[str]) -> list[Instruction]:
    """Instructions with their continuation lines joined, comments left out."""
    found: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if not pending:
            start = number
        continued = stripped.endswith("\\")
        pending.append(stripped[:-1] if continued else stripped)
        if not continued:
            keyword, _, arguments = " ".join(pending).partition(" ")
            found.append(Instruction(keyword.upper(), arguments.strip(), start))
            pending = []
    return found


def _command(instructions: list[Instruction], keyword: str) -> Command | None:
    """The last CMD (or ENTRYPOINT) as words: exec form as written, shell form split when it
    uses no shell syntax (else one `sh -c` command)."""
    chosen = [i for i in instructions if i.keyword == keyword]
    if not chosen:
        return None
    last = chosen[-1]
    if last.arguments.startswith("["):
        try:
            words = json.loads(last.arguments)
        except json.JSONDecodeError:
            words = None
        if isinstance(words, list) and all(isinstance(w, str) for w in words):
            return Command(tuple(words), shell_form=False, line=last.line)
    if _SHELL_SYNTAX.search(last.arguments):
        return Command(("/bin/sh", "-c", last.arguments), shell_form=True, line=last.line)
    try:
        return Command(tuple(shlex.split(last.arguments)), shell_form=True, line=last.line)
    except ValueError:
        return Command(("/bin/sh", "-c", last.arguments), shell_form=True, line=last.line)


def _environment(path: Path, instructions: list[Instruction]) -> dict[str, Found[str]]:
    """`ENV A=1 B=2` and the older `ENV A 1`, the last value of each name."""
    env: dict[str, Found[str]] = {}
    for instruction in (i for i in instructions if i.keyword == "ENV"):
        try:
            words = shlex.split(instruction.arguments)
        except ValueError:
            continue
        if words and "=" not in words[0]:
            pairs = [(words[0], " ".join(words[1:]))]
        else:
            pairs = [(w.partition("=")[0], w.partition("=")[2]) for w in words if "=" in w]
        for name, value in pairs:
            env[name] = Found(value, where(path, instruction.line, f"ENV {name}={value}"))
    return env


def _missing_sources(
    files: ProjectFiles, path: Path, instructions: list[Instruction]
) -> list[Found[str]]:
    """COPY/ADD sources that are not in the Dockerfile's folder, the build context the
    harness uses: a Dockerfile written for a context elsewhere (`docker build -f
    docker/Dockerfile .`)."""
    context = files.root / path.parent
    missing: list[Found[str]] = []
    for instruction in (i for i in instructions if i.keyword in ("COPY", "ADD")):
        words = instruction.arguments.split()
        if instruction.arguments.startswith("[") or any(w.startswith("--from") for w in words):
            continue  # JSON form, or from another stage or image
        words = [w for w in words if not w.startswith("--")]
        for source in words[:-1]:
            if any(c in source for c in "*?$") or source.startswith((SUPPORT, "http")):
                continue
            if not (context / source).exists():
                missing.append(Found(source, where(path, instruction.line, f"COPY {source}")))
    return missing


def _pip_packages(path: Path, instructions: list[Instruction]) -> list[Found[str]]:
    """Packages a RUN line installs by name (`pip install fastapi "uvicorn[standard]"`)."""
    found = []
    for instruction in (i for i in instructions if i.keyword == "RUN"):
        for match in _PIP_INSTALL.finditer(instruction.arguments):
            try:
                words = shlex.split(match.group(1))
            except ValueError:
                continue
            skip = False
            for word in words:
                if skip or word.startswith("-"):
                    skip = not skip and word in _PIP_VALUED
                    continue
                if re.match(r"[A-Za-z0-9]", word) and "/" not in word and word != ".":
                    said = where(path, instruction.line, f"pip install {word}")
                    found.append(Found(word, said))
    return found
