"""Known incompatibilities apply to what runs: the part that causes each, and its versions.

No Docker: specs, rendered text, and the plugin run in-process with pytester.
"""

import dataclasses
from types import MappingProxyType

import pytest
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from harness.building.pinned import installed_version
from harness.building.render_out import write_effective_configs
from harness.known.causes import Part, replaced_parts
from harness.known.incompatibilities import (
    CHUNKED_UPLOAD,
    IN_FLIGHT,
    KNOWN,
    RECREATED_REPLICA,
    WEBSOCKET_STOP,
    known_incompatibilities,
)
from harness.known.incompatibility import Incompatibility
from harness.parts import PROXY_KITS, proxy_kit
from harness.spec.catalog import STACKS
from harness.spec.model import ProxyKind, Suite
from harness.spec.pins import Pin
from harness.spec.stackfile import load_stack_file
from harness.spec.suites import VersionRange, shipped_version

pytest_plugins = ["pytester"]

NGINX = "nginx-gunicorn-gthread-flask"


def with_overrides(spec, **overrides):
    """The stack with some overrides set, its id kept."""
    return dataclasses.replace(
        spec, overrides=dataclasses.replace(spec.overrides, **overrides), source="a file"
    )


def own_file(tmp_path, text, name="mine.conf"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reasons(spec, scenario):
    return [entry.reason[:40] for entry in known_incompatibilities(spec, scenario)]


def test_every_entry_names_the_parts_that_cause_it():
    for entry in KNOWN:
        assert entry.parts and all(isinstance(part, Part) for part in entry.parts), entry
    for part in Part:
        assert part.replaced_by, part


def test_built_in_nginx_stack_expects_the_re_resolution_failure():
    assert reasons(STACKS[NGINX], RECREATED_REPLICA)
    assert reasons(STACKS["nginx-uvicorn-django-asgi-tls-trixie"], RECREATED_REPLICA)


def test_own_proxy_config_lifts_an_entry_our_config_causes(tmp_path):
    mine = with_overrides(STACKS[NGINX], proxy_config=own_file(tmp_path, "events {}\n"))
    assert replaced_parts(mine) == {Part.PROXY_CONFIG}
    assert not reasons(mine, RECREATED_REPLICA)


def test_our_config_written_by_render_and_used_unchanged_is_still_ours(tmp_path):
    write_effective_configs(STACKS[NGINX], tmp_path)
    (rendered,) = load_stack_file(tmp_path / "stack.toml")
    assert rendered.overrides.proxy_config is not None
    assert replaced_parts(rendered) == frozenset()
    assert reasons(rendered, RECREATED_REPLICA) == reasons(STACKS[NGINX], RECREATED_REPLICA)


def test_own_proxy_config_keeps_an_entry_the_proxy_software_causes(tmp_path):
    apache = STACKS["apache-uwsgi-flask"]
    mine = with_overrides(apache, proxy_config=own_file(tmp_path, "# mine\n"))
    assert Part.PROXY_CONFIG in replaced_parts(mine)
    assert reasons(mine, CHUNKED_UPLOAD) == reasons(apache, CHUNKED_UPLOAD) != []


def test_server_args_keep_a_server_software_entry_and_an_own_image_lifts_it():
    daphne = STACKS["haproxy-daphne-django-asgi-tls"]
    args = with_overrides(daphne, server_args=("daphne", "-b", "0.0.0.0", "x:app"))
    assert replaced_parts(args) == {Part.SERVER_CONFIG}
    assert reasons(args, WEBSOCKET_STOP) == reasons(daphne, WEBSOCKET_STOP) != []
    image = with_overrides(daphne, image="mine/app:1")
    assert replaced_parts(image) == {Part.SERVER_SOFTWARE, Part.FRAMEWORK}
    assert not reasons(image, WEBSOCKET_STOP)


def test_hypercorn_in_flight_entry_needs_our_multi_worker_command_line():
    hypercorn = STACKS["haproxy-hypercorn-django-asgi"]
    assert reasons(hypercorn, IN_FLIGHT)
    assert not reasons(hypercorn.with_changes(workers=1, id=hypercorn.id), IN_FLIGHT)
    own_args = with_overrides(hypercorn, server_args=("hypercorn", "--workers", "1", "x:app"))
    assert not reasons(own_args, IN_FLIGHT)


def test_own_server_config_equal_to_ours_replaces_nothing(tmp_path):
    gunicorn = STACKS[NGINX]
    write_effective_configs(gunicorn, tmp_path)
    same = with_overrides(gunicorn, server_config=tmp_path / "gunicorn.conf.py")
    assert replaced_parts(same) == frozenset()
    changed = own_file(tmp_path, "workers = 1\n", "gunicorn.conf.py")
    assert replaced_parts(with_overrides(gunicorn, server_config=changed)) == {Part.SERVER_CONFIG}


def test_version_range_bounds():
    nginx_before = VersionRange(ProxyKind.NGINX, before="1.27.3")
    assert shipped_version(Suite.BOOKWORM, ProxyKind.NGINX) in nginx_before
    assert shipped_version(Suite.TRIXIE, ProxyKind.NGINX) in nginx_before
    newer = VersionRange(ProxyKind.HAPROXY, since="2.8")
    assert (newer.holds_on(Suite.BOOKWORM), newer.holds_on(Suite.TRIXIE)) == (False, True)
    assert str(nginx_before) == "nginx < 1.27.3"


def test_entry_outside_its_version_range_does_not_apply():
    entry = Incompatibility(
        scenarios=(RECREATED_REPLICA,),
        reason="only on the proxies trixie ships",
        parts=(Part.PROXY_SOFTWARE,),
        versions=VersionRange(ProxyKind.NGINX, since="1.24"),
    )
    bookworm, trixie = STACKS[NGINX], STACKS[f"{NGINX}-trixie"]
    assert not entry.matches(bookworm, RECREATED_REPLICA)
    assert entry.matches(trixie, RECREATED_REPLICA)


def test_re_resolution_entry_goes_on_a_suite_with_nginx_1_27_3(monkeypatch):
    """The day a suite ships an nginx whose `server ... resolve` our config can use."""
    nginx = proxy_kit(ProxyKind.NGINX)
    shipped = {**nginx.shipped, Suite.TRIXIE: Version("1.28.0")}
    kits = {**PROXY_KITS, ProxyKind.NGINX: dataclasses.replace(nginx, shipped=shipped)}
    monkeypatch.setattr("harness.parts.PROXY_KITS", MappingProxyType(kits))
    assert reasons(STACKS[NGINX], RECREATED_REPLICA)
    assert not reasons(STACKS[f"{NGINX}-trixie"], RECREATED_REPLICA)


SCENARIO = """
def test_recreated_replica_is_reached_again(live_stack):
    pass  # as if the proxy followed the name
"""
CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def live_stack(request):
    return request.param  # the spec: nothing starts
"""


def test_plugin_marks_the_built_in_stack_and_leaves_an_own_config_plain(pytester):
    """A pass on the built-in nginx stack is an XPASS(strict), a red FAILED; the same pass on
    a stack whose own nginx.conf re-resolves is a plain pass."""
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_lifecycle=SCENARIO)
    own_file(pytester.path, "events {}\n", "nginx.conf")
    own_file(
        pytester.path,
        f'[[stacks]]\nid = "mine"\nextends = "{NGINX}"\n'
        '[stacks.overrides]\nproxy_config = "nginx.conf"\n',
        "stacks.toml",
    )
    result = pytester.runpytest(
        "--stack-file", "stacks.toml", "--stack", NGINX, "--stack", "mine", "-rA",
        "-p", "no:cacheprovider", "-n", "0",
    )  # fmt: skip
    result.assert_outcomes(passed=1, failed=1)
    case = "test_lifecycle.py::test_recreated_replica_is_reached_again"
    result.stdout.fnmatch_lines([f"[[]XPASS(strict)] {NGINX}: nginx resolves the names*"])
    result.stdout.fnmatch_lines([f"PASSED {case}[[]mine]"])
    result.stdout.fnmatch_lines([f"FAILED {case}[[]{NGINX}]*"])


def test_rendered_config_used_under_another_stack_id_is_still_ours(tmp_path):
    """Only the header comment (naming the stack it was rendered for) differs: nothing that
    runs does, so the entry still applies."""
    write_effective_configs(STACKS[NGINX], tmp_path)
    renamed = with_overrides(
        STACKS[NGINX].with_changes(id="my-api"), proxy_config=tmp_path / "nginx.conf"
    )
    assert replaced_parts(renamed) == frozenset()
    assert reasons(renamed, RECREATED_REPLICA)


GRANIAN = "nginx-granian-asgi-django-cache-least-conn"
DENIED_HANDSHAKE = "test_websocket.py::test_foreign_origin_refused_and_own_accepted"


def test_an_entry_known_for_some_package_versions_applies_to_those_only():
    ours = STACKS[GRANIAN]
    assert installed_version(ours, "granian") == Version("2.8.7")  # docker/requirements.txt
    assert any("granian 2.8.7" in reason for reason in reasons(ours, DENIED_HANDSHAKE))
    pinned = dataclasses.replace(ours, packages=(Pin("granian", "2.9.0"),))
    assert installed_version(pinned, "Granian") == Version("2.9.0")  # the pin, any spelling
    assert not any("granian 2.8.7" in reason for reason in reasons(pinned, DENIED_HANDSHAKE))


def test_a_package_specifier_that_is_not_pep_440_fails_when_the_entry_is_made():
    with pytest.raises(InvalidSpecifier):
        Incompatibility(
            scenarios=("x",),
            reason="r",
            parts=(Part.SERVER_SOFTWARE,),
            packages=MappingProxyType({"granian": SpecifierSet("2.8.7")}),
        )
