"""docs/compatibility.md's page, made from the sample run: one verdict per row and family,
known incompatibilities numbered and linked, the framing probes' direct hops per server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.matrix.report.compatibility import render_compatibility
from harness.matrix.schema import write_results
from tests.unit.matrix_samples import framing_results, sample_results


def table_row(page: str, proxy: str, server: str) -> dict[str, str]:
    """The cells of `server`'s row under the `### proxy` table, by family."""
    section = page.split(f"### {proxy}\n\n", 1)[1].split("\n\n", 1)[0]
    header, _, *rows = section.splitlines()
    names = [cell.strip() for cell in header.strip("|").split("|")]
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if cells[0] == server:
            return dict(zip(names, cells, strict=True))
    raise AssertionError(f"no row {server!r} under {proxy}: {rows}")


@pytest.fixture(scope="module")
def page() -> str:
    return render_compatibility(sample_results())


def test_each_row_gets_one_verdict_per_family(page: str):
    nginx = table_row(page, "nginx", "gunicorn")
    assert nginx["security"] == "✗ 1"  # the smuggled GET
    assert nginx["static"] == "✓"  # one case skipped, the rest passed
    # a flaky case outranks a known incompatibility, and the incompatibility stays linked
    assert re.fullmatch(r"~ 1 \[K\d\]\(#k\d\)", nginx["tls"])
    haproxy = table_row(page, "haproxy", "uvicorn")
    assert haproxy["tls"] == "n/a"  # no TLS case ran on the plain stack
    assert haproxy["websocket"] == "✗ 1"  # the error counts as a failure
    apache = table_row(page, "apache", "daphne")
    assert apache["websocket"] == "K"  # an xfail with no recorded entry
    assert apache["tls"] == "✗ 1"


def test_known_incompatibilities_are_numbered_and_every_link_lands(page: str):
    links = set(re.findall(r"\]\(#(k\d+)\)", page))
    anchors = set(re.findall(r'<a id="(k\d+)"></a>', page))
    assert links and links <= anchors
    assert "OpenSSL 3 on bookworm still allows TLS 1.0 at SECLEVEL=0" in page
    # the entry that no longer shows (a strict xfail that passed) says so
    assert "It no longer showed on 1 of them." in page


def test_what_to_choose_counts_rows_and_names_where_a_family_breaks(page: str):
    choose = page.split("## What to choose", 1)[1].split("## Versions", 1)[0]
    assert "on 0 of the 3 proxy x server x app rows" in choose
    assert "but for known incompatibilities** on 0 of them: none." in choose
    assert "- security: 2 of 3 rows hold; failed on nginx + gunicorn flask ✗ 1" in choose
    assert "- websocket: 1 of 3 rows hold, 1 K; failed on haproxy + uvicorn django ✗ 1" in choose


def test_what_each_proxy_cannot_do_is_what_every_one_of_its_rows_has_known():
    from dataclasses import replace

    from tests.unit.matrix_samples import NGINX

    results = sample_results()
    spec = {**results.stacks[NGINX].spec, "server_label": "uwsgi"}
    second = replace(results.stacks[NGINX], id="nginx-two", spec=spec)
    copies = [replace(c, stack="nginx-two") for c in results.cases if c.stack == NGINX]
    both = replace(results, stacks={**results.stacks, "nginx-two": second},
                   cases=(*results.cases, *copies))  # fmt: skip
    page = render_compatibility(both)
    line = next(x for x in page.splitlines() if x.startswith("  - nginx (2 rows):"))
    assert "OpenSSL 3 on bookworm still allows TLS 1.0" in line
    alone = render_compatibility(results)
    assert "  - nginx (1 rows): nothing" in alone  # one row is no pattern


def test_provenance_and_versions_come_from_the_run(page: str):
    assert "matrix run of **2024-12-01**" in page and "commit `762c3b9d0c1e`" in page
    assert "`nginx version: nginx/1.22.1`" in page and "`HAProxy version 2.6.12`" in page
    assert "| trixie | `Server version: Apache/2.4.62 (Debian)` | 3.11.2 |" in page


def test_framing_direct_hops_are_shown_per_server_parser():
    page = render_compatibility(framing_results("desync", True))
    findings = page.split("## Findings", 1)[1]
    assert "| h11 0.16.0 | desync |" in findings
    assert "said fixed, but lets it through" in findings
    quiet = render_compatibility(sample_results())
    assert "This run recorded no framing probes." in quiet


def test_command_writes_the_page_and_refuses_a_bad_file(tmp_path: Path):
    harness = str(Path(sys.executable).with_name("harness"))
    write_results(sample_results(), tmp_path)
    out = tmp_path / "compatibility.md"
    run = subprocess.run(
        [harness, "matrix", "compatibility", str(tmp_path / "results.json"), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert out.read_text("utf-8") == render_compatibility(sample_results())
    (tmp_path / "bad.json").write_text('{"schema": "something else"}', "utf-8")
    bad = subprocess.run(
        [harness, "matrix", "compatibility", str(tmp_path / "bad.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "bad.json" in bad.stderr and "Traceback" not in bad.stderr


def test_a_partial_run_says_which_shards_it_holds():
    from dataclasses import replace

    results = sample_results()
    first = replace(results, run=replace(results.run, shards=results.run.shards[:1]))
    assert "**A partial run: 1 of its 2 shards (1/2)**" in render_compatibility(first)
    assert "partial run" not in render_compatibility(results)


def test_reasons_that_hold_semicolons_are_told_apart_by_their_entries():
    from dataclasses import replace

    from harness.known.incompatibilities import KNOWN
    from harness.matrix.schema import Outcome
    from tests.unit.matrix_samples import NGINX

    first, second = [entry.reason for entry in KNOWN if "; " in entry.reason][:2]
    results = sample_results()
    cases = tuple(
        replace(c, outcome=Outcome.XFAILED, incompatibility=f"{first}; {second}")
        if c.stack == NGINX and c.case.startswith("test_static.py")
        else c
        for c in results.cases
    )
    page = render_compatibility(replace(results, cases=cases))
    entries = re.findall(r'<a id="k\d+"></a>\*\*K\d+\.\*\* (.*)', page)
    assert first in entries and second in entries


def test_the_html_report_of_a_partial_run_says_so_at_its_top():
    from dataclasses import replace

    from harness.matrix.report.html import render_html

    results = sample_results()
    first = replace(results, run=replace(results.run, shards=results.run.shards[:1]))
    head = render_html(first).split("</header>", 1)[0]
    assert "a partial run: 1 of its 2 shards (1/2)" in head
    assert "partial run" not in render_html(results).split("</header>", 1)[0]
