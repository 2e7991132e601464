"""The app a project serves: its framework, the object its server imports (`main:app`), and
whether it already answers the harness's contract through harness_contract.

Python files are read with `ast`, never imported or run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from harness.commands.init.requirements import Packages
from harness.commands.init.scan import Found, ProjectFiles, module_name, where
from harness.spec.model import Interface


class AppFramework(StrEnum):
    """The frameworks init tells apart; another WSGI or ASGI app is served as such."""

    DJANGO = "django"
    FLASK = "flask"
    FASTAPI = "fastapi"
    STARLETTE = "starlette"

    @property
    def label(self) -> str:
        """The framework's name as its documentation writes it."""
        return {"fastapi": "FastAPI"}.get(self.value, self.value.capitalize())

    @property
    def interface(self) -> Interface | None:
        """The interface the framework serves; None: either (Django)."""
        if self in (AppFramework.FASTAPI, AppFramework.STARLETTE):
            return Interface.ASGI
        return Interface.WSGI if self == AppFramework.FLASK else None


# In order of precedence: FastAPI requires Starlette, and a Django project may use Flask-free
# helpers named after either.
_PACKAGES = ("django", "flask", "fastapi", "starlette")
_CONSTRUCTORS = {"Flask": AppFramework.FLASK, "FastAPI": AppFramework.FASTAPI,
                 "Starlette": AppFramework.STARLETTE}  # fmt: skip
_LIKELY_APP_FILES = ("app.py", "main.py", "wsgi.py", "asgi.py", "application.py", "server.py")


def framework_of(files: ProjectFiles, packages: Packages) -> Found[AppFramework] | None:
    """The framework the requirements name, else the one the code shows (manage.py for Django)."""
    for name in _PACKAGES:
        if name in packages:
            return Found(AppFramework(name), packages[name].where)
    managers = files.named("manage.py")
    if managers:
        return Found(AppFramework.DJANGO, f"found: {managers[0].as_posix()}")
    target = app_object(files, None)
    if target is not None and target.value[1] is not None:
        return Found(target.value[1], target.where)
    return None


def app_object(
    files: ProjectFiles, framework: AppFramework | None
) -> Found[tuple[str, AppFramework | None]] | None:
    """`module:name` of the app object a server imports (`main:app`, `app:create_app()`),
    from a top-level `app = Flask(...)` (FastAPI, Starlette) or a Flask `create_app` factory."""
    paths = files.python_files()
    paths.sort(key=lambda p: (p.name not in _LIKELY_APP_FILES, "test" in str(p).lower()))
    for path in paths:
        tree = files.syntax(path) if _mentions_framework(files.text(path)) else None
        module = module_name(path)
        if tree is None or module is None:
            continue
        for node in tree.body:
            found = _constructed_app(node)
            if found is not None and framework in (None, found[1]):
                name, kind = found
                line = where(path, node.lineno, f"{name} = {kind.label}(...)")
                return Found((f"{module}:{name}", kind), line)
            if _flask_factory(node, files.text(path)) and framework in (None, AppFramework.FLASK):
                assert isinstance(node, ast.FunctionDef)
                line = where(path, node.lineno, f"def {node.name}(): an app factory")
                return Found((f"{module}:{node.name}()", AppFramework.FLASK), line)
    return None


def _flask_factory(node: ast.stmt, text: str) -> bool:
    """`def create_app():` in a module that uses Flask."""
    factory = isinstance(node, ast.FunctionDef) and node.name in ("create_app", "make_app")
    return factory and "flask" in text


def _mentions_framework(text: str) -> bool:
    return any(word in text for word in ("Flask(", "FastAPI(", "Starlette(", "create_app"))


def _constructed_app(node: ast.stmt) -> tuple[str, AppFramework] | None:
    if not isinstance(node, ast.Assign | ast.AnnAssign) or not isinstance(node.value, ast.Call):
        return None
    target = node.targets[0] if isinstance(node, ast.Assign) else node.target
    func = node.value.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if isinstance(target, ast.Name) and called in _CONSTRUCTORS:
        return target.id, _CONSTRUCTORS[called]
    return None


@dataclass(frozen=True, slots=True)
class AdapterUse:
    """Where a project already uses harness_contract, by what it adds."""

    django_middleware: Found[str] | None
    django_urls: Found[str] | None
    flask_blueprint: Found[str] | None
    middleware: Found[str] | None  # harness_contract.wsgi or .asgi ContractMiddleware
    channels: Found[str] | None = None  # harness_contract.channels' routes

    def complete_for(self, framework: AppFramework | None) -> bool:
        if framework == AppFramework.DJANGO:
            return self.django_middleware is not None and self.django_urls is not None
        if framework == AppFramework.FLASK:
            return self.flask_blueprint is not None or self.middleware is not None
        return self.middleware is not None

    def found(self) -> list[Found[str]]:
        parts = (
            self.django_middleware, self.django_urls, self.flask_blueprint, self.middleware,
            self.channels,
        )  # fmt: skip
        return [part for part in parts if part is not None]


def adapter_use(files: ProjectFiles) -> AdapterUse:
    """Each line of the project's Python that adds harness_contract, by what it adds."""
    hits: dict[str, Found[str]] = {}
    for path in files.python_files():
        if "harness_contract" not in files.text(path):
            continue
        for number, line in enumerate(files.lines(path), start=1):
            kind = _adapter_kind(line)
            if kind and kind not in hits:
                hits[kind] = Found(line.strip(), where(path, number, line.strip()))
    return AdapterUse(
        hits.get("ServerViewMiddleware"), hits.get("django-urls"),
        hits.get("contract_blueprint"), hits.get("ContractMiddleware"), hits.get("channels"),
    )  # fmt: skip


def _adapter_kind(line: str) -> str | None:
    for kind in ("ServerViewMiddleware", "contract_blueprint", "ContractMiddleware"):
        if kind in line:
            return kind
    if "include(" in line and "harness_contract.django" in line:
        return "django-urls"
    return "channels" if "harness_contract.channels" in line else None


def module_file(files: ProjectFiles, module: str, base: Path) -> Path | None:
    """The project file a dotted module is (`config.settings` -> config/settings.py or
    config/settings/__init__.py, below `base` or its `src/`)."""
    parts = Path(*module.split("."))
    for folder in (base, base / "src"):
        for candidate in (folder / parts.with_suffix(".py"), folder / parts / "__init__.py"):
            if files.exists(candidate):
                return candidate
    return None
