"""`harness render` output, used unchanged through --stack-file, behaves like the built-in stack;
the worked example's one-line change (Host without port) is caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.paths import PROJECT_ROOT
from tests.integration.conftest import scenario_count

STACK = "nginx-gunicorn-gthread-flask"


def render(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "harness", "render", STACK, "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out / "stack.toml"


def scenarios(stack_file: Path, *selection: str) -> subprocess.CompletedProcess[str]:
    """`pytest <selection> --stack-file stack_file` in one process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", *selection, "--stack-file", str(stack_file),
         "-p", "no:cacheprovider", "-q", "-n", "0"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def forwarding(stack_file: Path) -> subprocess.CompletedProcess[str]:
    return scenarios(stack_file, "scenarios/test_forwarding.py")


def test_rendered_files_unchanged_pass(tmp_path):
    result = forwarding(render(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"{scenario_count('test_forwarding.py')} passed" in result.stdout, result.stdout[-3000:]


def test_worked_example_edit_is_caught(tmp_path):
    stack_file = render(tmp_path)
    config = tmp_path / "nginx.conf"
    text = config.read_text().replace(
        "proxy_set_header Host $http_host;", "proxy_set_header Host $host;"
    )
    config.write_text(
        "\n".join(line for line in text.splitlines() if "X-Forwarded-Host" not in line) + "\n"
    )
    result = forwarding(stack_file)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "test_redirect_uses_public_host_and_port" in result.stdout
    assert "container logs" in result.stdout


FILE_STACK = """
[[stacks]]
id = "my-api"
extends = "nginx-gunicorn-gthread-flask"
replicas = 3
tls = true
[stacks.timeouts]
proxy_read = 4
keepalive = 4
[stacks.limits]
max_body_bytes = 2097152
[stacks.overrides]
env = { MY_FEATURE = "on" }
"""


def test_rendered_file_stack_starts_and_passes_correctness(tmp_path):
    """A stack from a file, rendered, runs from the written stack.toml alone."""
    (tmp_path / "stacks.toml").write_text(FILE_STACK)
    out = tmp_path / "effective"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "harness",
            "render",
            "my-api",
            "--stack-file",
            str(tmp_path / "stacks.toml"),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert "extends" not in (out / "stack.toml").read_text()
    result = scenarios(out / "stack.toml", "scenarios/", "-m", "correctness")
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout, result.stdout[-3000:]
