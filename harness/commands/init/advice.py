"""What a user adds before the first run, said once in stack.toml's comments and in init's
summary: the contract adapter in their app (unless it is there already), what their Dockerfile
needs to build FROM the harness's base offline, what stops their proxy config running
verbatim, and the environment their settings require.
"""

from __future__ import annotations

import ast
from pathlib import Path

from harness.commands.init.app import AppFramework, app_object, module_file
from harness.commands.init.django import allowed_hosts, setting_line, settings_chain
from harness.commands.init.layout import Layout
from harness.commands.init.scan import Found
from harness.spec.model import TEST_HOST_NAME, Interface

# Names the scenarios reach the app by (the Host header, TLS's server name).
TEST_HOSTS = ("127.0.0.1", "localhost", TEST_HOST_NAME)
# Values for a test run of variables whose names say what they are. Redis is the stack's own.
_TEST_VALUES = {
    "SECRET_KEY": "deploy-harness-test-only-not-secret",
    "DATABASE_URL": "sqlite:////tmp/deploy-harness.sqlite3",
    "REDIS_URL": "redis://redis:6379/0",
    "BROKER_URL": "redis://redis:6379/1",
    "_DSN": "",
    "DEBUG": "False",
}


def contract_steps(layout: Layout) -> list[str]:
    """Each piece of harness_contract the app needs: `found: ...` or `add ...`."""
    adapter, framework = layout.adapter, layout.framework.value if layout.framework else None
    if framework == AppFramework.DJANGO:
        settings = layout.django.settings_file if layout.django else None
        middleware = setting_line(layout.files, settings, "MIDDLEWARE") or "your settings"
        steps = [
            _step(adapter.django_middleware, "`harness_contract.django.ServerViewMiddleware` "
                  f"first in MIDDLEWARE ({middleware})"),
            _step(adapter.django_urls, '`path("_harness/", include("harness_contract.django"))` '
                  f"to urlpatterns ({_urls_file(layout)})"),
        ]  # fmt: skip
        if "channels" in layout.packages and layout.interface.value == Interface.ASGI:
            routes = "`harness_contract.channels.websocket_urlpatterns` to your URLRouter"
            steps.append(_step(adapter.channels, f"{routes} ({_asgi_file(layout)}): WS /ws/echo "
                               "and /ws/room/<name>"))  # fmt: skip
        return steps
    found = app_object(layout.files, framework)
    place = f" ({found.where.split(': ', 1)[0]})" if found else ""
    if framework == AppFramework.FLASK:
        wanted = "`app.register_blueprint(harness_contract.flask.contract_blueprint())`"
        return [_step(adapter.flask_blueprint or adapter.middleware, wanted + place)]
    if framework in (AppFramework.FASTAPI, AppFramework.STARLETTE):
        wanted = "`app.add_middleware(harness_contract.asgi.ContractMiddleware)`"
        return [_step(adapter.middleware, wanted + place)]
    module = "asgi" if layout.interface.value == Interface.ASGI else "wsgi"
    wanted = f"`application = harness_contract.{module}.ContractMiddleware(application)`"
    return [_step(adapter.middleware, wanted + place)]


def _step(found: Found[str] | None, wanted: str) -> str:
    return f"found: {found.where}" if found is not None else f"add {wanted}"


def _asgi_file(layout: Layout) -> str:
    entry = layout.django.asgi_entry_point if layout.django else None
    if entry is None or layout.django is None:
        return "your asgi.py"
    module = entry.value.split(":")[0]
    path = module_file(layout.files, module, layout.django.root)
    return path.as_posix() if path else module


def _urls_file(layout: Layout) -> str:
    settings = layout.django.settings_file if layout.django else None
    for path in settings_chain(layout.files, settings):
        tree = layout.files.syntax(path)
        for node in tree.body if tree else []:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "ROOT_URLCONF"
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                root = layout.django.root if layout.django else Path()
                file = module_file(layout.files, node.value.value, root)
                return file.as_posix() if file else node.value.value
    return "your ROOT_URLCONF"


def dockerfile_steps(layout: Layout) -> list[str]:
    """What the user's Dockerfile needs for the harness to build it FROM its base, offline."""
    docker = layout.docker
    if docker is None:
        return []
    name = docker.path.as_posix()
    steps = []
    if not docker.builds_from_harness_base:
        base = docker.base.where if docker.base else name
        steps.append(
            f"{base}: the harness builds your image FROM its own base, offline: start the "
            "Dockerfile with `ARG HARNESS_BASE_IMAGE` and `FROM ${HARNESS_BASE_IMAGE}` "
            "(Debian with python3; examples/own-django/Dockerfile)"
        )
    if layout.requirements is None:
        steps.append(
            f"{name}: the build has no network: put what the image installs in a "
            "requirements.txt, set overrides.requirements to it (the harness downloads its "
            "wheels into harness-support/wheels) and install from there"
        )
    elif not docker.installs_from_wheels:
        steps.append(
            f"{name}: install from the wheels the harness downloads into the build context: "
            "`pip install --no-index --find-links harness-support/wheels -r "
            f"{_in_context(layout, layout.requirements.value)}` (the build has no network)"
        )
    if not docker.copies_adapter:
        steps.append(
            f"{name}: make the adapter importable: `COPY harness-support/harness_contract "
            "/opt/harness-support/harness_contract` and /opt/harness-support on PYTHONPATH"
        )
    if docker.missing_sources:
        first = docker.missing_sources[0]
        steps.append(
            f"{first.where} is not in {docker.path.parent.as_posix() or '.'}/, the folder the "
            "harness builds in (the Dockerfile's own); copy the Dockerfile to the folder its "
            "COPY lines start from (e.g. the project's root as harness.Dockerfile) and set "
            "overrides.dockerfile to that copy"
        )
    return steps


def _in_context(layout: Layout, path: Path) -> str:
    folder = layout.docker.path.parent if layout.docker else Path()
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.as_posix()


def proxy_steps(layout: Layout) -> list[str]:
    return list(layout.proxy.problems)


def settings_steps(layout: Layout) -> list[str]:
    """Django settings that stop the app answering the scenarios: hosts and the environment."""
    if layout.django is None:
        return []
    steps = []
    values = environment(layout)
    unknown = [name for name, value in values.items() if value is None]
    if unknown:
        where = layout.required_env[0].where.split(":", 1)[0]
        steps.append(
            f"{where}: your settings read {', '.join(unknown)} with no default: give them "
            "values in stack.toml's env line and uncomment it"
        )
    hosts = allowed_hosts(layout.files, layout.django.settings_file)
    literal = hosts.hosts if hosts is not None and hosts.variable is None else None
    if hosts is not None and literal is not None and not {"*", *TEST_HOSTS} & set(literal):
        steps.append(
            f"{hosts.where} = {list(literal)}: the scenarios reach the app as "
            f"{', '.join(TEST_HOSTS)}; allow them (the adapter's /health goes through "
            "your host checks)"
        )
    return steps


def environment(layout: Layout) -> dict[str, str | None]:
    """The environment a Django app needs to start in a stack: each variable its settings
    require, with a value for a test run where its name says what it is (a secret key, a
    database or Redis URL), else None; and ALLOWED_HOSTS's variable, the scenarios' hosts."""
    values: dict[str, str | None] = {
        found.value: _test_value(found.value) for found in layout.required_env
    }
    hosts = hosts_variable(layout)
    if hosts is not None:
        found = allowed_hosts(layout.files, layout.django.settings_file) if layout.django else None
        values[hosts.value] = (found.separator if found else ",").join(TEST_HOSTS)
    return values


def _test_value(name: str) -> str | None:
    for suffix, value in _TEST_VALUES.items():
        if name.endswith(suffix):
            return value
    return None


def hosts_variable(layout: Layout) -> Found[str] | None:
    """The environment variable ALLOWED_HOSTS is read from, when its default (or nothing)
    would refuse the scenarios' hosts: stack.toml's env sets it to them."""
    hosts = allowed_hosts(layout.files, layout.django.settings_file) if layout.django else None
    if hosts is None or hosts.variable is None:
        return None
    if hosts.hosts is not None and {"*", *TEST_HOSTS} & set(hosts.hosts):
        return None
    default = f"default {list(hosts.hosts)}" if hosts.hosts is not None else "no default"
    said = f"{hosts.where} reads {hosts.variable} ({default}): the scenarios' hosts"
    return Found(hosts.variable, said)
