"""Relations between manifests, each broken one as exactly one line naming both files and
fields; manifests of your own checked for what they say; the CLI's exit codes 0, 1, 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.kubernetes.checking import check_manifests
from harness.kubernetes.manifests import stack_manifests
from harness.kubernetes.relations import host_allowed
from harness.kubernetes.writing import write_manifests
from harness.spec.catalog import STACKS
from tests.unit.cli_process import harness

STACK = "nginx-gunicorn-gthread-flask"
VERSION = ["1.30"]


def rendered(tmp_path: Path) -> Path:
    write_manifests(STACK, stack_manifests(STACKS[STACK]), tmp_path)
    return tmp_path


def edit(folder: Path, name: str, change: Any) -> None:
    path = folder / name
    documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    change(documents[0])
    path.write_text(yaml.safe_dump_all(documents), encoding="utf-8")


def pod(document: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = document["spec"]["template"]["spec"]
    return spec


def test_rendered_manifests_have_no_problem_and_no_note(tmp_path):
    outcome = check_manifests(rendered(tmp_path), VERSION)
    assert (outcome.problems, outcome.notes) == ([], [])


def test_a_grace_period_too_short_is_one_line(tmp_path):
    folder = rendered(tmp_path)
    edit(folder, "deployment-app.yaml", lambda d: pod(d).update(terminationGracePeriodSeconds=10))
    assert check_manifests(folder, VERSION).problems == [
        "deployment-app.yaml: spec.template.spec.terminationGracePeriodSeconds = 10 < "
        "preStop sleep 5 (same file, container server lifecycle.preStop) + graceful 3 "
        "(configmap-server.yaml: gunicorn.conf.py graceful_timeout) + longest request 3 "
        "(declared timeouts.proxy_read: deployment-app.yaml metadata.annotations "
        "deploy-harness.dev/timeouts.proxy_read)"
    ]


def test_the_grace_relation_reads_the_server_config_map(tmp_path):
    """A longer graceful_timeout in the server's ConfigMap makes the same grace too short."""
    folder = rendered(tmp_path)

    def longer(document: dict[str, Any]) -> None:
        config = document["data"]["gunicorn.conf.py"]
        document["data"]["gunicorn.conf.py"] = config.replace(
            "graceful_timeout = 3", "graceful_timeout = 10"
        )

    edit(folder, "configmap-server.yaml", longer)
    [problem] = check_manifests(folder, VERSION, STACKS[STACK]).problems
    assert problem == (
        "deployment-app.yaml: spec.template.spec.terminationGracePeriodSeconds = 13 < preStop "
        "sleep 5 (same file, container server lifecycle.preStop) + graceful 10 "
        "(configmap-server.yaml: gunicorn.conf.py graceful_timeout) + longest request 3 "
        "(stack timeouts.proxy_read)"
    )


def own_app(document: dict[str, Any], headers: list[dict[str, str]] | None) -> None:
    [server] = pod(document)["containers"]
    server["image"] = "mysite:1.0"
    for probe in ("readinessProbe", "livenessProbe"):
        if headers is None:
            server[probe]["httpGet"].pop("httpHeaders")
        else:
            server[probe]["httpGet"]["httpHeaders"] = headers


def test_a_probe_without_host_is_refused_by_allowed_hosts(tmp_path):
    folder = rendered(tmp_path)
    edit(folder, "deployment-app.yaml", lambda d: own_app(d, None))
    problems = check_manifests(folder, VERSION).problems
    assert problems == [
        f"deployment-app.yaml: container server {probe}.httpGet sends Host <pod IP>:http (no "
        "httpHeaders Host: the pod's address), not in the allowed hosts "
        "localhost,127.0.0.1,deploy-harness.test (configmap-app-settings.yaml: "
        "data.HARNESS_ALLOWED_HOSTS); Django answers 400. Hint: set httpHeaders Host to an "
        "allowed name"
        for probe in ("readinessProbe", "livenessProbe")
    ]


def test_a_probe_host_not_allowed_gives_its_line(tmp_path):
    folder = rendered(tmp_path)
    edit(folder, "deployment-app.yaml", lambda d: own_app(d, [{"name": "Host", "value": "x.io"}]))
    problems = check_manifests(folder, VERSION).problems
    assert len(problems) == 2
    assert (
        "sends Host 'x.io' (same file, container server readinessProbe.httpGet.httpHeaders)"
        in (problems[0])
    )


def test_a_probe_host_allowed_by_a_wildcard_passes(tmp_path):
    folder = rendered(tmp_path)
    edit(folder, "deployment-app.yaml", lambda d: own_app(d, None))
    edit(
        folder, "configmap-app-settings.yaml", lambda d: d["data"].update(HARNESS_ALLOWED_HOSTS="*")
    )
    assert check_manifests(folder, VERSION).problems == []


def test_a_probe_path_outside_the_contract_gives_its_line(tmp_path):
    folder = rendered(tmp_path)
    edit(
        folder,
        "deployment-app.yaml",
        lambda d: pod(d)["containers"][0]["readinessProbe"]["httpGet"].update(path="/healthz"),
    )
    [problem] = check_manifests(folder, VERSION).problems
    assert problem.startswith(
        "deployment-app.yaml: container server readinessProbe.httpGet.path = '/healthz' is not "
        "a route of the reference apps"
    )


def test_host_matching_follows_django():
    assert host_allowed("localhost:8000", ["localhost"])
    assert host_allowed("a.example.com", [".example.com"])
    assert not host_allowed("<pod IP>", ["localhost", "127.0.0.1"])
    assert host_allowed("<pod IP>", ["*"])


def test_ingress_annotations_smaller_than_declared_give_their_lines(tmp_path):
    folder = rendered(tmp_path)
    prefix = "nginx.ingress.kubernetes.io/"

    def smaller(document: dict[str, Any]) -> None:
        annotations = document["metadata"]["annotations"]
        annotations[prefix + "proxy-body-size"] = "512k"
        del annotations[prefix + "proxy-buffer-size"]  # ingress-nginx's 4k, < 8192 declared

    edit(folder, "ingress.yaml", smaller)
    assert check_manifests(folder, VERSION, STACKS[STACK]).problems == [
        f"ingress.yaml: metadata.annotations {prefix}proxy-body-size = 512k < declared "
        "limits.max_body_bytes 1048576 bytes (stack limits.max_body_bytes)",
        f"ingress.yaml: metadata.annotations {prefix}proxy-buffer-size = 4k (absent: "
        "ingress-nginx's default) < declared limits.max_response_header_bytes 8192 bytes "
        "(stack limits.max_response_header_bytes)",
    ]


OWN_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 20
      containers:
      - name: web
        image: mysite:1.0
        args: [uvicorn, mysite.asgi:application, --timeout-graceful-shutdown, "30"]
        env: [{name: DJANGO_ALLOWED_HOSTS, value: "mysite.example"}]
        ports: [{containerPort: 8000}]
        readinessProbe: {httpGet: {path: /ready, port: 8000}}
        lifecycle: {preStop: {exec: {command: [sh, -c, "sleep 10"]}}}
"""


def test_your_own_manifests_are_read_for_what_they_say(tmp_path):
    (tmp_path / "web.yml").write_text(OWN_DEPLOYMENT, encoding="utf-8")
    outcome = check_manifests(tmp_path, VERSION)
    assert outcome.problems == [
        "web.yml: spec.template.spec.terminationGracePeriodSeconds = 20 < preStop sleep 10 (same "
        "file, container web lifecycle.preStop) + graceful 30 (same file, container web "
        "--timeout-graceful-shutdown)",
        "web.yml: container web readinessProbe.httpGet sends Host <pod IP>:8000 (no httpHeaders "
        "Host: the pod's address), not in the allowed hosts mysite.example (same file, env "
        "DJANGO_ALLOWED_HOSTS); Django answers 400. Hint: set httpHeaders Host to an allowed name",
    ]
    assert any("longest request could not be read" in note for note in outcome.notes)
    assert any("'/ready' not checked" in note for note in outcome.notes)


def test_cli_exit_codes_without_traceback(tmp_path):
    folder = rendered(tmp_path / "manifests")
    clean = harness("check-manifests", str(folder), "--kubernetes-version", "1.30")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "0 problem(s) in 12 document(s)" in clean.stdout
    edit(folder, "deployment-app.yaml", lambda d: pod(d).update(terminationGracePeriodSeconds=1))
    broken = harness("check-manifests", str(folder), "--kubernetes-version", "1.30")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "terminationGracePeriodSeconds = 1 <" in broken.stdout
    (folder / "bad.yaml").write_text("kind: [unclosed\n", encoding="utf-8")
    for args in (
        [str(folder)],
        [str(tmp_path / "missing")],
        [str(folder), "--kubernetes-version", "1.2"],
    ):
        bad = harness("check-manifests", *args)
        output = bad.stdout + bad.stderr
        assert bad.returncode == 2, output
        assert "Traceback" not in output, output
    assert "bad.yaml line 2: invalid YAML" in harness("check-manifests", str(folder)).stderr


def test_render_writes_manifests_and_needs_a_target(tmp_path):
    result = harness("render", STACK, "--kubernetes", str(tmp_path / "k8s"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "k8s" / "deployment-app.yaml").is_file()
    nothing = harness("render", STACK)
    assert nothing.returncode == 2
    assert "nothing to write" in nothing.stderr and "Traceback" not in nothing.stderr
