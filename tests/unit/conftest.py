"""Each unit test's adapter request log (harness_contract/seen.py) is a file of its own: the
log is shared by the processes of one replica, and tests on parallel workers are not one."""

import pytest


@pytest.fixture(autouse=True)
def _own_seen_log(tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_CONTRACT_SEEN", str(tmp_path))
