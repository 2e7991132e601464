"""A known incompatibility applies to what runs: a user's own nginx.conf that re-resolves
replica names passes the re-resolution scenario plainly, while the built-in stack, whose
generated upstream block resolves names once, still fails it as a strict xfail."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from harness.known.incompatibilities import RECREATED_REPLICA, known_incompatibilities
from harness.paths import PROJECT_ROOT
from harness.spec.catalog import STACKS
from harness.spec.stackfile import load_stack_file

STACK = "nginx-gunicorn-gthread-flask"
OWN = "nginx-own-resolver"
# Docker's embedded DNS, as every container on a user-defined network sees it. A short
# `valid` so a recreated replica's new address is used within a second.
RESOLVER = "resolver 127.0.0.11 valid=1s ipv6=off;"


def render(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "harness", "render", STACK, "--out", str(out)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return out / "stack.toml"


def re_resolving(config: str) -> str:
    """Our nginx.conf with a variable proxy_pass that re-resolves each replica's name.

    A variable proxy_pass names one host, so `split_clients` picks a replica name per request
    (by its random $request_id): every replica keeps getting traffic, and nginx looks each name
    up again through the resolver instead of once at start (what the upstream block does).
    """
    replicas = re.findall(r"server (app-\d+):8000", config)
    share = f"{100 / len(replicas):.2f}%"
    choices = [f"        {share} {name};" for name in replicas[:-1]]
    choices.append(f"        * {replicas[-1]};")
    split = "\n".join(
        [f"    {RESOLVER}", '    split_clients "${request_id}" $replica {', *choices, "    }", ""]
    )
    config = config.replace("    upstream app {", split + "\n    upstream app {", 1)
    assert "proxy_pass http://app;" in config, "the rendered nginx.conf changed shape"
    return config.replace("proxy_pass http://app;", "proxy_pass http://$replica:8000;")


def test_own_re_resolving_nginx_conf_passes_where_the_built_in_stack_xfails(tmp_path):
    stack_file = render(tmp_path)
    nginx_conf = tmp_path / "nginx.conf"
    nginx_conf.write_text(re_resolving(nginx_conf.read_text()))
    stack_file.write_text(stack_file.read_text().replace(f'id = "{STACK}"', f'id = "{OWN}"'))
    (own,) = load_stack_file(stack_file)
    assert not known_incompatibilities(own, RECREATED_REPLICA)
    assert known_incompatibilities(STACKS[STACK], RECREATED_REPLICA)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "scenarios/test_lifecycle.py", "-k", "recreated",
         "--stack-file", str(stack_file), "--stack", OWN, "--stack", STACK,
         "-p", "no:cacheprovider", "-q", "-rA", "-n", "0"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=420, check=False,
    )  # fmt: skip
    case = "scenarios/test_lifecycle.py::test_recreated_replica_is_reached_again"
    assert result.returncode == 0, result.stdout[-4000:]
    assert f"PASSED {case}[{OWN}]" in result.stdout, result.stdout[-4000:]
    assert f"XFAIL {case}[{STACK}]" in result.stdout, result.stdout[-4000:]
