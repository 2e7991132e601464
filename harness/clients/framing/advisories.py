"""Published server bugs the framing probes reproduce, as data, and the judge of a cell.

Each advisory names the package whose parser has the bug, the versions it is said to affect
(a PEP 440 specifier set), the probes that show it on the direct hop, and where it is
published. A stack is concerned only when the package's parser is the one that reads its
requests: gunicorn's own parser in its sync and gthread workers (not its uvicorn worker),
h11 under hypercorn and under uvicorn with `--http h11`, Twisted under daphne, waitress.

`judge()` compares what the direct hop did with what the advisory says of that version: a
version said to be affected that refuses the probe, or one said to be fixed that lets it
through, is a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from harness.parts import server_kit
from harness.spec.model import StackSpec

__all__ = ["ADVISORIES", "Advisory", "AdvisoryVerdict", "concerned", "judge", "parser_package"]


class AdvisoryVerdict(StrEnum):
    AFFECTED_AS_ADVISED = "affected, as advised"  # lets the probe through, as said
    FIXED_AS_ADVISED = "fixed, as advised"  # refuses the probe, as said
    STRICTER_THAN_ADVISED = "said affected, but refuses"  # a finding
    LENIENT_THOUGH_FIXED = "said fixed, but lets it through"  # a finding

    @property
    def is_finding(self) -> bool:
        return self in (AdvisoryVerdict.STRICTER_THAN_ADVISED, AdvisoryVerdict.LENIENT_THOUGH_FIXED)


@dataclass(frozen=True, slots=True)
class Advisory:
    """One published framing bug: its ids, package, affected versions, probes, evidence."""

    id: str  # the CVE
    aliases: tuple[str, ...]  # GHSA ids
    package: str  # PyPI name, normalised
    affected: str  # PEP 440 specifier set: the versions said to have the bug
    probes: tuple[str, ...]  # names in harness/clients/framing/probes.py that show it
    summary: str
    links: tuple[str, ...]

    def affects(self, version: str) -> bool:
        try:
            return Version(version) in SpecifierSet(self.affected)
        except InvalidVersion:
            return False


ADVISORIES: tuple[Advisory, ...] = (
    Advisory(
        "CVE-2024-1135",
        ("GHSA-w3h3-4rj7-4ph4",),
        "gunicorn",
        "<22.0.0",
        ("te-chunked-then-gzip", "te-chunked-twice"),
        "Transfer-Encoding lines not validated: chunked wins wherever it appears",
        (
            "https://nvd.nist.gov/vuln/detail/CVE-2024-1135",
            "https://github.com/advisories/GHSA-w3h3-4rj7-4ph4",
            "https://github.com/benoitc/gunicorn/blob/21.2.0/gunicorn/http/message.py",
        ),
    ),
    Advisory(
        "CVE-2024-6827",
        ("GHSA-hc5x-x2vx-497g",),
        "gunicorn",
        "<22.0.0",
        ("te-list-gzip-chunked",),
        "Transfer-Encoding other than exactly `chunked` falls back to Content-Length",
        (
            "https://nvd.nist.gov/vuln/detail/CVE-2024-6827",
            "https://github.com/advisories/GHSA-hc5x-x2vx-497g",
        ),
    ),
    Advisory(
        "CVE-2025-43859",
        ("GHSA-vqfr-h8mv-ghfj",),
        "h11",
        "<0.16.0",
        ("chunk-bad-terminator",),
        "the two bytes after each chunk's data are discarded unchecked",
        (
            "https://nvd.nist.gov/vuln/detail/CVE-2025-43859",
            "https://github.com/python-hyper/h11/security/advisories/GHSA-vqfr-h8mv-ghfj",
            "https://github.com/python-hyper/h11/blob/v0.14.0/h11/_readers.py",
        ),
    ),
    Advisory(
        "CVE-2022-24801",
        ("GHSA-c2jg-hw38-jrqq",),
        "twisted",
        "<22.4.0",
        ("cl-plus", "chunk-size-0x"),
        "Content-Length with a sign and 0x-prefixed chunk sizes accepted",
        (
            "https://nvd.nist.gov/vuln/detail/CVE-2022-24801",
            "https://github.com/twisted/twisted/security/advisories/GHSA-c2jg-hw38-jrqq",
        ),
    ),
    Advisory(
        "CVE-2022-24761",
        ("GHSA-4f7p-27jc-3c36",),
        "waitress",
        "<2.1.1",
        ("chunk-size-0x", "chunk-size-plus", "cl-plus", "chunk-extension-invalid"),
        "chunk sizes and Content-Length parsed with int() (0x and + prefixes accepted), "
        "chunk extensions not checked",
        (
            "https://nvd.nist.gov/vuln/detail/CVE-2022-24761",
            "https://github.com/Pylons/waitress/security/advisories/GHSA-4f7p-27jc-3c36",
            "https://github.com/Pylons/waitress/blob/v2.1.1/CHANGES.txt",
        ),
    ),
    Advisory(
        "CVE-2019-16786",
        ("GHSA-g2xc-35jw-c63p",),
        "waitress",
        "<1.4.0",
        # A doubled `chunked` also falls back on 1.3.1, but 1.4.0 and later accept it and
        # read it as chunked (measured on 3.0.2): the advisory's probe is the list.
        ("te-list-gzip-chunked",),
        "Transfer-Encoding other than exactly `chunked` falls back to Content-Length",
        (
            "https://nvd.nist.gov/vuln/detail/CVE-2019-16786",
            "https://github.com/Pylons/waitress/security/advisories/GHSA-g2xc-35jw-c63p",
        ),
    ),
    Advisory(
        "CVE-2019-16792",
        ("GHSA-4ppp-gpcr-7qf6",),
        "waitress",
        "<1.4.0",
        ("cl-duplicate-same", "cl-duplicate-different"),
        "two Content-Length lines are folded into one that is no number, read as 0: the body "
        "becomes the next request",
        (
            "https://nvd.nist.gov/vuln/detail/CVE-2019-16792",
            "https://github.com/Pylons/waitress/security/advisories/GHSA-4ppp-gpcr-7qf6",
        ),
    ),
)


def parser_package(spec: StackSpec) -> str | None:
    """The PyPI package whose HTTP/1.1 parser reads the stack's requests, where one of the
    advisories' packages does; None for servers with their own parser (uWSGI, granian,
    uvicorn on httptools)."""
    return server_kit(spec.server).parser_package(spec.server_choice)


def concerned(spec: StackSpec, probe: str) -> tuple[Advisory, ...]:
    """The advisories of the stack's parser that this probe shows."""
    package = parser_package(spec)
    return tuple(a for a in ADVISORIES if a.package == package and probe in a.probes)


def installed_version(packages: Mapping[str, str], package: str) -> str | None:
    """The package's version in a `pip freeze` mapping, names compared normalised."""
    by_name = {canonicalize_name(name): version for name, version in packages.items()}
    return by_name.get(canonicalize_name(package))


def judge(advisory: Advisory, version: str, lenient: bool) -> AdvisoryVerdict:
    """Whether a server at `version` that was (or was not) lenient behaves as advised."""
    if advisory.affects(version):
        return (
            AdvisoryVerdict.AFFECTED_AS_ADVISED
            if lenient
            else AdvisoryVerdict.STRICTER_THAN_ADVISED
        )
    return AdvisoryVerdict.LENIENT_THOUGH_FIXED if lenient else AdvisoryVerdict.FIXED_AS_ADVISED
