"""Image tags are content hashes: same inputs, same tag; any change, a new tag."""

from pathlib import Path

from harness.building.hashing import content_hash
from harness.building.images import app_tag_inputs, base_tag
from harness.spec.model import Suite


def test_same_inputs_same_hash(tmp_path):
    (tmp_path / "a.txt").write_text("one")
    assert content_hash(["x", tmp_path]) == content_hash(["x", tmp_path])


def test_file_content_changes_the_hash(tmp_path):
    (tmp_path / "a.txt").write_text("one")
    before = content_hash([tmp_path])
    (tmp_path / "a.txt").write_text("two")
    assert content_hash([tmp_path]) != before


def test_caches_do_not_change_the_hash(tmp_path):
    (tmp_path / "a.py").write_text("x = 1")
    before = content_hash([tmp_path])
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    assert content_hash([tmp_path]) == before


def test_part_boundaries_matter():
    assert content_hash(["ab", "c"]) != content_hash(["a", "bc"])


def test_base_tags_differ_by_suite_and_follow_the_package_list(monkeypatch, tmp_path):
    assert base_tag(Suite.BOOKWORM) != base_tag(Suite.TRIXIE)
    assert base_tag(Suite.BOOKWORM).startswith("deploy-harness/base:bookworm-")
    packages = tmp_path / "packages.txt"
    packages.write_text("python3\nnginx\n")
    monkeypatch.setattr("harness.building.images.PACKAGES_FILE", packages)
    before = base_tag(Suite.BOOKWORM)
    packages.write_text("python3\nnginx\nhaproxy\n")
    assert base_tag(Suite.BOOKWORM) != before


def test_app_tag_follows_wheels(tmp_path: Path):
    (tmp_path / "flask-3.1.3-py3-none-any.whl").write_bytes(b"")
    tag, dockerfile = app_tag_inputs(Suite.BOOKWORM, tmp_path)
    assert (
        tag.startswith("deploy-harness/app:bookworm-") and "FROM deploy-harness/base:" in dockerfile
    )
    (tmp_path / "gunicorn-27.0.1-py3-none-any.whl").write_bytes(b"")
    assert app_tag_inputs(Suite.BOOKWORM, tmp_path)[0] != tag
