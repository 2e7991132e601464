"""examples/ are products: each runs end to end here, as its README says, and stays green.

Every own-app example (a third party's project with its own Dockerfile, app, server and proxy
configs, answering the contract through harness_contract) runs every family through
`harness test`; its cases that run must all pass, and a classic mistake in its own files
fails the case it breaks. The own-nginx walk-through is done as its README says (render,
change one line, and the scenario it names fails), and framing-pins as its stack file says.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.exitcodes import ExitCode
from harness.paths import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "examples"
OWN_APPS = sorted(path.name for path in EXAMPLES.glob("own-*") if (path / "stack.toml").is_file())
HARNESS = str(Path(sys.executable).with_name("harness"))
# Two pytest workers each: the examples run beside make test's other Docker tests.
WORKERS = "2"


def harness(*args: str, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TESTCONTAINERS_RYUK_DISABLED": "true"}
    return subprocess.run(
        [HARNESS, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip


def outcome_counts(output: str) -> dict[str, int]:
    """pytest's closing line as {"passed": 96, "skipped": 56, ...}."""
    found = re.findall(r"(\d+) (passed|failed|skipped|xfailed|xpassed|errors?)\b", output)
    return {kind: int(count) for count, kind in found}


def failures_first(output: str, limit: int = 8000) -> str:
    """What a red run needs read first: each FAILED/ERROR line and the start of the first
    failure's report (the run's tail is mostly the container logs of the last one)."""
    named = [line for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    start = output.find("= FAILURES =")
    report = output[start : start + limit] if start >= 0 else output[-limit:]
    return "\n".join([*named, "...", report])


@pytest.mark.parametrize("name", OWN_APPS)
def test_own_app_example_is_green_on_every_family(name, tmp_path):
    """`harness test --stack-file stack.toml deploy_tests/` from the example's folder: every
    family, the example's own checks too; nothing fails, and every skip says why."""
    project = tmp_path / name
    shutil.copytree(EXAMPLES / name, project)
    started = time.monotonic()
    run = harness("test", "--stack-file", "stack.toml", "deploy_tests/", "--workers", WORKERS,
                  "--pytest-args=-rfEs -p no:cacheprovider", cwd=project, timeout=1500)  # fmt: skip
    output = run.stdout + run.stderr
    counts = outcome_counts(output.splitlines()[-1] if output.strip() else "")
    print(f"{name}: {counts} in {time.monotonic() - started:.0f}s")
    assert run.returncode == ExitCode.OK, failures_first(output)
    assert counts.get("passed", 0) > 0 and not counts.get("failed"), output[-3000:]
    unexplained = [line for line in output.splitlines()
                   if line.startswith("SKIPPED") and ": " not in line]  # fmt: skip
    assert not unexplained, unexplained


# A classic mistake in each example's own files (none of them in our variant list), the
# family that names it, the case that must fail, and the words it must fail with.
CLASSIC_MISTAKES = {
    "own-django": (
        "nginx.conf",
        "        keepalive_timeout 3s;\n",
        "",  # nginx's 60 s over gunicorn's 5
        "limits",
        "test_proxy_does_not_reuse_upstream_connections_the_server_is_closing",
        r"over old upstream connections",
    ),
    "own-flask": (
        "haproxy.cfg",
        "    timeout server 5s",
        "    timeout server 30s",  # declared 5 s
        "limits",
        "test_request_past_proxy_read_timeout_gets_timeout_status",
        r"got 200 after \S+ s .*declared proxy_read = 5 ",
    ),
    "own-fastapi": (
        "nginx.conf",
        "X-Forwarded-For $remote_addr;",
        "X-Forwarded-For $proxy_add_x_forwarded_for;",  # with uvicorn's allow-ips "*"
        "forwarding",
        "test_client_supplied_forwarded_for_is_not_client_address",
        r"app trusted the client's 203\.0\.113\.66",
    ),
    "own-channels": (
        "stack.toml",
        ' "--proxy-headers",',
        "",  # daphne then ignores X-Forwarded-For
        "forwarding",
        "test_client_address_reaches_app",
        r"app saw client '[\d.]+', the proxy saw",
    ),
}


@pytest.mark.parametrize("name", sorted(CLASSIC_MISTAKES))
def test_a_classic_mistake_in_an_example_is_named(name, tmp_path):
    """One line a user commonly gets wrong, changed in the example's own files: the run goes
    red on the case that proves that guarantee, saying what it saw."""
    file, old, new, family, case, expect = CLASSIC_MISTAKES[name]
    project = tmp_path / name
    shutil.copytree(EXAMPLES / name, project)
    text = (project / file).read_text()
    assert old in text, f"{name}/{file} no longer holds {old!r}"
    (project / file).write_text(text.replace(old, new))
    run = harness("test", "--stack-file", "stack.toml", "--workers", WORKERS,
                  f"--pytest-args=-m {family} -p no:cacheprovider", cwd=project,
                  timeout=900)  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == ExitCode.CHECKS_FAILED, output[-4000:]
    failed = [line for line in output.splitlines() if line.startswith("FAILED")]
    assert any(case in line for line in failed), failed or output[-3000:]
    assert re.search(expect, output), output[-4000:]


def test_own_nginx_walk_through_fails_the_scenario_it_names(tmp_path):
    """examples/own-nginx/README.md: render, `Host $host` instead of `$http_host`, and the
    redirect scenario fails with the public port missing."""
    mine = tmp_path / "mine"
    rendered = harness("render", "nginx-gunicorn-gthread-flask", "--out", str(mine),
                       cwd=tmp_path, timeout=120)  # fmt: skip
    assert rendered.returncode == ExitCode.OK, rendered.stdout + rendered.stderr
    nginx = mine / "nginx.conf"
    text = nginx.read_text()
    assert "proxy_set_header Host $http_host;" in text
    text = text.replace("proxy_set_header Host $http_host;", "proxy_set_header Host $host;")
    nginx.write_text("".join(line + "\n" for line in text.splitlines()
                             if "proxy_set_header X-Forwarded-Host" not in line))  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(PROJECT_ROOT / "scenarios"), "--stack-file",
         str(mine / "stack.toml"), "-m", "forwarding", "-n", "0", "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 1, output[-3000:]
    assert re.search(
        r"FAILED \S*test_redirect_uses_public_host_and_port\[h1-nginx-gunicorn-gthread-flask\]",
        output,
    ), output[-3000:]
    assert re.search(r"Location 'http://127\.0\.0\.1/echo\?redirected=1', expected", output), (
        output[-3000:]
    )


def test_framing_pins_runs_as_its_stack_file_says(tmp_path):
    """examples/framing-pins/stacks.toml's two commands: a matrix run of its stacks (the
    framing family, servers before and after their framing fixes) and its report."""
    out = tmp_path / "framing"
    stacks = str(EXAMPLES / "framing-pins" / "stacks.toml")
    run = harness("matrix", "run", "--stack-file", stacks, "--out", str(out), "--no-retry",
                  cwd=tmp_path, timeout=1500)  # fmt: skip
    assert run.returncode == ExitCode.OK, (run.stdout + run.stderr)[-4000:]
    cases = json.loads((out / "results.json").read_text())["cases"]
    assert cases and {case["family"] for case in cases} == {"framing"}, cases[:2]
    bad = [f"{c['stack']} {c['case']}: {c['outcome']}" for c in cases
           if c["outcome"] not in ("passed", "xfailed")]  # fmt: skip
    assert not bad, bad
    report = harness("matrix", "report", str(out / "results.json"), "--out", str(out / "report"),
                     cwd=tmp_path, timeout=300)  # fmt: skip
    assert report.returncode == ExitCode.OK, report.stdout + report.stderr
    assert (out / "report" / "index.html").stat().st_size > 0


def test_te_cl_finding_reproduces_as_docs_findings_says(tmp_path):
    """examples/framing-pins/te-cl.toml (docs/findings.md, entry 1): straight to the replica,
    the te-cl probe's hidden request runs on h11 (uvicorn, hypercorn) and waitress, and
    uvicorn on httptools refuses it; through nginx every one is refused."""
    out = tmp_path / "te-cl"
    stacks = str(EXAMPLES / "framing-pins" / "te-cl.toml")
    run = harness("matrix", "run", "--stack-file", stacks, "--out", str(out), "--no-retry",
                  cwd=tmp_path, timeout=900)  # fmt: skip
    assert run.returncode == ExitCode.OK, (run.stdout + run.stderr)[-4000:]
    cases = json.loads((out / "results.json").read_text())["cases"]
    te_cl = {
        c["stack"]: c["observations"]["framing"] for c in cases if c["case"].endswith("[te-cl]")
    }
    direct = {stack: seen["direct"]["outcome"] for stack, seen in te_cl.items()}
    assert direct == {
        "nginx-uvicorn-h11-django-asgi-te-cl": "desync",
        "nginx-hypercorn-django-asgi-te-cl": "desync",
        "nginx-waitress-flask-te-cl": "desync",
        "nginx-waitress-flask-2.1.0-te-cl": "desync",
        "nginx-uvicorn-django-asgi-te-cl": "refused",
    }, te_cl
    assert {seen["proxied"]["outcome"] for seen in te_cl.values()} == {"refused"}, te_cl
