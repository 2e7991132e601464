"""Package pins: parsed and checked from stack files, applied to the requirements, checked
against the package index before a wheelhouse is downloaded, and shown as resolved.

No network and no Docker: the package index is a fake with the versions a test gives it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.building.pinned import pin_problems, pin_set, resolve_pin_set, versions_line
from harness.commands.cli import main
from harness.errors import ConfigError
from harness.matrix.facts import pins_line
from harness.progress import QUIET
from harness.spec.pins import Pin, pinned_requirements
from harness.spec.stackfile import load_stack_file

GUNICORN_WHEELS = ("23.0.0", "22.0.0", "21.2.0")


class FakeIndex:
    """PyPI as a test wants it: the versions with a wheel for the Python, and all published."""

    def __init__(self, installable: dict[str, tuple[str, ...]], published=None) -> None:
        self.installable = installable
        self.published = published or installable
        self.asked: list[tuple[str, str | None]] = []

    def versions(self, name: str, python_version: str | None) -> tuple[str, ...]:
        self.asked.append((name, python_version))
        table = self.installable if python_version else self.published
        return table.get(name, ())


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """A cache folder of the test's own: no wheelhouse is downloaded yet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(folder))
    return folder


def write(tmp_path: Path, packages: str, name: str = "pins.toml") -> Path:
    path = tmp_path / name
    path.write_text(
        f'[[stacks]]\nextends = "nginx-gunicorn-gthread-flask"\n[stacks.packages]\n{packages}\n',
        encoding="utf-8",
    )
    return path


def test_pins_are_parsed_normalised_and_named_in_the_id(tmp_path):
    (spec,) = load_stack_file(write(tmp_path, 'h11 = "0.14.0"\nGunicorn = "21.2.0"'))
    assert spec.packages == (Pin("gunicorn", "21.2.0"), Pin("h11", "0.14.0"))
    assert spec.id == "nginx-gunicorn-gthread-flask-gunicorn-21.2.0-h11-0.14.0"
    assert "packages.gunicorn" not in spec.declared_fields  # the name as written is declared
    assert "packages.Gunicorn" in spec.declared_fields


def test_a_stack_extending_a_pinned_one_keeps_its_pins_and_overrides_one(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(
        '[[stacks]]\nid = "old"\nextends = "nginx-gunicorn-gthread-flask"\n'
        'packages = { gunicorn = "21.2.0", h11 = "0.14.0" }\n'
        '[[stacks]]\nid = "newer"\nextends = "old"\npackages = { gunicorn = "22.0.0" }\n',
        encoding="utf-8",
    )
    old, newer = load_stack_file(path)
    assert newer.packages == (Pin("gunicorn", "22.0.0"), Pin("h11", "0.14.0")), newer
    assert old.packages == (Pin("gunicorn", "21.2.0"), Pin("h11", "0.14.0"))


@pytest.mark.parametrize(
    ("packages", "field", "given", "allowed"),
    [
        ('gunicorn = ">=21"', "packages.gunicorn", "'>=21'", "one exact version"),
        ("gunicorn = 21", "packages.gunicorn", "21", "one exact version"),
        ('"not a name!" = "1.0"', "packages.not a name!", "'not a name!'", "a PyPI project"),
    ],
)
def test_a_pin_of_the_wrong_form_names_file_stack_field_value(
    tmp_path, packages, field, given, allowed
):
    path = write(tmp_path, packages)
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    message = str(caught.value)
    assert str(path) in message and "'#1'" in message, message
    assert f"field {field!r}: got {given}; allowed: {allowed}" in message, message


def test_packages_must_be_a_table(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[stacks]]\nextends = "nginx-gunicorn-gthread-flask"\npackages = "gunicorn==21.2.0"\n'
    )
    with pytest.raises(ConfigError, match=r"field 'packages': got 'gunicorn==21.2.0'"):
        load_stack_file(path)


def test_pinned_requirements_replace_the_line_keep_extras_and_add_new_pins():
    text = "# comment\nuvicorn[standard]==0.54.0\ngunicorn==27.0.1\nflask==3.1.3\n"
    pins = (Pin("gunicorn", "21.2.0"), Pin("h11", "0.14.0"), Pin("uvicorn", "0.30.0"))
    lines = pinned_requirements(text, pins).splitlines()
    assert lines[0] == "# comment" and lines[3] == "flask==3.1.3"
    assert lines[1].startswith("uvicorn[standard]==0.30.0"), lines
    assert lines[2].startswith("gunicorn==21.2.0"), lines
    assert lines[-1] == "h11==0.14.0" and "gunicorn==27.0.1" not in lines


def test_a_version_that_does_not_exist_lists_the_installable_ones():
    index = FakeIndex({"gunicorn": GUNICORN_WHEELS})
    (problem,) = pin_problems((Pin("gunicorn", "21.2.9"),), "3.11", index)
    assert problem == (
        "packages.gunicorn",
        "'21.2.9'",
        "a version with a wheel for CPython 3.11: 23.0.0, 22.0.0, 21.2.0",
    )


def test_a_version_with_no_wheel_for_the_python_says_so():
    index = FakeIndex({"twisted": ("24.3.0",)}, {"twisted": ("24.3.0", "18.9.0")})
    (problem,) = pin_problems((Pin("twisted", "18.9.0"),), "3.13", index)
    assert problem[1] == "'18.9.0' (on PyPI, but with no wheel for CPython 3.13 on linux x86_64)"
    assert problem[2].endswith("3.13: 24.3.0"), problem


def test_an_unknown_project_and_good_pins():
    index = FakeIndex({"gunicorn": GUNICORN_WHEELS})
    pins = (Pin("gunicorn", "21.2.0"), Pin("no-such-project", "1.0"))
    problems = pin_problems(pins, "3.11", index)
    assert problems == [
        ("packages.no-such-project", "'1.0'", "a project on PyPI: there is no 'no-such-project'")
    ]


def test_resolving_a_bad_pin_raises_before_any_download(tmp_path, cache):
    (spec,) = load_stack_file(write(tmp_path, 'gunicorn = "21.2.9"'))
    index = FakeIndex({"gunicorn": GUNICORN_WHEELS})
    with pytest.raises(ConfigError) as caught:
        resolve_pin_set(spec, QUIET, index)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'pins.toml'}: 1 problem(s)"), message
    assert f"stack {spec.id!r}, field 'packages.gunicorn': got '21.2.9'" in message
    assert not (cache / "wheelhouse").exists(), "pip download ran for a bad pin"


def test_cli_build_with_a_bad_pin_is_one_clear_error_and_exit_2(tmp_path, monkeypatch, capsys):
    """`harness build` checks every pin before it builds anything (so no Docker here)."""
    index = FakeIndex({"gunicorn": GUNICORN_WHEELS})
    monkeypatch.setattr("harness.building.pinned.PipIndex", lambda: index)
    path = write(tmp_path, 'gunicorn = "99.0.0"')
    assert main(["build", "--stack-file", str(path)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert err.count("error:") == 1 and "Traceback" not in err, err
    for text in (str(path), "nginx-gunicorn-gthread-flask-gunicorn-99.0.0",
                 "'packages.gunicorn'", "got '99.0.0'", "23.0.0, 22.0.0, 21.2.0"):  # fmt: skip
        assert text in err, err


def _fake_wheelhouse(spec, versions: dict[str, str]) -> None:
    """A downloaded wheelhouse for the spec's pin set, with one wheel per package."""
    folder = pin_set(spec).wheelhouse
    folder.mkdir(parents=True)
    for name, version in versions.items():
        (folder / f"{name}-{version}-py3-none-any.whl").write_bytes(b"")
    (folder / ".complete").write_text("")


def test_stacks_show_pins_unresolved_then_as_the_wheelhouse_resolved_them(tmp_path, capsys):
    path = write(tmp_path, 'gunicorn = "21.2.0"\nh11 = "0.14.0"')
    (spec,) = load_stack_file(path)
    assert versions_line(spec) == "gunicorn ==21.2.0 (unresolved), h11 ==0.14.0 (unresolved)"
    _fake_wheelhouse(spec, {"gunicorn": "21.2.0", "h11": "0.14.0", "flask": "3.1.3"})
    assert versions_line(spec) == "gunicorn 21.2.0 (pinned), h11 0.14.0 (pinned)"
    assert main(["stacks", "--stack-file", str(path), "--stack", spec.id]) == 0
    assert "gunicorn 21.2.0 (pinned), h11 0.14.0 (pinned)" in capsys.readouterr().out


def test_matrix_pins_line_tells_a_version_that_is_not_the_pin(tmp_path):
    (spec,) = load_stack_file(write(tmp_path, 'gunicorn = "21.2.0"\n"zope.interface" = "7.0"'))
    ran = {"gunicorn": "27.0.1", "zope.interface": "7.0"}
    assert pins_line(spec, ran) == (
        "gunicorn 27.0.1 (NOT the pinned 21.2.0), zope-interface 7.0 (pinned 7.0)"
    )
    assert pins_line(spec, {}).startswith("gunicorn (not installed; pinned 21.2.0)")
