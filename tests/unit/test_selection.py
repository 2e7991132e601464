"""Stack selection: profiles, globs, stack files."""

import pytest

from harness.errors import ConfigError
from harness.spec.catalog import PROFILES
from harness.spec.selection import select_stacks


def test_default_profile_without_options():
    assert [s.id for s in select_stacks()] == list(PROFILES["default"])


def test_glob_selects_matching_stacks():
    chosen = [s.id for s in select_stacks(["nginx-uwsgi-*"])]
    assert "nginx-uwsgi-flask" in chosen
    assert all(name.startswith("nginx-uwsgi-") for name in chosen)


def test_glob_matching_nothing_names_the_nearest_stacks():
    with pytest.raises(ConfigError, match=r"matches no stack. Known stacks like it: nginx-uwsgi"):
        select_stacks(["nginx-uwsgi-flsk*"])
    with pytest.raises(ConfigError, match=r"matches no stack. No known stack is like it"):
        select_stacks(["traefik-*"])


def test_unknown_profile_lists_allowed():
    with pytest.raises(ConfigError, match="--profile: got 'weekly'; allowed: default"):
        select_stacks(profile="weekly")


def test_stack_file_alone_selects_its_stacks(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[stacks]]\nid = "mine"\nextends = "nginx-uwsgi-flask"\nreplicas = 3\n')
    assert [s.id for s in select_stacks(stack_files=[path])] == ["mine"]
    assert "mine" in [s.id for s in select_stacks(["m*"], [path])]
