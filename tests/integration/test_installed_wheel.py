"""The harness as a user gets it: the built wheel, installed into a fresh virtualenv in a
temp dir outside the checkout, testing examples/own-django (its own Dockerfile FROM our
base, settings.py, gunicorn.conf.py and nginx.conf) from the project's own folder.

The example's stack passes the forwarding scenarios and its own scenario file; one broken
line in its nginx.conf fails the scenario that names it. Bad input gives one line and its
documented exit code. Builds the wheel with pip (build isolation fetches setuptools from the
host's package index) and installs its dependencies from there (pip's cache makes it quick).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.exitcodes import ExitCode
from harness.paths import PROJECT_ROOT
from tests.integration.conftest import scenario_count

EXAMPLE = PROJECT_ROOT / "examples" / "own-django"
SELECTION = "-k 'test_forwarding or test_mysite' -p no:cacheprovider"
NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".tox")


def run(command: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TESTCONTAINERS_RYUK_DISABLED": "true"}
    env.pop("PYTHONPATH", None)  # nothing of the checkout: only the wheel
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the venv's harness, the user's project folder), from the freshly built wheel."""
    root = tmp_path_factory.mktemp("user")
    # pip builds in the source tree (build/, *.egg-info): build from a copy, not the checkout.
    source = root / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "dist"),
         str(source)], root, 300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((root / "dist").glob("deploy_harness-*.whl"))
    print(f"wheel: {wheel.name}, {wheel.stat().st_size / 1024:.0f} KiB")
    run([sys.executable, "-m", "venv", str(root / "venv")], root, 120).check_returncode()
    started = time.monotonic()
    pip = run([str(root / "venv/bin/pip"), "install", "-q", str(wheel)], root, 600)
    assert pip.returncode == 0, pip.stderr[-2000:]
    print(f"pip install of the wheel and its dependencies: {time.monotonic() - started:.0f}s")
    project = root / "mysite"
    shutil.copytree(EXAMPLE, project)
    return root / "venv" / "bin" / "harness", project


def test_the_wheel_reads_its_own_package_data(installed):
    """Templates, apps, Dockerfiles and scenarios come from the installed wheel, not the
    checkout (which the venv cannot see: no PYTHONPATH, no editable install)."""
    harness, project = installed
    python = harness.parent / "python"
    code = "from harness import paths; print(paths.SCENARIOS_DIR, paths.TEMPLATES_DIR)"
    shown = run([str(python), "-c", code], project, 60)
    where = shown.stdout.split()
    assert len(where) == 2 and all("site-packages/harness/data/" in p for p in where), shown


def test_example_passes_and_a_broken_nginx_line_fails_its_scenario(installed):
    harness, project = installed
    started = time.monotonic()
    passing = run([str(harness), "test", "--stack-file", "stack.toml", "deploy_tests/",
                   f"--pytest-args={SELECTION}"], project, 900)  # fmt: skip
    output = passing.stdout + passing.stderr
    assert passing.returncode == ExitCode.OK, output[-4000:]
    # Every forwarding scenario runs on mysite (harness scenarios --own-app), and its own 2.
    assert f"{scenario_count('test_forwarding.py') + 2} passed" in output, output[-2000:]
    print(f"example run from the wheel: {time.monotonic() - started:.0f}s")

    nginx = project / "nginx.conf"
    nginx.write_text(
        nginx.read_text().replace(
            "proxy_set_header Host $http_host;", "proxy_set_header Host $host;"
        )
    )
    broken = run([str(harness), "test", "--stack-file", "stack.toml", "deploy_tests/",
                  f"--pytest-args={SELECTION}"], project, 600)  # fmt: skip
    output = broken.stdout + broken.stderr
    assert broken.returncode == ExitCode.CHECKS_FAILED, output[-4000:]
    failed = sorted(line for line in output.splitlines() if line.startswith("FAILED"))
    # The Host without its port: what the app builds and checks from it goes wrong (the
    # redirect, the Host itself, X-Forwarded-Host, the CSRF origin); nothing outside them.
    assert failed and all("test_forwarding.py::" in line for line in failed), failed
    assert any("test_redirect_uses_public_host_and_port[h1-mysite-nginx-gunicorn]" in line
               for line in failed), failed  # fmt: skip


def test_bad_input_from_the_wheel_is_one_line_with_its_exit_code(installed, tmp_path):
    harness, project = installed
    (project / "missing.toml").write_text(
        '[[stacks]]\nid = "mine"\nextends = "nginx-gunicorn-gthread-flask"\n'
        '[stacks.overrides]\nimage = "mysite:never-built"\n'
    )
    cases = [
        (["up", "mine", "--stack-file", "missing.toml"], ExitCode.USAGE, "overrides.image"),
        (["render", "nginx-gunicorn-gthread-flask", "--out", "/proc/x"], ExitCode.USAGE, "--out"),
        (["test", "--stack", "traefik-*"], ExitCode.USAGE, "matches no stack"),
    ]
    for args, code, words in cases:
        result = run([str(harness), *args], project, 120)
        lines = (result.stdout + result.stderr).strip().splitlines()
        assert result.returncode == code and len(lines) == 1 and words in lines[0], (args, lines)


def test_build_and_start_failures_end_with_their_class(installed):
    """A Dockerfile step that fails ends `harness test` with 5, a server that exits with 6:
    what CI needs to tell a broken image from a broken deployment."""
    harness, project = installed
    server = 'server_args = ["gunicorn"'
    cases = {
        "broken-build": ("Dockerfile", "USER web\n", "RUN false\nUSER web\n", ExitCode.IMAGE_BUILD),
        "broken-start": ("stack.toml", server, 'server_args = ["false"', ExitCode.STACK_START),
    }
    for name, (file, old, new, code) in cases.items():
        copy = project.parent / name
        shutil.copytree(project, copy)
        (copy / file).write_text((copy / file).read_text().replace(old, new))
        args = ["test", "--stack-file", "stack.toml", "--pytest-args=-k test_redirect"]
        result = run([str(harness), *args], copy, 600)
        output = result.stdout + result.stderr
        assert result.returncode == code, f"{name}: exit {result.returncode}\n{output[-3000:]}"
        assert "stack mysite-nginx-gunicorn did not start" in output, output[-3000:]
