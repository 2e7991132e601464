"""A stack rendered as Kubernetes manifests: every value from its spec, valid for each
Kubernetes version checked, and a broken manifest refused naming its field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.kubernetes.checking import check_manifests
from harness.kubernetes.ingress import nginx_size, parse_nginx_size
from harness.kubernetes.lifecycle import GRACE_MARGIN_SECONDS, PRESTOP_PAUSE_SECONDS
from harness.kubernetes.manifests import APP_IMAGE_PLACEHOLDER, stack_manifests
from harness.kubernetes.reading import read_manifests
from harness.kubernetes.relations import CONTRACT_PROBE_ROUTES
from harness.kubernetes.validation import (
    OLDEST_VALIDATED,
    bundled_versions,
    default_versions,
    schema_problems,
)
from harness.kubernetes.writing import write_manifests
from harness.paths import APPS_DIR
from harness.spec.catalog import STACKS
from harness.spec.model import Limits, StackSpec, Timeouts

DEFAULT_STACK = "nginx-gunicorn-gthread-flask"


def builtin(stack_id: str) -> StackSpec:
    return STACKS[stack_id]


def rendered(tmp_path: Path, spec: StackSpec) -> Path:
    write_manifests(spec.id, stack_manifests(spec), tmp_path)
    return tmp_path


def only(files: dict[str, list[dict[str, Any]]], name: str) -> dict[str, Any]:
    [document] = files[name]
    return document


def app_pod(spec: StackSpec) -> dict[str, Any]:
    pod: dict[str, Any] = only(stack_manifests(spec), "deployment-app.yaml")["spec"]["template"]
    return pod["spec"]


def test_default_versions_run_from_the_oldest_relevant_to_the_newest_bundled():
    versions = default_versions()
    assert versions[0] == OLDEST_VALIDATED
    assert versions[-1] == bundled_versions()[-1]
    assert len(versions) >= 2, versions


@pytest.mark.parametrize("version", default_versions())
def test_default_stack_validates_for_each_version(tmp_path, version):
    """The manifests of the default stack pass Kubernetes' strict schemas of each version."""
    documents = read_manifests(rendered(tmp_path, builtin(DEFAULT_STACK)))
    assert schema_problems(documents, [version]) == []


@pytest.mark.parametrize(
    "stack_id",
    [
        "nginx-uvicorn-django-asgi",
        "haproxy-daphne-django-asgi-tls",
        "nginx-uwsgi-flask",
        "nginx-gunicorn-gthread-flask-prefix",
    ],
)
def test_other_stacks_check_clean(tmp_path, stack_id):
    """Other servers, TLS and uWSGI's protocol render manifests with no problem and no note."""
    spec = builtin(stack_id)
    outcome = check_manifests(rendered(tmp_path, spec), [OLDEST_VALIDATED])
    assert (outcome.problems, outcome.notes) == ([], [])


def test_replicas_grace_and_pause_come_from_the_spec():
    spec = builtin(DEFAULT_STACK).with_changes(
        replicas=3, timeouts=Timeouts(graceful=7, proxy_read=4), id="custom"
    )
    deployment = only(stack_manifests(spec), "deployment-app.yaml")
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == 3
    assert (
        pod["terminationGracePeriodSeconds"] == PRESTOP_PAUSE_SECONDS + 7 + 4 + GRACE_MARGIN_SECONDS
    )
    [server] = pod["containers"]
    assert server["lifecycle"]["preStop"]["exec"]["command"] == [
        "sleep",
        str(PRESTOP_PAUSE_SECONDS),
    ]
    assert server["image"] == APP_IMAGE_PLACEHOLDER.format(suite=spec.suite)


def test_probes_ask_health_with_an_allowed_host():
    [server] = app_pod(builtin(DEFAULT_STACK))["containers"]
    for probe in ("readinessProbe", "livenessProbe"):
        get = server[probe]["httpGet"]
        assert get["path"] == "/health"
        assert get["httpHeaders"] == [{"name": "Host", "value": "localhost"}]


def test_server_config_is_the_effective_one():
    files = stack_manifests(builtin(DEFAULT_STACK).with_changes(timeouts=Timeouts(graceful=9)))
    config = only(files, "configmap-server.yaml")["data"]["gunicorn.conf.py"]
    assert "graceful_timeout = 9" in config


def test_ingress_annotations_carry_the_declared_limits_and_timeouts():
    spec = builtin(DEFAULT_STACK).with_changes(
        limits=Limits(max_body_bytes=10 * 1024 * 1024),
        timeouts=Timeouts(proxy_read=7, proxy_connect=2),
    )
    annotations = only(stack_manifests(spec), "ingress.yaml")["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert annotations[prefix + "proxy-body-size"] == "10m"
    assert annotations[prefix + "proxy-read-timeout"] == "8"  # one second over the stack's
    assert annotations[prefix + "proxy-connect-timeout"] == "3"
    assert annotations["deploy-harness.dev/timeouts.proxy_read"] == "7"


def test_nginx_sizes_round_trip():
    for size in (1, 1000, 1024, 8192, 1024 * 1024, 3 * 1024**3):
        assert parse_nginx_size(nginx_size(size)) == size
    assert parse_nginx_size("ten") is None


def test_contract_probe_routes_are_in_the_contract():
    contract = (APPS_DIR / "CONTRACT.md").read_text(encoding="utf-8")
    for route in CONTRACT_PROBE_ROUTES:
        assert re.search(rf"\| `(GET|ANY) {re.escape(route)}\b", contract), route


def _edit(folder: Path, name: str, change: Any) -> None:
    path = folder / name
    documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    change(documents[0])
    path.write_text(yaml.safe_dump_all(documents), encoding="utf-8")


def test_a_wrong_field_type_is_refused_naming_its_field(tmp_path):
    folder = rendered(tmp_path, builtin(DEFAULT_STACK))
    _edit(folder, "deployment-app.yaml", lambda d: d["spec"].update(replicas="two"))
    problems = check_manifests(folder, [OLDEST_VALIDATED]).problems
    assert problems == [
        "deployment-app.yaml: Deployment/app: spec.replicas: 'two' is not of type 'integer', "
        f"'null' (Kubernetes {OLDEST_VALIDATED})"
    ]


def test_a_misspelled_field_is_refused_in_strict_mode(tmp_path):
    folder = rendered(tmp_path, builtin(DEFAULT_STACK))
    pod = lambda d: d["spec"]["template"]["spec"]  # noqa: E731
    _edit(folder, "deployment-app.yaml", lambda d: pod(d).update(terminationGracePeriod=30))
    [problem] = check_manifests(folder, ["1.30", "1.37"]).problems
    assert problem.startswith("deployment-app.yaml: Deployment/app: spec.template.spec: ")
    assert "'terminationGracePeriod' was unexpected" in problem
    assert problem.endswith("(Kubernetes 1.30, 1.37)")
