"""`harness init`: a stack file for a user's project from what is in it, every value with
where it was read; the file always loads; unsupported layouts are one line and exit 2."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from harness.commands.cli import main
from harness.commands.init.binding import rebound
from harness.commands.init.command import identify
from harness.commands.init.dockerfile import read_dockerfile
from harness.commands.init.requirements import packages_of
from harness.commands.init.scan import ProjectFiles
from harness.errors import ConfigError
from harness.exitcodes import ExitCode
from harness.paths import PROJECT_ROOT
from harness.spec.model import Framework, Interface, ProxyKind, ServerKind, WorkerClass
from harness.spec.stackfile import load_stack_file

OWN_DJANGO = PROJECT_ROOT / "examples" / "own-django"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def init(folder: Path, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, str, str]:
    code = main(["init", str(folder), *more])
    out, err = capsys.readouterr()
    return code, out, err


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


@pytest.fixture
def own_django(tmp_path: Path) -> Path:
    """examples/own-django without what init writes."""
    folder = tmp_path / "mysite"
    shutil.copytree(OWN_DJANGO, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "stack.toml").unlink()
    shutil.rmtree(folder / "deploy_tests")
    return folder


def test_django_gunicorn_nginx_project(own_django, capsys):
    """The worked example: every part found, the values its configs decide stated, and the
    command line its Dockerfile runs pointed at the harness's copy of gunicorn.conf.py."""
    code, out, err = init(own_django, capsys)
    assert code == 0, err
    (spec,) = load_stack_file(own_django / "stack.toml")
    assert (spec.id, spec.proxy, spec.server) == ("mysite", ProxyKind.NGINX, ServerKind.GUNICORN)
    assert (spec.worker_class, spec.framework) == (WorkerClass.GTHREAD, Framework.DJANGO)
    assert (spec.interface, spec.tls, spec.replicas) == (Interface.WSGI, False, 2)
    overrides = spec.overrides
    assert overrides.dockerfile == own_django / "Dockerfile"
    assert overrides.requirements == own_django / "requirements.txt"
    assert overrides.proxy_config == own_django / "nginx.conf"
    assert overrides.server_config == own_django / "gunicorn.conf.py"
    assert overrides.django_settings == "mysite.settings"
    assert overrides.contract_prefix == "/_harness"
    assert overrides.server_args == (
        "gunicorn", "-c", "/etc/harness/gunicorn.conf.py", "mysite.wsgi:application",
    )  # fmt: skip
    assert (spec.timeouts.proxy_read, spec.timeouts.proxy_connect) == (5, 2)
    assert (spec.timeouts.worker, spec.timeouts.graceful) == (8, 5)
    assert spec.limits.max_body_bytes == 10 * 1024 * 1024
    assert {
        "timeouts.proxy_read",
        "timeouts.worker",
        "limits.max_body_bytes",
    } <= spec.declared_fields
    text = (own_django / "stack.toml").read_text(encoding="utf-8")
    read_line = line_of(own_django / "nginx.conf", "proxy_read_timeout")
    assert f"# nginx.conf line {read_line}: proxy_read_timeout 5s" in text
    assert 'extends = "nginx-gunicorn-gthread-django"' in text
    assert 'proxy_config = "nginx.conf"                     # found: nginx.conf' in text
    middleware = line_of(own_django / "mysite" / "settings.py", "ServerViewMiddleware")
    assert f"found: mysite/settings.py line {middleware}" in text
    assert "add " not in out, out  # the adapter is in the app already: nothing to do
    assert "next: cd " in out and "harness test --stack-file stack.toml deploy_tests/" in out


def test_starter_scenario_uses_the_harness_fixtures(own_django, capsys):
    assert init(own_django, capsys)[0] == 0
    starter = own_django / "deploy_tests" / "test_mysite.py"
    source = starter.read_text(encoding="utf-8")
    compile(source, str(starter), "exec")
    assert "def test_app_answers_through_the_proxy(stack, client):" in source
    assert 'client.get("/health")' in source


def test_flask_gunicorn_haproxy_project(tmp_path, capsys):
    """HAProxy's config runs verbatim when it passes to app-N:8000 and serves the test
    certificate: TLS and the replica count come from it; gunicorn's values are declared."""
    folder = write(tmp_path / "shop", {
        "requirements.txt": "Flask==3.0.3\ngunicorn==22.0.0\n",
        "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        "gunicorn.conf.py": 'bind = "0.0.0.0:8000"\nworker_class = "sync"\ntimeout = 12\n',
        "Dockerfile": """
            ARG HARNESS_BASE_IMAGE
            FROM ${HARNESS_BASE_IMAGE}
            COPY requirements.txt harness-support/wheels /tmp/build/
            RUN python3 -m venv /opt/venv \\
             && /opt/venv/bin/pip install --no-index --find-links /tmp/build \\
                    -r /tmp/build/requirements.txt
            COPY harness-support/harness_contract /opt/harness-support/harness_contract
            COPY app.py gunicorn.conf.py /srv/app/
            CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]
        """,
        "deploy/haproxy.cfg": """
            defaults
                mode http
                timeout server 30s
            frontend www
                bind :80
                bind :443 ssl crt /etc/harness/tls/chain-and-key.pem
                default_backend app
            backend app
                server app1 app-1:8000 check
                server app2 app-2:8000 check
                server app3 app-3:8000 check
        """,
    })  # fmt: skip
    code, out, err = init(folder, capsys)
    assert code == 0, err
    (spec,) = load_stack_file(folder / "stack.toml")
    assert (spec.proxy, spec.server, spec.worker_class) == (
        ProxyKind.HAPROXY, ServerKind.GUNICORN, WorkerClass.SYNC,
    )  # fmt: skip
    assert (spec.framework, spec.tls, spec.replicas) == (Framework.FLASK, True, 3)
    assert spec.overrides.proxy_config == folder / "deploy" / "haproxy.cfg"
    assert spec.overrides.server_args == (
        "gunicorn",
        "-c",
        "/etc/harness/gunicorn.conf.py",
        "app:app",
    )
    assert spec.timeouts.worker == 12
    text = (folder / "stack.toml").read_text(encoding="utf-8")
    assert 'extends = "haproxy-gunicorn-sync-flask-tls"' in text
    assert "# gunicorn.conf.py line 3: timeout = 12" in text
    assert "# deploy/haproxy.cfg line 6: bind :443 ssl crt" in text and "\ntls = true" in text
    assert "# Not read: deploy/haproxy.cfg" in text
    assert "contract_blueprint()" in text and "contract_blueprint()" in out
    assert "FROM ${HARNESS_BASE_IMAGE}" not in out  # the Dockerfile builds the harness's way


CADDY_PROJECT = {
    "requirements.txt": "Flask==3.0.3\ngunicorn==22.0.0\n",
    "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "Dockerfile": """
        ARG HARNESS_BASE_IMAGE
        FROM ${HARNESS_BASE_IMAGE}
        COPY requirements.txt harness-support/wheels /tmp/build/
        RUN python3 -m venv /opt/venv \\
         && /opt/venv/bin/pip install --no-index --find-links /tmp/build \\
                -r /tmp/build/requirements.txt
        COPY harness-support/harness_contract /opt/harness-support/harness_contract
        COPY app.py /srv/app/
        CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
    """,
}
CADDYFILE = """
    {
        auto_https off
    }
    :443 {
        tls /etc/harness/tls/chain.pem /etc/harness/tls/key.pem
        reverse_proxy app-1:8000 app-2:8000
    }
"""


def test_flask_gunicorn_caddy_project(tmp_path, capsys):
    """A Caddyfile runs verbatim when it turns automatic HTTPS off, passes to app-N:8000 and
    serves the test certificate: the proxy, TLS and the replica count come from it."""
    folder = write(tmp_path / "shop", {**CADDY_PROJECT, "Caddyfile": CADDYFILE})
    code, _, err = init(folder, capsys)
    assert code == 0, err
    (spec,) = load_stack_file(folder / "stack.toml")
    assert (spec.proxy, spec.tls, spec.replicas) == (ProxyKind.CADDY, True, 2)
    assert spec.overrides.proxy_config == folder / "Caddyfile"


def test_caddyfile_asking_for_certificates_is_said_with_its_fix(tmp_path, capsys):
    """A Caddyfile with automatic HTTPS would reach for an ACME CA, and a site served from
    another host's port would not reach the replicas: init names both fixes."""
    caddyfile = "example.com {\n    reverse_proxy localhost:8000\n}\n"
    folder = write(tmp_path / "shop", {**CADDY_PROJECT, "Caddyfile": caddyfile})
    code, out, err = init(folder, capsys)
    assert code == 0, err  # written, the Caddyfile left as a comment with its fixes
    said = out + err
    assert "auto_https off" in said, said
    assert "Caddyfile line 2: reverse_proxy localhost:8000: the harness's replicas" in said, said


def test_fastapi_uvicorn_from_the_dockerfile_command_alone(tmp_path, capsys):
    """No requirements file, no proxy config: the server and its arguments come from CMD,
    made to listen where the proxy reaches a replica; the harness's own nginx runs."""
    folder = write(tmp_path / "api", {
        "main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "Dockerfile": """
            FROM python:3.12-slim
            RUN pip install --no-cache-dir fastapi "uvicorn[standard]"
            COPY main.py /code/
            CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "80"]
        """,
    })  # fmt: skip
    code, out, err = init(folder, capsys)
    assert code == 0, err
    (spec,) = load_stack_file(folder / "stack.toml")
    assert (spec.proxy, spec.server, spec.interface) == (
        ProxyKind.NGINX, ServerKind.UVICORN, Interface.ASGI,
    )  # fmt: skip
    assert spec.framework == Framework.DJANGO  # the harness's ASGI app mode
    assert spec.overrides.server_args == (
        "uvicorn", "--host", "0.0.0.0", "--port", "8000", "main:app",
    )  # fmt: skip
    assert spec.overrides.proxy_config is None and spec.overrides.requirements is None
    text = (folder / "stack.toml").read_text(encoding="utf-8")
    assert "listens on 0.0.0.0:8000 (given: --host 0.0.0.0 --port 80)" in text
    assert "Dockerfile line 2: pip install fastapi: FastAPI, served over asgi" in text
    assert "app.add_middleware(harness_contract.asgi.ContractMiddleware)" in out
    assert "FROM python:3.12-slim: the harness builds your image FROM its own base" in out
    assert "the build has no network" in out


def test_requirements_without_dockerfile_gets_one_written(tmp_path, capsys):
    folder = write(tmp_path / "tiny", {
        "requirements.txt": "Flask\nwaitress\n",
        "app.py": "from flask import Flask\napp = Flask(__name__)\n",
    })  # fmt: skip
    code, out, err = init(folder, capsys)
    assert code == 0, err
    (spec,) = load_stack_file(folder / "stack.toml")
    assert spec.overrides.dockerfile == folder / "harness.Dockerfile"
    assert spec.overrides.server_args == ("waitress-serve", "--listen=0.0.0.0:8000", "app:app")
    dockerfile = (folder / "harness.Dockerfile").read_text(encoding="utf-8")
    assert "FROM ${HARNESS_BASE_IMAGE}" in dockerfile
    assert "--find-links /srv/app/harness-support/wheels" in dockerfile
    assert "harness.Dockerfile" in out


@pytest.fixture
def third_party(tmp_path: Path) -> Path:
    """A Django project laid out as many are: settings per environment, a docker/ folder with
    the Dockerfile (built from the repository's root) and an nginx server block for conf.d."""
    return write(tmp_path / "acme-shop", {
        "manage.py": """
            import os
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        """,
        "config/__init__.py": "",
        "config/settings/__init__.py": "",
        "config/settings/base.py": """
            import environ
            env = environ.Env()
            SECRET_KEY = env("DJANGO_SECRET_KEY")
            MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
            ROOT_URLCONF = "config.urls"
            WSGI_APPLICATION = "config.wsgi.application"
        """,
        "config/settings/local.py": "from .base import *\n",
        "config/settings/production.py": """
            from .base import *
            ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["shop.example.com"])
        """,
        "config/urls.py": "urlpatterns = []\n",
        "config/wsgi.py": "",
        "requirements/base.txt": "Django==5.0.6\ndjango-environ==0.11.2\n",
        "requirements/production.txt": "-r base.txt\ngunicorn==22.0.0\n",
        "requirements/local.txt": "-r base.txt\npytest-django\n",
        "docker/Dockerfile": """
            FROM python:3.12-slim
            ENV DJANGO_SETTINGS_MODULE=config.settings.production
            COPY requirements/ /app/requirements/
            RUN pip install -r requirements/production.txt
            COPY . /app
            CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:5000", "--timeout", "60"]
        """,
        "docker/nginx/default.conf": """
            upstream django {
                server web:5000;
            }
            server {
                listen 80;
                client_max_body_size 20M;
                location / {
                    proxy_pass http://django;
                    proxy_read_timeout 90s;
                }
            }
        """,
        ".venv/lib/site-packages/flask/app.py": "from flask import Flask\napp = Flask(__name__)\n",
        "node_modules/pkg/Dockerfile": "FROM node:20\n",
    })  # fmt: skip


def test_third_party_layout_in_subfolders(third_party, capsys):
    """Subfolders are searched (not .venv or node_modules); a proxy config that cannot run
    verbatim is left commented with its fixes, and the harness's nginx runs with its values."""
    code, out, err = init(third_party, capsys)
    assert code == 0, err
    (spec,) = load_stack_file(third_party / "stack.toml")
    overrides = spec.overrides
    assert overrides.dockerfile == third_party / "docker" / "Dockerfile"
    assert overrides.requirements == third_party / "requirements" / "production.txt"
    assert overrides.django_settings == "config.settings.production"
    assert overrides.proxy_config is None
    assert overrides.server_args == (
        "gunicorn", "--bind", "0.0.0.0:8000", "config.wsgi:application", "--timeout", "60",
    )  # fmt: skip
    assert overrides.env["DJANGO_SECRET_KEY"]
    assert overrides.env["DJANGO_ALLOWED_HOSTS"] == "127.0.0.1,localhost,deploy-harness.test"
    assert (spec.worker_class, spec.timeouts.proxy_read, spec.timeouts.worker) == (
        WorkerClass.SYNC, 90, 60,
    )  # fmt: skip
    assert spec.limits.max_body_bytes == 20 * 1024 * 1024
    text = (third_party / "stack.toml").read_text(encoding="utf-8")
    assert '# proxy_config = "docker/nginx/default.conf"' in text
    assert "# docker/nginx/default.conf line 9: proxy_read_timeout 90s" in text
    assert "docker/nginx/default.conf is a server block for conf.d" in out
    assert "docker/nginx/default.conf line 2: server web:5000" in out
    assert "docker/Dockerfile line 3: COPY requirements/ is not in docker/" in out
    assert "MIDDLEWARE (config/settings/base.py line 4)" in out
    assert "node_modules" not in text and "flask" not in text.lower()


def test_existing_files_are_kept_unless_forced(own_django, capsys):
    assert init(own_django, capsys)[0] == 0
    (own_django / "stack.toml").write_text("# mine\n", encoding="utf-8")
    code, _, err = init(own_django, capsys)
    assert code == ExitCode.USAGE
    assert "stack.toml, deploy_tests/test_mysite.py already in" in err and "--force" in err
    assert (own_django / "stack.toml").read_text(encoding="utf-8") == "# mine\n"
    assert init(own_django, capsys, "--force")[0] == 0
    assert load_stack_file(own_django / "stack.toml")[0].id == "mysite"


def test_nothing_is_written_when_the_stack_file_does_not_load(own_django, capsys, monkeypatch):
    def refuse(path):
        raise ConfigError(f"{path}: 1 problem(s) in the stack file:\n  stack 'x', field 'y': no")

    monkeypatch.setattr("harness.commands.init.load_stack_file", refuse)
    code, _, err = init(own_django, capsys)
    assert code == ExitCode.USAGE
    assert "a bug in harness init" in err and "Traceback" not in err
    assert sorted(p.name for p in own_django.iterdir() if p.name.startswith(("stack", "."))) == []
    assert not (own_django / "deploy_tests").exists()


def test_declared_values_become_comments_when_they_do_not_load(own_django, capsys, monkeypatch):
    """The values read from the user's configs are init's guess at the schema: refused as
    declared, they stay comments and the rest is written."""
    calls: list[Path] = []

    def first_refused(path):
        calls.append(path)
        if len(calls) == 1:
            raise ConfigError(f"{path}: 1 problem(s):\n  stack 'mysite', field 'resolve': no")
        return load_stack_file(path)

    monkeypatch.setattr("harness.commands.init.load_stack_file", first_refused)
    code, out, err = init(own_django, capsys)
    assert code == 0, err
    assert "the values read from your configs are comments" in out
    text = (own_django / "stack.toml").read_text(encoding="utf-8")
    assert "# proxy_read = 5: nginx.conf line" in text
    assert (
        "timeouts.proxy_read" not in load_stack_file(own_django / "stack.toml")[0].declared_fields
    )


UNSUPPORTED = {
    "empty": ({"README.md": "# hello\n"}, "found neither a Dockerfile nor a requirements.txt"),
    "traefik": (
        {"requirements.txt": "Flask\ngunicorn\n", "traefik.yml": "entryPoints: {}\n"},
        "traefik.yml configures Traefik, a proxy the harness does not run",
    ),
    "runserver": (
        {"requirements.txt": "Django\n", "manage.py": "",
         "Dockerfile": "FROM python\nCMD python manage.py runserver 0.0.0.0:8000\n"},
        "runs Django's development server (manage.py runserver), which the harness does not run",
    ),
    "gevent-worker": (
        {"requirements.txt": "Flask\ngunicorn\n",
         "Dockerfile": 'FROM python\nCMD ["gunicorn", "-k", "gevent", "app:app"]\n'},
        "gunicorn's gevent worker is not one the harness runs",
    ),
    "flask-on-uvicorn": (
        {"requirements.txt": "Flask\nuvicorn\n",
         "Dockerfile": 'FROM python\nCMD ["uvicorn", "app:app"]\n'},
        "interface asgi (uvicorn); allowed: wsgi: Flask is a WSGI-only app",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("files", "expected"), UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_unsupported_layout_is_one_line_and_exit_2(tmp_path, capsys, files, expected):
    folder = write(tmp_path / "project", files)
    before = sorted(folder.rglob("*"))
    code, _, err = init(folder, capsys)
    assert code == ExitCode.USAGE
    assert err.count("\n") == 1 and err.startswith("error: init: "), err
    assert expected in err, err
    assert sorted(folder.rglob("*")) == before  # nothing written


def test_not_a_folder(tmp_path, capsys):
    code, _, err = init(tmp_path / "absent", capsys)
    assert code == ExitCode.USAGE and "is not a folder" in err


@pytest.mark.parametrize(
    ("words", "server", "server_words"),
    [
        (("gunicorn", "app:app"), ServerKind.GUNICORN, ("gunicorn", "app:app")),
        (("tini", "--", "python", "-m", "uvicorn", "m:app"), ServerKind.UVICORN,
         ("uvicorn", "m:app")),
        (("/opt/venv/bin/daphne", "x.asgi:application"), ServerKind.DAPHNE, None),
        (("sh", "-c", "python manage.py migrate && exec gunicorn x.wsgi"), ServerKind.GUNICORN,
         ("gunicorn", "x.wsgi")),
        (("waitress-serve", "--port=8080", "app:app"), ServerKind.WAITRESS, None),
        (("./start.sh",), None, None),
    ],
)  # fmt: skip
def test_the_server_in_a_command(words, server, server_words):
    found = identify(words)
    assert found.server == server
    if server_words is not None:
        assert found.words == server_words


@pytest.mark.parametrize(
    ("server", "words", "expected"),
    [
        (ServerKind.GUNICORN, ["gunicorn", "-b", "127.0.0.1:8000", "a:b"],
         ["gunicorn", "--bind", "0.0.0.0:8000", "a:b"]),
        (ServerKind.GUNICORN, ["gunicorn", "--bind=0.0.0.0:8000", "a:b"], None),
        (ServerKind.UVICORN, ["uvicorn", "a:b", "--port", "5000"],
         ["uvicorn", "--host", "0.0.0.0", "--port", "8000", "a:b"]),
        (ServerKind.DAPHNE, ["daphne", "-b", "0.0.0.0", "-p", "8000", "a:b"], None),
        (ServerKind.WAITRESS, ["waitress-serve", "--port=8080", "a:b"],
         ["waitress-serve", "--listen=0.0.0.0:8000", "a:b"]),
        (ServerKind.UWSGI, ["uwsgi", "--http-socket", ":9090", "--module", "a:b"],
         ["uwsgi", "--http-socket", ":8000", "--module", "a:b"]),
    ],
)  # fmt: skip
def test_servers_listen_where_the_proxy_reaches_them(server, words, expected):
    new, change = rebound(server, words, None)
    if expected is None:
        assert (new, change) == (words, None)
    else:
        assert new == expected
        assert change is not None and ":8000" in change


def test_gunicorn_bind_in_its_config_is_kept():
    words = ["gunicorn", "a:b"]
    assert rebound(ServerKind.GUNICORN, words, "0.0.0.0:8000") == (words, None)
    assert rebound(ServerKind.GUNICORN, words, None)[0] == [
        "gunicorn",
        "--bind",
        "0.0.0.0:8000",
        "a:b",
    ]


def test_dockerfile_instructions_are_read_as_docker_reads_them(tmp_path):
    write(tmp_path, {"Dockerfile": """
        # a comment
        FROM python:3.12 AS build
        FROM ${HARNESS_BASE_IMAGE}
        ENV A=1 \\
            DJANGO_SETTINGS_MODULE=site.settings
        RUN pip install --no-cache-dir -r req/prod.txt \\
         && pip install "uvicorn[standard]" fastapi==0.1
        CMD gunicorn --bind 0.0.0.0:8000 \\
            site.wsgi
    """})  # fmt: skip
    facts = read_dockerfile(ProjectFiles.scan(tmp_path), Path("Dockerfile"))
    assert facts.builds_from_harness_base and facts.base is not None
    assert facts.env["DJANGO_SETTINGS_MODULE"].value == "site.settings"
    assert facts.env["DJANGO_SETTINGS_MODULE"].where == (
        "Dockerfile line 4: ENV DJANGO_SETTINGS_MODULE=site.settings"
    )
    assert facts.installed_requirements == ("req/prod.txt",)
    assert [p.value for p in facts.installed_packages] == ["uvicorn[standard]", "fastapi==0.1"]
    assert facts.cmd is not None and facts.cmd.shell_form and facts.cmd.line == 8
    assert facts.cmd.words == ("gunicorn", "--bind", "0.0.0.0:8000", "site.wsgi")


def test_requirements_follow_their_includes(tmp_path):
    write(tmp_path, {
        "requirements/prod.txt": "-r base.txt\ngunicorn[gthread]==22.0  # the server\n",
        "requirements/base.txt": "# pinned\nDjango==5.0\ngit+https://x/y.git#egg=my_lib\n",
    })  # fmt: skip
    packages = packages_of(ProjectFiles.scan(tmp_path), Path("requirements/prod.txt"))
    assert set(packages) == {"gunicorn", "django", "my-lib"}
    assert packages["django"].where == "requirements/base.txt line 2: Django==5.0"


SETDEFAULT = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "{}")\n'


def test_start_script_and_entrypoint_wrapper(tmp_path, capsys):
    """cookiecutter-django's `CMD ["/start"]` runs a script that execs gunicorn: its line is
    the server's, and the WSGI module's setdefault names the settings, not manage.py's."""
    folder = write(tmp_path / "cc", {
        "manage.py": SETDEFAULT.format("config.settings.local"),
        "config/__init__.py": "",
        "config/settings/__init__.py": "",
        "config/settings/local.py": "DEBUG = True\n",
        "config/settings/production.py": "DEBUG = False\n",
        "config/wsgi.py": SETDEFAULT.format("config.settings.production"),
        "requirements/production.txt": "django\ngunicorn\n",
        "compose/production/django/Dockerfile": """
            FROM python
            COPY ./compose/production/django/start /start
            CMD ["/start"]
        """,
        "compose/production/django/start": """
            #!/bin/bash
            python manage.py migrate
            exec gunicorn config.wsgi --bind 0.0.0.0:5000
        """,
    })  # fmt: skip
    code, out, err = init(folder, capsys)
    assert code == 0, err
    (spec,) = load_stack_file(folder / "stack.toml")
    assert spec.overrides.django_settings == "config.settings.production"
    assert spec.overrides.server_args == ("gunicorn", "--bind", "0.0.0.0:8000", "config.wsgi")
    assert "compose/production/django/start line 3: exec gunicorn" in out


def test_entrypoint_script_running_the_cmd(tmp_path, capsys):
    folder = write(tmp_path / "rt", {
        "requirements.txt": "Django\nchannels\ndaphne\n",
        "manage.py": SETDEFAULT.format("rt.settings"),
        "rt/__init__.py": "",
        "rt/settings.py": 'ASGI_APPLICATION = "rt.asgi.application"\n',
        "rt/asgi.py": "",
        "Dockerfile": """
            FROM python
            ENTRYPOINT ["/entrypoint.sh"]
            CMD ["daphne", "-p", "9000", "rt.asgi:application"]
        """,
    })  # fmt: skip
    code, out, err = init(folder, capsys)
    assert code == 0, err
    (spec,) = load_stack_file(folder / "stack.toml")
    assert (spec.server, spec.interface) == (ServerKind.DAPHNE, Interface.ASGI)
    assert spec.overrides.server_args == (
        "daphne", "--bind", "0.0.0.0", "--port", "8000", "rt.asgi:application",
    )  # fmt: skip
    assert "Dockerfile line 3: CMD, after Dockerfile line 2: ENTRYPOINT" in out
    assert "harness_contract.channels.websocket_urlpatterns` to your URLRouter (rt/asgi.py)" in out


def test_settings_read_from_the_environment_get_values_that_start_the_app(own_django, capsys):
    """`os.environ.get("SECRET_KEY")` has no usable default, and ALLOWED_HOSTS split on
    spaces gets the scenarios' hosts separated by spaces (testdrivenio/django-on-docker's
    settings, as written there)."""
    settings = own_django / "mysite" / "settings.py"
    text = settings.read_text(encoding="utf-8")
    text = text.replace(
        'SECRET_KEY = os.environ.get("MYSITE_SECRET_KEY", "example-only-not-secret")',
        'SECRET_KEY = os.environ.get("SECRET_KEY")',
    ).replace(
        'ALLOWED_HOSTS = ["localhost", "127.0.0.1", "www.mysite.example"]',
        'ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS").split(" ")',
    )
    settings.write_text(text, encoding="utf-8")
    code, _, err = init(own_django, capsys)
    assert code == 0, err
    (spec,) = load_stack_file(own_django / "stack.toml")
    env = dict(spec.overrides.env)
    assert env["SECRET_KEY"] and " " not in env["SECRET_KEY"]
    hosts = env["DJANGO_ALLOWED_HOSTS"].split(" ")
    assert hosts == ["127.0.0.1", "localhost", "deploy-harness.test"]
