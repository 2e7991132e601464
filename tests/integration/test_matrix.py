"""`harness matrix` end to end: the ci profile as two shards plus a merge is exactly the
unsharded cell set, green, with the versions that ran; its report opens in Chromium; and a
broken config line shows as exactly the cells it breaks against a baseline of the good one."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from harness.matrix.diff import diff_results
from harness.matrix.report.browser import dump_dom, screenshot
from harness.matrix.schema import load_results
from harness.paths import PROJECT_ROOT

SHARD_LIMIT = 900
STACK = "nginx-gunicorn-gthread-flask"
FORWARDED_FOR = "            proxy_set_header X-Forwarded-For $remote_addr;\n"
BROKEN_BY_MISSING_FORWARDED_FOR = [
    "test_forwarding.py::test_client_address_reaches_app",
    "test_forwarding.py::test_client_supplied_forwarded_for_is_not_client_address",
]
ARTIFACTS = PROJECT_ROOT / "build" / "test-artifacts"

# Collects the (stack, case) cells an unsharded `pytest scenarios/` would run, without Docker.
_COLLECT = """
import json, sys, pytest
class Cells:
    def pytest_collection_finish(self, session):
        self.cells = sorted([dict(i.user_properties)["harness.stack"],
                             dict(i.user_properties)["harness.case"]] for i in session.items)
cells = Cells()
code = pytest.main(["scenarios/", "--collect-only", "-q", "-p", "no:cacheprovider",
                    *sys.argv[1:]], plugins=[cells])
print("CELLS=" + json.dumps(cells.cells))
"""


def harness(*args, timeout=SHARD_LIMIT, cwd=PROJECT_ROOT):
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def collected_cells(*selection):
    result = subprocess.run(
        [sys.executable, "-c", _COLLECT, *selection],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("CELLS="))
    return {tuple(cell) for cell in json.loads(line.removeprefix("CELLS="))}


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "td" and "cell" in classes and "o-none" not in classes:
            self.cells += 1


@pytest.mark.timeout(2 * SHARD_LIMIT + 300)
def test_ci_profile_in_two_shards_merges_to_the_unsharded_cells(tmp_path):
    for index in (1, 2):
        run = harness(
            "matrix",
            "run",
            "--profile",
            "ci",
            "--shard",
            f"{index}/2",
            "--out",
            str(tmp_path / f"r{index}"),
        )
        print(run.stdout[-3000:])
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    merge = harness(
        "matrix",
        "merge",
        str(tmp_path / "r1"),
        str(tmp_path / "r2"),
        "--out",
        str(tmp_path / "all"),
    )
    assert merge.returncode == 0, merge.stdout + merge.stderr
    merged = load_results(tmp_path / "all")
    assert set(merged.cells()) == collected_cells("--profile", "ci")
    assert not merged.failures, [f"{c.stack} {c.case}: {c.reason}" for c in merged.failures]
    for record in merged.stacks.values():
        assert record.spec["proxy"] in record.versions["proxy"].lower(), record
        assert record.versions["packages"], f"{record.id}: no pip freeze"
        assert all(len(digest.sha256) == 64 for digest in record.configs)
        assert all((tmp_path / "all" / digest.copy).is_file() for digest in record.configs)
    report = harness("matrix", "report", str(tmp_path / "all"), "--out", str(tmp_path / "html"))
    assert report.returncode == 0, report.stderr
    dom = dump_dom(tmp_path / "html" / "index.html")
    counter = _Cells()
    counter.feed(dom)
    assert counter.cells == len(merged.cases)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot(tmp_path / "html" / "index.html", ARTIFACTS / "matrix-ci-profile.png")


def test_a_broken_config_line_newly_fails_exactly_the_cells_it_breaks(tmp_path):
    rendered = harness("render", STACK, "--out", str(tmp_path / "good"))
    assert rendered.returncode == 0, rendered.stderr
    bad = tmp_path / "bad"
    bad.mkdir()
    for path in (tmp_path / "good").iterdir():
        text = path.read_text()
        if path.name == "nginx.conf":
            assert FORWARDED_FOR in text
            text = text.replace(FORWARDED_FOR, "")
        (bad / path.name).write_text(text)
    for name in ("good", "bad"):  # from the user's folder, with paths relative to it
        run = harness(
            "matrix",
            "run",
            "--stack-file",
            f"{name}/stack.toml",
            "--out",
            f"r-{name}",
            "--no-retry",
            "--pytest-args",
            "-m 'forwarding or host or correctness'",
            cwd=tmp_path,
        )
        assert run.returncode == (0 if name == "good" else 1), run.stdout[-4000:] + run.stderr
    report = harness(
        "matrix",
        "report",
        str(tmp_path / "r-bad"),
        "--out",
        str(tmp_path / "rep"),
        "--baseline",
        str(tmp_path / "r-good"),
    )
    assert report.returncode == 1, report.stdout + report.stderr
    diff = diff_results(load_results(tmp_path / "r-good"), load_results(tmp_path / "r-bad"))
    assert [change.case for change in diff.newly_failing] == BROKEN_BY_MISSING_FORWARDED_FOR
    assert [change.what for change in diff.version_changes] == ["config /etc/nginx/nginx.conf"]
    summary = (tmp_path / "rep" / "summary.md").read_text()
    for case in BROKEN_BY_MISSING_FORWARDED_FOR:
        assert case in report.stdout and case.split("::")[1] in summary, summary
