"""Bad input to the CLI: one clear message (what, where, hint), a non-zero exit, no traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.building.images import _bootstrap_and_import
from harness.errors import ImageBuildError
from harness.spec.model import Suite
from tests.unit.cli_process import harness


def assert_clean_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    for text in expected:
        assert text in output.replace("\n", " "), output


def stack_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "stacks.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_engine_unreachable():
    result = harness("clean", env={"DOCKER_HOST": "tcp://127.0.0.1:1"})
    assert_clean_error(result, "Cannot reach the Docker engine at tcp://127.0.0.1:1", "Hint")


def test_unknown_stack_id():
    assert_clean_error(
        harness("render", "caddy-flask", "--out", "/tmp/x"),
        "unknown stack 'caddy-flask'",
        "in all). Hint: `harness stacks`",
    )


def test_glob_matching_nothing():
    assert_clean_error(
        harness("build", "--stack", "traefik-*"), "matches no stack", "harness stacks"
    )


def test_stacks_lists_a_selection_and_never_takes_stack_for_stack_file():
    """`--stack` is its own option on every command (argparse abbreviations are off)."""
    listed = harness("stacks", "--stack", "haproxy-uwsgi-*")
    assert listed.returncode == 0, listed.stderr
    assert "haproxy-uwsgi-flask-http" in listed.stdout
    assert "nginx-uwsgi-flask" not in listed.stdout
    assert_clean_error(harness("stacks", "--stack", "nginx-uwsgi-flsk"), "nginx-uwsgi-flask")
    assert_clean_error(harness("build", "--stack-fil", "x.toml"), "unrecognized arguments")


def test_invalid_toml(tmp_path):
    path = stack_file(tmp_path, "[[stacks]\n")
    assert_clean_error(harness("stacks", "--stack-file", str(path)), str(path), "not valid TOML")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('colour = "red"', "field 'colour': got an unknown field"),
        ("replicas = 0", "field 'replicas': got 0; allowed: a whole number from 1"),
        (
            'proxy = "traefik"',
            "field 'proxy': got 'traefik'; allowed: nginx, apache, haproxy, caddy",
        ),
        ('server = "tornado"', "field 'server': got 'tornado'"),
        ('server = "daphne"', "Flask is a WSGI-only app"),
        ('tls_min_version = "1.3"', "field 'tls_min_version': got 1.3; allowed: only with tls"),
        ('[stacks.overrides]\nproxy_config = "absent.conf"', "an existing file"),
    ],
    ids=[
        "unknown-field",
        "replicas-0",
        "unknown-proxy",
        "unknown-server",
        "asgi-server-wsgi-app",
        "tls-settings-without-tls",
        "config-file-missing",
    ],
)
def test_invalid_stack_file_values(tmp_path, body, expected):
    path = stack_file(
        tmp_path, f'[[stacks]]\nid = "bad"\nextends = "nginx-gunicorn-gthread-flask"\n{body}\n'
    )
    assert_clean_error(
        harness("stacks", "--stack-file", str(path)), str(path), "stack 'bad'", expected
    )


def test_unknown_profile():
    assert_clean_error(harness("build", "--profile", "weekly"), "invalid choice: 'weekly'")


def test_invalid_base_mode():
    assert_clean_error(
        harness("doctor", env={"HARNESS_BASE": "alpine"}), "HARNESS_BASE: got 'alpine'"
    )


def test_mmdebstrap_missing_in_registry_less_mode(monkeypatch):
    monkeypatch.setattr("harness.building.images.shutil.which", lambda name: None)
    with pytest.raises(ImageBuildError, match=r"needs mmdebstrap.*apt-get install mmdebstrap"):
        _bootstrap_and_import(Suite.BOOKWORM, "deploy-harness/base:never")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--users", "0"], "--users: level '0' in '0'; allowed: whole numbers from 1 to 512"),
        (["--seconds", "ten"], "argument --seconds: got 'ten'; allowed: 1 to 600"),
        (["--path", "echo"], "argument --path: got 'echo'; allowed: a path on the stack"),
        (["--max-failure-ratio", "2"], "got '2'; allowed: a number from 0 to 1"),
    ],
)
def test_load_rejects_bad_plans(args, expected):
    assert_clean_error(harness("load", "nginx-uwsgi-flask", *args), expected)


def test_load_unknown_stack():
    assert_clean_error(
        harness("load", "nginx-uwsgi-flask", "nginx-uwsgi-flsk"),
        "load: unknown stack 'nginx-uwsgi-flsk'",
        "nginx-uwsgi-flask",
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["matrix", "run", "--profile", "ci", "--shard", "5/4", "--out", "x"],
            "argument --shard: got '5/4'; allowed: I/N with 1 <= I <= N <= 256",
        ),
        (
            ["matrix", "run", "--profile", "ci", "--out", "x", "--pytest-args", "'open"],
            '--pytest-args: got "\'open"; No closing quotation',
        ),
        (
            ["matrix", "report", "no-such-results", "--out", "x"],
            "no-such-results: no matrix results here",
        ),
        (
            ["matrix", "plan", "--profile", "ci", "--shards", "0"],
            "argument --shards: got '0'; allowed: a whole number from 1",
        ),
        (["matrix", "diff", "no-old", "no-new"], "no-old: no matrix results here"),
    ],
)
def test_matrix_rejects_bad_input(args, expected):
    assert_clean_error(harness(*args), expected)
