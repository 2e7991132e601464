"""Each class of failure ends `harness` with its own exit code, one line, no traceback.

The codes are documented in `harness --help` and the README (harness/exitcodes.py). Usage
and engine failures run the real command in a subprocess; image build and stack start are raised
where the real code raises them (the build and the session), with no engine needed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.commands import cli
from harness.errors import ImageBuildError, ReadinessTimeout, StackStartError
from harness.exitcodes import ExitCode
from tests.unit.cli_process import harness


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output, output
    assert len(output.splitlines()) == 1, output
    return output


def test_help_documents_every_exit_code():
    shown = harness("--help").stdout
    for code in ExitCode:
        assert f"\n  {int(code)} " in shown, f"exit code {int(code)} missing from --help:\n{shown}"


def test_readme_documents_every_exit_code():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {int(code)} |" in readme, f"exit code {int(code)} missing from README.md"


def test_usage_render_into_an_uncreatable_folder():
    result = harness("render", "nginx-gunicorn-gthread-flask", "--out", "/proc/no/such")
    line = one_line_error(result)
    assert result.returncode == ExitCode.USAGE, line
    assert "cannot write to --out '/proc/no/such'" in line and "Hint" in line


def test_usage_bad_stack_file(tmp_path):
    path = tmp_path / "stack.toml"
    path.write_text('[[stacks]]\nextends = "nginx-gunicorn-gthread-flask"\nreplicas = 0\n')
    result = harness("build", "--stack-file", str(path))
    assert result.returncode == ExitCode.USAGE, result.stderr
    assert "replicas" in result.stderr and "Traceback" not in result.stderr


def test_usage_test_with_a_selection_matching_nothing():
    result = harness("test", "--stack", "traefik-*")
    assert result.returncode == ExitCode.USAGE, result.stdout + result.stderr
    assert "matches no stack" in result.stdout + result.stderr


def test_engine_unreachable():
    result = harness("clean", env={"DOCKER_HOST": "tcp://127.0.0.1:1"})
    line = one_line_error(result)
    assert result.returncode == ExitCode.ENGINE, line
    assert "Cannot reach the Docker engine" in line


def test_image_build_failure(monkeypatch, capsys):
    def failing_build(*_args, **_kwargs):
        raise ImageBuildError("mmdebstrap failed for Debian bookworm (exit 1). Hint: the log")

    from harness.run import session  # `harness build` builds through the session, as test does

    monkeypatch.setattr(session, "ensure_base", failing_build)
    monkeypatch.setattr(session.HarnessSession, "close", lambda self: [])
    code = cli.main(["build", "--stack", "nginx-gunicorn-gthread-flask"])
    assert code == ExitCode.IMAGE_BUILD, capsys.readouterr().err
    assert "mmdebstrap failed" in capsys.readouterr().err


@pytest.mark.parametrize("error", [StackStartError, ReadinessTimeout])
def test_stack_start_failure(monkeypatch, capsys, error):
    from harness.run import session

    def failing_start(self, spec):
        raise error(f"{spec.id}: proxy exited with code 1")

    monkeypatch.setattr(session.HarnessSession, "start", failing_start)
    monkeypatch.setattr(session.HarnessSession, "close", lambda self: [])
    code = cli.main(["up", "nginx-gunicorn-gthread-flask"])
    assert code == ExitCode.STACK_START, capsys.readouterr().err
    assert "proxy exited with code 1" in capsys.readouterr().err


def test_docker_errors_become_harness_errors_naming_the_service():
    import docker.errors

    from harness.errors import ConfigError, EngineError
    from harness.run.boundary import docker_errors

    cases = [
        (docker.errors.ImageNotFound("no such image: mine:1"), ConfigError),
        (docker.errors.APIError("Conflict. The container name is in use"), StackStartError),
        (docker.errors.DockerException("Error while fetching server API version"), EngineError),
    ]
    for raised, expected in cases:
        with pytest.raises(expected) as caught, docker_errors("my-stack", "app-1"):
            raise raised
        assert "stack my-stack, service app-1" in str(caught.value), caught.value
        assert "Hint" in str(caught.value), caught.value
