"""The matrix page in headless Chromium: the grid, a failing cell's detail and the filter
script as a browser builds them, and screenshots in build/test-artifacts/ for a person."""

from __future__ import annotations

import os
import struct
from dataclasses import replace
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.matrix.report import browser, write_reports
from harness.paths import PROJECT_ROOT
from tests.unit.matrix_samples import (
    CASE_COUNT,
    FAILING_CASE,
    FAILING_EVIDENCE,
    FAILING_REASON,
    FAILING_STACK,
    sample_diff,
    sample_results,
)
from tests.unit.test_matrix_report import parse_page

ARTIFACTS = PROJECT_ROOT / "build" / "test-artifacts"
# A blank 1600x1000 page compresses to about 8 kB; the real page is many times that.
BLANK_PNG_BYTES = 30_000


def _chromium_or_skip() -> None:
    """Outside CI a machine without Chromium skips; in CI (.ci/run installs it) it fails."""
    try:
        browser.chromium()
    except HarnessError as error:
        if os.environ.get("CI"):
            pytest.fail(str(error))
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _chromium_or_skip()
    out = tmp_path_factory.mktemp("matrix-report")
    write_reports(sample_results(), out, sample_diff())
    return out / "index.html"


@pytest.fixture(scope="module")
def failing_detail_id(page: Path) -> str:
    parsed = parse_page(page.read_text("utf-8"))
    return next(key for key, text in parsed.details.items() if FAILING_REASON in text)


def png_size(png: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_dom_has_the_grid_the_detail_and_ran_the_filter_script(page: Path, failing_detail_id: str):
    dom = parse_page(browser.dump_dom(page))
    assert len(dom.cells) == 3 * CASE_COUNT
    assert dom.grid.get("data-ready") == "1", "the filter script did not run"
    assert dom.texts["shown"] == "3 of 3 stacks"
    detail = dom.details[failing_detail_id]
    assert FAILING_REASON in detail
    assert FAILING_EVIDENCE.splitlines()[-1] in detail  # <script>alert(1)</script>, as text
    assert FAILING_STACK in detail and FAILING_CASE in detail


def test_filter_hides_rows_of_other_values(page: Path):
    dom = parse_page(browser.dump_dom(page, query="proxy=nginx"))
    hidden = {row["data-proxy"]: "hidden" in row for row in dom.rows}
    assert hidden == {"apache": True, "haproxy": True, "nginx": False}
    assert dom.texts["shown"] == "1 of 3 stacks"


def test_screenshots_of_the_page_and_of_a_cell_detail(page: Path, failing_detail_id: str):
    whole = browser.screenshot(page, ARTIFACTS / "matrix-report.png")
    detail = browser.screenshot(
        page, ARTIFACTS / "matrix-report-detail.png", fragment=failing_detail_id
    )
    for png in (whole, detail):
        assert png_size(png) == (1600, 1000)
        assert png.stat().st_size > BLANK_PNG_BYTES, f"{png} looks blank"


def test_missing_chromium_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(HarnessError, match="apt-get install chromium"):
        browser.dump_dom(tmp_path / "index.html")


def test_protocol_filter_shows_one_protocols_columns(tmp_path: Path):
    """Cells of HTTP/2 cases carry their protocol; choosing one hides the others' columns."""
    _chromium_or_skip()
    results = sample_results()
    spoken = tuple(
        replace(case, protocol="h2") if case.family == "tls" else case for case in results.cases
    )
    write_reports(replace(results, cases=spoken), tmp_path, sample_diff())
    dom = parse_page(browser.dump_dom(tmp_path / "index.html", query="protocol=h2"))
    shown = {cell["data-protocol"] for cell in dom.cells if "hidden" not in cell}
    hidden = {cell["data-protocol"] for cell in dom.cells if "hidden" in cell}
    assert shown == {"h2"} and hidden == {"h1"}, (shown, hidden)
