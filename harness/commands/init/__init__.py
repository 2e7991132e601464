"""`harness init [FOLDER]`: a stack file for the project in a folder, from what is there.

It finds the Dockerfile, the requirements (and from them the framework and the server), the
server's config (gunicorn.conf.py, uwsgi.ini), the proxy's (nginx, HAProxy, Apache httpd),
Django's settings module, the app object the server imports and the command the image starts
it with; and writes `stack.toml`, every value with where it was read, extending the built-in
stack of the same parts, and `deploy_tests/test_<project>.py`, a first scenario of the user's
own. Nothing is asked: what init cannot find or make right is said as a step to take.

The package, by what each module reads or decides:

    scan.py         the project's files, a few folders deep; `Found`: a value and where
    requirements.py the packages the project installs, with their lines
    dockerfile.py   the Dockerfile's base, environment, CMD/ENTRYPOINT and COPY lines
    launch.py       the command the image starts the server with (CMD, a start script, Procfile)
    command.py      a server's command line: which server, its options, its config path
    binding.py      the command line made to listen on 0.0.0.0:8000, where the proxy reaches it
    server.py       the server, its config, gunicorn's worker class, the interface, server_args
    app.py          the framework, the app object, harness_contract in the code
    django.py       Django's settings module, entry points and required environment
    nginx.py        a user's nginx config (crossplane): TLS, replicas, what stops it, its values
    proxy.py        which proxy and config; HAProxy's and Apache's checked line by line
    layout.py       all of it decided together, checked as a stack
    advice.py       the steps the user takes before the first run
    writing.py      stack.toml, commented
    starter.py      deploy_tests/'s first scenario; a Dockerfile when the project has none

Files are written only when the stack file loads (harness.spec.stackfile.load_stack_file),
and never over the user's own unless `--force`.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from pathlib import Path

from harness.commands.init.advice import (
    contract_steps,
    dockerfile_steps,
    proxy_steps,
    settings_steps,
)
from harness.commands.init.layout import Layout, decide
from harness.commands.init.starter import generated_dockerfile, starter_test, starter_test_path
from harness.commands.init.writing import GENERATED_DOCKERFILE, stack_toml
from harness.errors import ConfigError, HarnessError
from harness.spec.model import StackSpec
from harness.spec.stackfile import load_stack_file

__all__ = ["STACK_FILE", "init_project"]

STACK_FILE = "stack.toml"


def init_project(folder: Path, force: bool = False) -> list[str]:
    """Write the project's stack file and starter scenario; the summary to print. Whatever
    the project holds, a failure is one ConfigError: init reads files it did not write."""
    try:
        return _init(folder, force)
    except (HarnessError, KeyboardInterrupt):
        raise
    except Exception as error:  # init's own bug on a layout it did not foresee: said, not hidden
        frame = traceback.extract_tb(error.__traceback__)[-1]
        raise ConfigError(
            f"init: a bug in harness init on this project ({type(error).__name__}: {error}, at "
            f"{Path(frame.filename).name} line {frame.lineno}); nothing was written. Hint: "
            "please report it with the project's layout, and write stack.toml by hand "
            "(docs/stack-files.md)"
        ) from error


def _init(folder: Path, force: bool) -> list[str]:
    root = folder.resolve()
    if not root.is_dir():
        raise ConfigError(f"init: {folder} is not a folder; allowed: your project's folder")
    layout = decide(root)
    dockerfile = layout.dockerfile.value.as_posix() if layout.dockerfile else GENERATED_DOCKERFILE
    others = {starter_test_path(layout): starter_test(layout)}
    if layout.dockerfile is None:
        others[GENERATED_DOCKERFILE] = generated_dockerfile(layout)
    existing = [name for name in (STACK_FILE, *others) if (root / name).exists()]
    if existing and not force:
        raise ConfigError(
            f"init: {', '.join(existing)} already in {root}; init writes over no file of yours: "
            "move it away, or pass --force to overwrite"
        )
    drafts = [stack_toml(layout, dockerfile), stack_toml(layout, dockerfile, declare=False)]
    spec, refused = _write(root, drafts, others, layout)
    return summary(layout, spec, [STACK_FILE, *others], folder, refused)


def _write(
    root: Path, drafts: list[str], others: dict[str, str], layout: Layout
) -> tuple[StackSpec, str | None]:
    """The other files in place, then the first draft of the stack file that loads; nothing
    changed when none does (init's own bug: its file must load). With the second draft, the
    first's refusal, said in the summary."""
    before = {n: (root / n).read_bytes() for n in (STACK_FILE, *others) if (root / n).is_file()}
    new_folders = {(root / n).parent for n in others if not (root / n).parent.exists()}
    trial = root / f".{STACK_FILE}.init-{os.getpid()}"
    refused: str | None = None
    try:
        for name, text in others.items():
            _replace(root / name, text)
        for index, draft in enumerate(drafts):
            trial.write_text(draft, encoding="utf-8")
            try:
                spec = _loaded(trial, layout)
                break
            except ConfigError as error:
                if index == len(drafts) - 1:
                    raise
                refused = str(error).splitlines()[-1].strip()
        trial.replace(root / STACK_FILE)
    except OSError as error:
        _restore(root, others, before, new_folders)
        raise ConfigError(
            f"init: cannot write in {root}: {error.strerror or error}; allowed: a folder you "
            "can write"
        ) from None
    except BaseException:  # put back what was there, then let it go on
        _restore(root, others, before, new_folders)
        raise
    finally:
        trial.unlink(missing_ok=True)
    return spec, refused


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.init-{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _restore(
    root: Path, others: dict[str, str], before: dict[str, bytes], new_folders: set[Path]
) -> None:
    for name in others:
        if name in before:
            (root / name).write_bytes(before[name])
        else:
            (root / name).unlink(missing_ok=True)
    for folder in new_folders:
        with contextlib.suppress(OSError):  # not empty: something else was put there meanwhile
            folder.rmdir()


def _loaded(path: Path, layout: Layout) -> StackSpec:
    try:
        specs = load_stack_file(path)
    except ConfigError as error:
        raise ConfigError(
            f"init: the stack file it made does not load, a bug in harness init (nothing was "
            f"written; please report it with your layout): {error}"
        ) from None
    wanted = layout.spec
    spec = specs[0]
    parts = ("proxy", "server", "framework", "interface", "worker_class", "protocol", "tls")
    differ = [p for p in parts if getattr(spec, p) != getattr(wanted, p)]
    if len(specs) != 1 or differ:
        raise ConfigError(
            f"init: the stack file it made loads with other parts ({', '.join(differ)}) than it "
            "found, a bug in harness init (nothing was written)"
        )
    return spec


def summary(
    layout: Layout, spec: StackSpec, written: list[str], folder: Path, refused: str | None
) -> list[str]:
    """What was found, what was written, what to do, and the command to run next."""
    found = [
        ("Dockerfile", layout.dockerfile.where if layout.dockerfile else "none: init wrote one"),
        ("requirements", layout.requirements.where if layout.requirements else "none"),
        ("app", _app_line(layout)),
        ("server", f"{spec.server_label}: {layout.server.where}"),
        (
            "proxy",
            f"{spec.proxy}, TLS {'on' if spec.tls else 'off'}: "
            f"{layout.proxy.kind.where.removeprefix('found: ')}",
        ),
    ]
    if layout.django is not None and layout.django.settings is not None:
        settings = layout.django.settings
        found.append(("settings", f"{settings.value}: {settings.where}"))
    if layout.readings:
        found.append(("values", f"{len(layout.readings)} read from your configs (stack.toml "
                      "says which it declares, and where)"))  # fmt: skip
    adapter = "; ".join(f.where for f in layout.adapter.found())
    found.append(("adapter", adapter or "harness_contract is not in your code yet"))
    lines = [f"harness init: {layout.root}", "found:"]
    lines += [f"  {label:<13} {text.removeprefix('found: ')}" for label, text in found]
    extends = f"extends {layout.extends}" if layout.extends else "extends no built-in stack"
    lines += ["wrote:", f"  {written[0]:<13} stack {spec.id!r}, {extends}; it loads"]
    lines += [f"  {name}" for name in written[1:]]
    if refused:
        lines.append(f"  (the values read from your configs are comments: as declared, {refused})")
    steps = _steps(layout)
    if steps:
        lines.append("before the first run:")
        lines += [f"  {step}" for step in steps]
    here = Path.cwd().resolve() == layout.root
    lines.append(f"next: {'' if here else f'cd {folder} && '}harness test --stack-file "
                 f"{STACK_FILE} deploy_tests/")  # fmt: skip
    return lines


def _app_line(layout: Layout) -> str:
    framework = layout.framework
    if framework is None:
        return f"{layout.spec.app_mode} ({layout.app_mode.where})"
    return f"{framework.value.label} as {layout.spec.app_mode}: {framework.where}"


def _steps(layout: Layout) -> list[str]:
    """The steps the user takes before the first run, each a line (a proxy config's fixes
    indented below it)."""
    steps = [f"- {s}" for s in contract_steps(layout) if s.startswith("add ")]
    steps += [f"- {s}" for s in dockerfile_steps(layout) + settings_steps(layout)]
    steps += [f"- {note}" for note in layout.notes]
    if layout.proxy.problems and layout.proxy.config is not None:
        steps.append(
            f"- {layout.proxy.config.value.as_posix()} cannot run verbatim yet (the harness's "
            f"{layout.spec.proxy} config runs, with its values); to test yours, fix it and "
            "uncomment proxy_config in stack.toml:"
        )
        steps += [f"    {problem}" for problem in proxy_steps(layout)]
    return steps
