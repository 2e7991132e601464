"""Stack-file fields for a user's own app (issue 14): their Dockerfile, files into the app
image, the contract prefix, their own certificate chain; and which scenarios skip on it."""

from pathlib import Path

import pytest
import trustme

from harness.clients.own_app import NOT_ON_OWN_APP, own_app_skip_reason
from harness.errors import ConfigError
from harness.plugin.scenario_index import scenario_index
from harness.run.tls import TestCertificates
from harness.spec.stackfile import load_stack_file

EXAMPLE = Path(__file__).parents[2] / "examples" / "own-django" / "stack.toml"


def write(tmp_path: Path, overrides: str) -> Path:
    path = tmp_path / "stack.toml"
    head = '[[stacks]]\nid = "mine"\nextends = "nginx-gunicorn-gthread-django"\n'
    path.write_text(head + "[stacks.overrides]\n" + overrides, encoding="utf-8")
    return path


def test_the_example_loads_with_its_own_dockerfile_and_prefix():
    (spec,) = load_stack_file(EXAMPLE)
    assert spec.overrides.dockerfile == EXAMPLE.parent / "Dockerfile"
    assert spec.overrides.requirements == EXAMPLE.parent / "requirements.txt"
    assert spec.overrides.contract_prefix == "/_harness"


def test_files_map_image_paths_to_files_beside_the_stack_file(tmp_path):
    (tmp_path / "ci_settings.py").write_text("DEBUG = False\n")
    path = write(tmp_path, 'files = { "/srv/app/ci_settings.py" = "ci_settings.py" }\n')
    (spec,) = load_stack_file(path)
    assert dict(spec.overrides.files) == {"/srv/app/ci_settings.py": tmp_path / "ci_settings.py"}


@pytest.mark.parametrize(
    ("overrides", "field", "allowed"),
    [
        ('files = { "relative/x.py" = "x.py" }\n', "overrides.files", "absolute image paths"),
        ('files = { "/srv/x.py" = "missing.py" }\n', "overrides.files", "existing files"),
        ('dockerfile = "Nope"\n', "overrides.dockerfile", "an existing file"),
        ('contract_prefix = "_harness/"\n', "overrides.contract_prefix", "a path like"),
        ('tls_chain = "stack.toml"\n', "overrides.tls_*", "together"),
        ('dockerfile = "stack.toml"\nimage = "mine:1"\n', "overrides.image", "one of"),
    ],
)
def test_bad_own_app_fields_name_the_field_and_what_is_allowed(tmp_path, overrides, field, allowed):
    path = write(tmp_path, overrides)
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    message = str(caught.value)
    assert str(path) in message and "mine" in message, message
    assert f"field '{field}'" in message and allowed in message, message


def test_scenarios_for_the_reference_apps_skip_on_an_own_app_with_a_reason():
    (spec,) = load_stack_file(EXAMPLE)
    runs = "test_balancing.py::test_post_not_repeated_when_upstream_times_out"
    skips = "test_prefix.py::test_redirect_keeps_the_prefix"
    assert own_app_skip_reason(spec, runs) is None
    reason = own_app_skip_reason(spec, skips) or ""
    assert "adapter at /_harness" in reason and "published under a URL prefix" in reason


def test_every_table_entry_names_a_scenario():
    """A renamed scenario must not leave its own-app decision behind, silently running."""
    nodes = {entry.node for entry in scenario_index()}
    assert set(NOT_ON_OWN_APP) <= nodes, sorted(set(NOT_ON_OWN_APP) - nodes)


def test_own_chain_is_served_with_its_leaf_cut_from_it(tmp_path):
    root = trustme.CA()
    leaf = root.create_child_ca().issue_cert("www.mysite.example")
    chain, key, ca = tmp_path / "fullchain.pem", tmp_path / "key.pem", tmp_path / "root.pem"
    chain.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(key))
    root.cert_pem.write_to_path(str(ca))
    own = TestCertificates.from_files(chain, key, ca, tmp_path / "run")
    files = own.files()
    assert files["chain.pem"] == chain.read_bytes() and files["ca.pem"] == ca.read_bytes()
    assert files["leaf.pem"].strip() == leaf.cert_chain_pems[0].bytes().strip()
    assert files["chain-and-key.pem"] == chain.read_bytes() + key.read_bytes()


def test_a_chain_without_a_certificate_is_a_config_error(tmp_path):
    chain = tmp_path / "fullchain.pem"
    chain.write_text("not a certificate\n")
    with pytest.raises(ConfigError, match="holds no PEM certificate"):
        TestCertificates.from_files(chain, chain, chain, tmp_path / "run")
