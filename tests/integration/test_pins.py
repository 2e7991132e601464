"""A pinned stack runs its pins: the image built for gunicorn 21.2.0 runs gunicorn 21.2.0,
shares every layer of the suite's app image, and the matrix facts and `harness stacks` say
which version ran. Needs Docker and, the first time, the package index (on the host)."""

from __future__ import annotations

import httpx
import pytest

from harness.commands.cli import main
from harness.engine import engine
from harness.matrix.facts import stack_versions
from harness.progress import QUIET
from harness.run.session import HarnessSession
from harness.spec.stackfile import load_stack_file

PINNED = "21.2.0"  # before 22.0: the CVE-2024-1135 framing the probes of issue 13 look for


@pytest.fixture(scope="module")
def pinned(tmp_path_factory):
    path = tmp_path_factory.mktemp("pins") / "pins.toml"
    path.write_text(
        '[[stacks]]\nextends = "nginx-gunicorn-gthread-flask"\nreplicas = 1\n'
        f'packages = {{ gunicorn = "{PINNED}" }}\n',
        encoding="utf-8",
    )
    (spec,) = load_stack_file(path)
    return path, spec


def test_pinned_stack_runs_the_pinned_version_over_shared_layers(pinned, capsys):
    path, spec = pinned
    session = HarnessSession(QUIET)
    try:
        stack = session.start(spec)
        versions = stack_versions(stack)
        assert versions["server"] == f"gunicorn {PINNED}", versions["server"]
        assert versions["pins"] == f"gunicorn {PINNED} (pinned {PINNED})", versions["pins"]
        seen = httpx.get(f"{stack.url}/echo", timeout=10).json()
        assert seen["server"] == "gunicorn-gthread", seen
        _, own = stack.exec("app-1", ["gunicorn", "--version"])
        assert PINNED in own, f"{spec.id}: gunicorn says {own!r}"
        suite_app, pinned_app = (build.tag for build in session.builds if "app" in build.tag)
        assert pinned_app != suite_app and "-pins-" in pinned_app, session.builds
        below = engine().images.get(suite_app).attrs["RootFS"]["Layers"]
        layers = engine().images.get(pinned_app).attrs["RootFS"]["Layers"]
        # Only the pinned layers are new: requirements, wheels, pip install.
        assert layers[: len(below)] == below and len(layers) - len(below) <= 3, (
            f"{pinned_app} does not share {suite_app}'s layers"
        )
    finally:
        session.close()
    assert main(["stacks", "--stack-file", str(path), "--stack", spec.id]) == 0
    assert f"gunicorn {PINNED} (pinned)" in capsys.readouterr().out
