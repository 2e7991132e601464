"""The files init writes beside stack.toml: the user's first scenario file in deploy_tests/,
and, for a project without a Dockerfile, one that builds its app FROM the harness's base.

Both are templates with `@NAME@` placeholders (a Dockerfile's own `${...}` stays as it is).
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from harness.commands.init.layout import Layout

_TEST = '''"""@PROJECT@'s own deployment checks, run beside deploy-harness's scenarios with
its fixtures (written by `harness init`; yours to change and add to):

    harness test --stack-file stack.toml deploy_tests/
"""


def test_app_answers_through_the_proxy(stack, client):
    """The app answers the contract's /health through the proxy: the proxy reaches a replica,
    and the server runs the app with its adapter (the client's URLs end in contract_prefix)."""
    response = client.get("/health")
    assert response.status_code == 200, (
        f"{stack.id}: {stack.url}/health gave {response.status_code}: {response.text[:300]}"
    )
    assert response.text == "ok", f"{stack.id}: /health said {response.text[:300]!r}"
'''

_DOCKERFILE = """\
# @PROJECT@'s app image for deploy-harness, written by `harness init` (no Dockerfile was
# found); yours to change. The harness builds it FROM its base image, offline: the wheels of
# @REQUIREMENTS@ and the contract adapter come in harness-support/, which it adds to the
# build context (this folder).
ARG HARNESS_BASE_IMAGE
FROM ${HARNESS_BASE_IMAGE}
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    PYTHONPATH=@APP_ROOT@:/srv/app/src:/srv/app/harness-support \\
    PYTHONUNBUFFERED=1 \\
    PYTHONDONTWRITEBYTECODE=1
COPY . /srv/app
RUN python3 -m venv /opt/venv \\
 && /opt/venv/bin/pip install --no-index --find-links /srv/app/harness-support/wheels \\
        --no-cache-dir --disable-pip-version-check -r /srv/app/@REQUIREMENTS@ \\
 && rm -rf /srv/app/harness-support/wheels
WORKDIR @APP_ROOT@
CMD @COMMAND@
"""


def _filled(template: str, **values: str) -> str:
    for name, value in values.items():
        template = template.replace(f"@{name}@", value)
    return template


def starter_test_path(layout: Layout) -> str:
    return f"deploy_tests/test_{layout.name.replace('-', '_')}.py"


def starter_test(layout: Layout) -> str:
    """One scenario with the harness's fixtures: the app's health through the proxy."""
    return _filled(_TEST, PROJECT=layout.name)


def generated_dockerfile(layout: Layout) -> str:
    """A Dockerfile for a project that has none: its code and requirements in a venv on the
    harness's base image, offline, with the contract adapter importable."""
    requirements = layout.requirements.value.as_posix() if layout.requirements else ""
    root = layout.django.root.as_posix() if layout.django else "."
    return _filled(
        _DOCKERFILE,
        PROJECT=layout.name,
        REQUIREMENTS=requirements,
        APP_ROOT=str(PurePosixPath("/srv/app", root)),
        COMMAND=json.dumps(list(layout.server_args.words)),
    )
