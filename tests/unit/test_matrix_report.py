"""The reports of a matrix run: JUnit counts, the Markdown summary, the HTML grid and details,
checked on the made-up run of matrix_samples (no browser here; see the _browser tests)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.matrix.report import write_reports
from harness.matrix.report.grid import PageIds, column_label, short_name
from harness.matrix.report.markdown import CELL_BUDGET, render_markdown
from harness.matrix.schema import Outcome
from tests.unit.matrix_samples import (
    APACHE,
    CASE_COUNT,
    CELL_COUNT,
    EXPECTED_COUNTS,
    FAILING_CASE,
    FAILING_EVIDENCE,
    FAILING_REASON,
    FAILING_STACK,
    HAPROXY,
    NGINX,
    sample_diff,
    sample_results,
)

DETAILED_COUNT = CELL_COUNT - EXPECTED_COUNTS[Outcome.PASSED] - EXPECTED_COUNTS[Outcome.SKIPPED]


@dataclass
class Page:
    """What the tests read from an HTML page: grid cells, ids, links, detail texts."""

    cells: list[dict[str, str]] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    grid: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self._open: list[tuple[str, str]] = []  # (tag, id) of the elements around the text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        classes = found.get("class", "").split()
        self.page.tags.append(tag)
        if "id" in found:
            self.page.ids.append(found["id"])
            self.page.texts[found["id"]] = ""
        if "href" in found:
            self.page.hrefs.append(found["href"])
        if "src" in found or (tag == "link" and "href" in found):
            self.page.sources.append(found.get("src") or found["href"])
        if tag == "td" and "cell" in classes:
            self.page.cells.append(found)
        if tag == "tr" and "data-proxy" in found:
            self.page.rows.append(found)
        if tag == "table" and found.get("id") == "grid":
            self.page.grid = found
        if tag == "section" and "detail" in classes:
            self.page.details[found["id"]] = ""
        if tag not in _VOID:
            self._open.append((tag, found.get("id", "")))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for _, anchor in self._open:
            if anchor:
                self.page.texts[anchor] += data
                if anchor in self.page.details:
                    self.page.details[anchor] += data


def parse_page(html: str) -> Page:
    """The page's grid cells, rows, ids, links and detail texts, read with html.parser."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def outcome_of(cell: dict[str, str]) -> str:
    return next(name[2:] for name in cell["class"].split() if name.startswith("o-"))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "nested" / "report"
    paths = write_reports(sample_results(), folder, sample_diff())
    assert [path.name for path in paths] == ["index.html", "summary.md", "junit.xml"]
    assert all(path.parent == folder and path.is_file() for path in paths)
    return folder


@pytest.fixture
def page(out: Path) -> Page:
    return parse_page((out / "index.html").read_text("utf-8"))


# JUnit


def test_junit_counts_every_outcome(out: Path):
    root = ET.parse(out / "junit.xml").getroot()
    assert root.tag == "testsuites"
    assert root.get("tests") == str(CELL_COUNT)
    assert root.get("failures") == "2"
    assert root.get("errors") == "1"
    assert root.get("skipped") == "3"  # one skipped, two xfailed
    assert [suite.get("name") for suite in root] == sorted([APACHE, HAPROXY, NGINX])
    nginx = root.find(f"testsuite[@name='{NGINX}']")
    assert nginx is not None
    assert (nginx.get("tests"), nginx.get("failures"), nginx.get("errors")) == ("14", "1", "0")
    assert nginx.get("skipped") == "2"
    assert nginx.get("time") == "71.500"
    assert len(nginx.findall("testcase")) == CASE_COUNT


def test_junit_suite_properties_hold_the_main_versions(out: Path):
    root = ET.parse(out / "junit.xml").getroot()
    properties = {
        item.get("name"): item.get("value")
        for item in root.findall(f"testsuite[@name='{NGINX}']/properties/property")
    }
    assert properties["proxy"] == "nginx version: nginx/1.22.1"
    assert properties["python"] == "3.11.2"
    assert properties["debian_suite"] == "bookworm"


def test_junit_testcases_say_what_happened(out: Path):
    root = ET.parse(out / "junit.xml").getroot()

    def case(stack: str, name: str) -> ET.Element:
        found = root.find(f"testsuite[@name='{stack}']/testcase[@name='{name}']")
        assert found is not None, name
        assert found.get("classname") == stack
        return found

    failure = case(NGINX, FAILING_CASE).find("failure")
    assert failure is not None and failure.get("message") == FAILING_REASON
    assert FAILING_EVIDENCE.replace("\r\n", "\n") in (failure.text or "").replace("\r\n", "\n")
    assert "client sent invalid header" in (failure.text or "")
    assert "\x1b" not in (failure.text or "") and "[31m" not in (failure.text or "")
    error = case(HAPROXY, "test_websocket.py::test_ping_is_answered_with_pong").find("error")
    assert error is not None and error.get("message", "").startswith("ReadinessTimeout")
    xfailed = case(NGINX, "test_tls.py::test_tls_version_policy[1.0]").find("skipped")
    assert xfailed is not None and xfailed.get("message", "").startswith("xfailed")
    flaky = case(NGINX, "test_tls.py::test_alpn_offers_h2")
    assert flaky.find("failure") is None
    assert "flaky" in (flaky.findtext("system-out") or "")
    assert "Connection reset by peer" in (flaky.findtext("system-out") or "")
    xpassed = case(HAPROXY, "test_websocket.py::test_messages_echo_unchanged[unicode]")
    assert xpassed.find("properties/property[@value='xpassed']") is not None
    assert case(APACHE, "test_websocket.py::test_upgrade_answers_101").find("skipped") is not None
    assert case(NGINX, FAILING_CASE).get("time") == "0.250"


# Markdown


def test_markdown_leads_with_counts_and_the_diff(out: Path):
    text = (out / "summary.md").read_text("utf-8")
    assert text.startswith(f"## Compatibility matrix: 3 stacks, {CELL_COUNT} cells")
    assert "failed 2 · error 1 · flaky 1" in text
    assert text.index("Newly failing: 1") < text.index("### Failing cells: 3")
    newly = text[text.index("Newly failing") : text.index("### Failing cells")]
    assert FAILING_CASE in newly and "passed → **failed**" in newly
    assert "Newly passing: 1 · added: 1 · removed: 1 · versions changed: 2" in text


def test_markdown_lists_failing_and_flaky_cells_and_times(out: Path):
    text = (out / "summary.md").read_text("utf-8")
    failing = text[text.index("### Failing cells") : text.index("### Flaky cells")]
    assert f"- **failed** `{FAILING_STACK}` `{FAILING_CASE}`: {FAILING_REASON}" in failing
    assert f"- **error** `{HAPROXY}`" in failing
    flaky = text[text.index("### Flaky cells") : text.index("### Time")]
    assert "test_alpn_offers_h2" in flaky and "Connection reset by peer" in flaky
    assert "| 1/2 | 2 | 170.0 s |" in text
    slowest = text[text.index("| slowest stack") :]
    assert slowest.index(APACHE) < slowest.index(NGINX) < slowest.index(HAPROXY)


def test_markdown_stays_short_for_a_red_night():
    results = sample_results()
    failing = tuple(
        replace(case, stack=f"{case.stack}-{n}", outcome=Outcome.FAILED, reason="a | <b>x</b>")
        for case in results.cases
        for n in range(3)
    )
    text = render_markdown(replace(results, cases=failing))
    listed = [line for line in text.splitlines() if line.startswith("- **failed**")]
    assert len(listed) == CELL_BUDGET
    assert f"… and {3 * CELL_COUNT - CELL_BUDGET} more" in text
    assert "a \\| \\<b\\>x\\</b\\>" in text
    assert len(text.splitlines()) < 80


# HTML


def test_grid_has_a_cell_per_stack_and_case(page: Page):
    assert len(page.cells) == 3 * CASE_COUNT
    outcomes = [outcome_of(cell) for cell in page.cells]
    assert outcomes.count("none") == 4  # the plain-HTTP stack runs no TLS case
    for outcome, number in EXPECTED_COUNTS.items():
        assert outcomes.count(str(outcome)) == number, outcome
    assert [row["data-proxy"] for row in page.rows] == ["apache", "haproxy", "nginx"]
    assert page.rows[1]["data-tls"] == "plain"


def test_cells_have_tooltips_and_link_to_details_or_stacks(page: Page):
    ran = [cell for cell in page.cells if outcome_of(cell) != "none"]
    assert all(cell["title"].count("\n") >= 2 for cell in ran)
    failing = next(cell for cell in ran if FAILING_REASON in cell["title"])
    assert failing["title"].startswith(f"{FAILING_STACK}\n{FAILING_CASE}\nfailed · 0.25 s")
    assert len(page.details) == DETAILED_COUNT


def test_failing_cell_detail_holds_reason_evidence_and_versions(page: Page):
    detail_id = next(key for key, text in page.details.items() if FAILING_REASON in text)
    text = page.details[detail_id]
    assert re.fullmatch(r"cell-[a-z0-9-]+", detail_id)
    assert "<script>alert(1)</script>" in text  # shown as text: escaped in the source
    assert "client sent invalid header" in text and "\x1b" not in text
    assert "nginx version: nginx/1.22.1" in text
    assert f"#{detail_id}" in page.hrefs  # the cell and the diff link to it


def test_page_is_self_contained_and_escaped(out: Path, page: Page):
    html = (out / "index.html").read_text("utf-8")
    assert page.sources == []
    assert page.tags.count("script") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html and "https://" not in html


def test_every_id_is_unique_and_every_link_lands(page: Page):
    assert len(page.ids) == len(set(page.ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", anchor) for anchor in page.ids)
    targets = {href[1:] for href in page.hrefs if href.startswith("#")}
    assert targets <= set(page.ids)
    assert {f"stack-{stack}" for stack in (APACHE, HAPROXY, NGINX)} <= set(page.ids)


def test_diff_comes_first_with_newly_failing_linked_to_the_detail(out: Path, page: Page):
    assert page.ids.index("diff") < page.ids.index("run") < page.ids.index("matrix")
    diff_text = page.texts["diff"]
    assert diff_text.index("Newly failing: 1") < diff_text.index("Newly passing: 1")
    assert "Versions changed: 2" in diff_text and "22.0.0" in diff_text
    first_link = page.hrefs[0]
    assert first_link.startswith("#cell-") and first_link[1:] in page.details


def test_without_a_diff_there_is_no_diff_section(tmp_path: Path):
    write_reports(sample_results(), tmp_path)
    page = parse_page((tmp_path / "index.html").read_text("utf-8"))
    assert "diff" not in page.ids
    assert len(page.cells) == 3 * CASE_COUNT


def test_page_ids_are_slugs_unique_per_key_and_stable():
    ids = PageIds(reserved=("grid",))
    first = ids.get("cell", NGINX, "test_static.py::test_x[a.css]")
    second = ids.get("cell", NGINX, "test_static.py::test_x[a-css]")
    assert first != second
    assert all(re.fullmatch(r"[a-z0-9-]+", anchor) for anchor in (first, second))
    assert ids.get("cell", NGINX, "test_static.py::test_x[a.css]") == first
    assert ids.get("grid") == "grid-2"


def test_column_labels_drop_the_file_and_keep_parameters():
    short = short_name(FAILING_CASE)
    assert short == "smuggling_probe_is_refused_and_smuggles_nothing[cl-te]"
    label = column_label(short)
    assert label.endswith("…[cl-te]") and len(label) <= 32
    assert column_label("alpn_offers_h2") == "alpn_offers_h2"
