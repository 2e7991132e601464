"""A stack file ships a file into the app image and points the proxy at the user's own
certificate chain (issue 14, point 3), on one TLS stack: the file is in every replica, and the
TLS scenarios pass trusting only the user's root, and fail on the leaf served alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import trustme

from harness.paths import PROJECT_ROOT
from harness.spec.model import TEST_HOST_NAME

BASE = "nginx-gunicorn-gthread-flask-tls"
SELECTED = "chain_verifies or site_name or shipped_file"
USER_CHECK = '''
def test_shipped_file_is_in_every_replica(live_stack):
    """overrides.files put the stack file's ci_settings.py into the app image."""
    for replica in live_stack.replicas:
        code, out = live_stack.containers[replica].exec_run(["cat", "/srv/app/ci_settings.py"])
        assert (code, out) == (0, b"FEATURE_X = True\\n"), f"{replica}: {code} {out!r}"
'''


def own_pki(folder: Path, leaf_only: bool) -> None:
    root = trustme.CA(organization_name="mysite root")
    leaf = root.create_child_ca().issue_cert("localhost", "127.0.0.1", TEST_HOST_NAME)
    blobs = leaf.cert_chain_pems[:1] if leaf_only else leaf.cert_chain_pems
    (folder / "fullchain.pem").write_bytes(b"".join(blob.bytes() for blob in blobs))
    leaf.private_key_pem.write_to_path(str(folder / "key.pem"))
    root.cert_pem.write_to_path(str(folder / "root.pem"))


def run_with_own_chain(folder: Path, leaf_only: bool) -> subprocess.CompletedProcess[str]:
    folder.mkdir()
    own_pki(folder, leaf_only)
    (folder / "ci_settings.py").write_text("FEATURE_X = True\n")
    (folder / "test_mine.py").write_text(USER_CHECK)
    (folder / "stack.toml").write_text(
        f'[[stacks]]\nid = "mine-tls"\nextends = "{BASE}"\n[stacks.overrides]\n'
        'files = { "/srv/app/ci_settings.py" = "ci_settings.py" }\n'
        'tls_chain = "fullchain.pem"\ntls_key = "key.pem"\ntls_ca = "root.pem"\n'
    )
    command = [sys.executable, "-m", "pytest", "scenarios/test_tls.py",
               str(folder / "test_mine.py"), "--stack-file", str(folder / "stack.toml"),
               "-p", "no:cacheprovider", "-q", "-n", "0", "-k", SELECTED]  # fmt: skip
    return subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False
    )


def test_own_chain_and_shipped_file(tmp_path):
    good = run_with_own_chain(tmp_path / "good", leaf_only=False)
    assert good.returncode == 0, good.stdout[-4000:]
    assert "5 passed" in good.stdout, good.stdout[-2000:]  # 1 chain, 3 names, 1 file

    leaf_only = run_with_own_chain(tmp_path / "leaf-only", leaf_only=True)
    failed = [line for line in leaf_only.stdout.splitlines() if line.startswith("FAILED")]
    assert leaf_only.returncode == 1 and failed, leaf_only.stdout[-4000:]
    assert all("test_tls.py" in line for line in failed), failed
    assert any("test_chain_verifies_with_only_the_test_ca" in line for line in failed), failed
