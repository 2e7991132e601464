"""A Django project's settings module, entry point, and what its settings need from the
environment, read with `ast` as the server would find them.

The settings module a replica runs with, by precedence: the Dockerfile's `ENV
DJANGO_SETTINGS_MODULE`, the `os.environ.setdefault(...)` of the WSGI/ASGI module the server
imports (cookiecutter-django's config/wsgi.py names production settings), manage.py's, and
last a settings file beside manage.py (a `settings/` package's production module first).
Module names are relative to manage.py's folder, the project's import root.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.commands.init.app import module_file
from harness.commands.init.scan import Found, ProjectFiles, module_name, where

SETTINGS_VARIABLE = "DJANGO_SETTINGS_MODULE"
# Functions of django-environ and environs that raise when a variable is unset and no default
# is given: `env("SECRET_KEY")`, `env.list("ALLOWED_HOSTS")`.
_ENV_READERS = {"str", "bool", "int", "float", "list", "tuple", "dict", "url", "db", "db_url",
                "cache", "cache_url", "email_url", "json", "path", "decimal"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DjangoProject:
    root: Path  # manage.py's folder: module names are relative to it
    settings: Found[str] | None
    settings_file: Path | None
    entry_point: Found[str] | None  # `mysite.wsgi:application`
    asgi_entry_point: Found[str] | None


def read_django(
    files: ProjectFiles, env_settings: Found[str] | None, entry: str | None
) -> DjangoProject:
    """The project's settings and entry points; `entry` is the module the server command
    imports, if it names one (`config.wsgi:application`)."""
    managers = files.named("manage.py")
    root = managers[0].parent if managers else _settings_root(files)
    settings = env_settings
    if settings is None and entry is not None:
        settings = _setdefault_in(files, module_file(files, entry.split(":")[0], root))
    if settings is None and managers:
        settings = _setdefault_in(files, managers[0])
    if settings is None:
        settings = _settings_beside(files, root)
    settings_file = module_file(files, settings.value, root) if settings else None
    return DjangoProject(
        root=root,
        settings=settings,
        settings_file=settings_file,
        entry_point=_entry_point(files, root, settings_file, "wsgi"),
        asgi_entry_point=_entry_point(files, root, settings_file, "asgi"),
    )


def _settings_root(files: ProjectFiles) -> Path:
    """Without manage.py: the folder above the first settings package."""
    found = files.named("settings.py") or [
        p.parent for p in files.named("__init__.py") if p.parent.name == "settings"
    ]
    return found[0].parent.parent if found and found[0].parent != Path() else Path()


def _setdefault_in(files: ProjectFiles, path: Path | None) -> Found[str] | None:
    """`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings")` in a file, if any."""
    tree = files.syntax(path) if path is not None else None
    if tree is None or path is None:
        return None
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        texts = [
            a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
        ]
        if node.func.attr == "setdefault" and texts[:1] == [SETTINGS_VARIABLE] and len(texts) == 2:
            text = f'os.environ.setdefault("{SETTINGS_VARIABLE}", "{texts[1]}")'
            return Found(str(texts[1]), where(path, node.lineno, text))
    return None


def _settings_beside(files: ProjectFiles, root: Path) -> Found[str] | None:
    """A settings module below the project's root: `pkg/settings.py`, else the likeliest
    module of a `settings/` package (production before base, local or test)."""
    candidates = [p for p in files.named("settings.py") if _below(p, root)]
    candidates += [
        p
        for p in files.python_files()
        if p.parent.name == "settings" and p.name != "__init__.py" and _below(p, root)
    ]
    for path in candidates:
        module = module_name(path, root)
        if module is not None:
            return Found(module, f"found: {path.as_posix()}")
    return None


def _below(path: Path, root: Path) -> bool:
    return path.is_relative_to(root) and len(path.relative_to(root).parts) <= 3


def _entry_point(
    files: ProjectFiles, root: Path, settings_file: Path | None, kind: str
) -> Found[str] | None:
    """`x.wsgi:application` from the settings' WSGI_APPLICATION (ASGI_APPLICATION), else a
    wsgi.py (asgi.py) beside the settings."""
    name = f"{kind.upper()}_APPLICATION"
    for path in settings_chain(files, settings_file):
        for node, value in _literal_assignments(files, path):
            if node == name and isinstance(value.value, str) and "." in value.value:
                module, _, obj = value.value.rpartition(".")
                return Found(f"{module}:{obj}", value.where)
    package = settings_file.parent if settings_file is not None else None
    while package is not None and package != root and package.name == "settings":
        package = package.parent
    if package is not None and files.exists(package / f"{kind}.py"):
        entry = module_name(package / f"{kind}.py", root)
        if entry is not None:
            return Found(f"{entry}:application", f"found: {(package / f'{kind}.py').as_posix()}")
    return None


def settings_chain(files: ProjectFiles, settings_file: Path | None) -> list[Path]:
    """The settings file and those it star-imports from its own package (`from .base import *`)."""
    chain: list[Path] = []
    pending = [settings_file] if settings_file is not None else []
    while pending:
        path = pending.pop()
        if path in chain:
            continue
        chain.append(path)
        tree = files.syntax(path)
        for node in tree.body if tree else []:
            star = isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
            if star and isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                pending.append(path.parent / f"{node.module.replace('.', '/')}.py")
    return [path for path in chain if files.exists(path)]


def _literal_assignments(files: ProjectFiles, path: Path) -> Iterator[tuple[str, Found[object]]]:
    tree = files.syntax(path)
    for node in tree.body if tree else []:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            text = f"{node.targets[0].id} = {value!r}"
            yield node.targets[0].id, Found(value, where(path, node.lineno, text))


def setting_line(files: ProjectFiles, settings_file: Path | None, name: str) -> str | None:
    """Where the settings (or a file they star-import) assign `name`: `base.py line 12`."""
    for path in settings_chain(files, settings_file):
        tree = files.syntax(path)
        for node in tree.body if tree else []:
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    return where(path, node.lineno)
    return None


def required_environment(files: ProjectFiles, settings_file: Path | None) -> list[Found[str]]:
    """Variables the settings read with no default (`os.environ["X"]`, `env("X")`): unset,
    the app does not start."""
    found: dict[str, Found[str]] = {}
    for path in settings_chain(files, settings_file):
        tree = files.syntax(path)
        for node in ast.walk(tree) if tree else []:
            name = _required_variable(node)
            if name is not None and name not in found:
                found[name] = Found(name, where(path, getattr(node, "lineno", None), name))
    return list(found.values())


def _required_variable(node: ast.AST) -> str | None:
    """`os.environ["X"]`, `env("X")`, or `os.environ.get("X")` / `os.getenv("X")` with no
    default (None, where the settings expect a string: SECRET_KEY)."""
    if (
        isinstance(node, ast.Call)
        and _is_environ_get(node.func)
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Load)
        and _is_os_environ(node.value)
    ):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    if (
        isinstance(node, ast.Call)
        and _is_env_reader(node.func)
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Constant)
    ):
        value = node.args[0].value
        return value if isinstance(value, str) else None
    return None


def _is_environ_get(func: ast.expr) -> bool:
    """`os.environ.get` or `os.getenv`."""
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr == "get":
        return _is_os_environ(func.value)
    return func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os"


def _is_os_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and (isinstance(node.value, ast.Name) and node.value.id == "os")
    )


def _is_env_reader(func: ast.expr) -> bool:
    """`env(...)` or `env.list(...)`, django-environ's and environs' usual names."""
    if isinstance(func, ast.Name):
        return func.id == "env"
    return (
        isinstance(func, ast.Attribute)
        and func.attr in _ENV_READERS
        and isinstance(func.value, ast.Name)
        and func.value.id == "env"
    )


@dataclass(frozen=True, slots=True)
class AllowedHosts:
    """ALLOWED_HOSTS as the settings set it: a literal list, or an environment variable and
    its default (None: not a literal)."""

    hosts: tuple[str, ...] | None
    variable: str | None
    where: str
    # How the settings split the variable into hosts: `.split(" ")` (or `.split()`) or ",".
    separator: str = ","


def allowed_hosts(files: ProjectFiles, settings_file: Path | None) -> AllowedHosts | None:
    """The settings' last ALLOWED_HOSTS (theirs over those they star-import)."""
    found = None
    for path in reversed(settings_chain(files, settings_file)):
        tree = files.syntax(path)
        for node in tree.body if tree else []:
            if (
                isinstance(node, ast.Assign)
                and getattr(node.targets[0], "id", "") == "ALLOWED_HOSTS"
            ):
                found = _hosts(node.value, where(path, node.lineno, "ALLOWED_HOSTS"))
    return found


def _hosts(value: ast.expr, said: str) -> AllowedHosts:
    try:
        literal = ast.literal_eval(value)
    except ValueError:
        literal = None
    if isinstance(literal, list | tuple):
        return AllowedHosts(tuple(str(h) for h in literal), None, said)
    for node in ast.walk(value):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.args[0].value
            default = next((k.value for k in node.keywords if k.arg == "default"), None)
            if default is None and len(node.args) > 1:
                default = node.args[1]
            hosts = _literal_hosts(default)
            if isinstance(name, str) and name.isupper():
                return AllowedHosts(hosts, name, said, _separator(value))
    return AllowedHosts(None, None, said)


def _separator(value: ast.expr) -> str:
    """The separator of a `.split(...)` in the expression: its argument, a space for none."""
    for node in ast.walk(value):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "split":
            if not node.args:
                return " "
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return first.value
    return ","


def _literal_hosts(node: ast.expr | None) -> tuple[str, ...] | None:
    try:
        value = ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None
    if isinstance(value, str):
        return tuple(h.strip() for h in value.split(",") if h.strip())
    if isinstance(value, list | tuple):
        return tuple(str(h) for h in value)
    return None
