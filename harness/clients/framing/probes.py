"""The framing probe catalogue: each probe is one raw request, described as data.

Every probe is a `POST /echo/framing-<marker>` whose framing is invalid or ambiguous, and most
hide a complete second request, `GET /echo/framing-<marker>-hidden`, where a parser that frames
the body another way would find it. The app records each request it runs in /seen, so how many
requests carried the marker, and which, is what the app made of the probe; its /echo answer
says how many body bytes it read.

A probe states what a reader that accepts it as RFC 9112 means it gets (`requests`, `length`)
and its kind: INVALID probes must be refused (400, or 501 for a coding nobody here supports);
AMBIGUOUS ones may be refused or read one stated way; VALID ones must be read as stated.
An invalid probe carries the hidden request after its body where a server that reads the
invalid framing leniently would run it, and every proxy here refuses the probe: so behind a
proxy that passes bytes unparsed, a lenient server's reading shows as a desync.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = ["PROBES", "FramingProbe", "ProbeKind", "hidden_path", "probe_path"]

END = "0\r\n\r\n"  # the last chunk of a chunked body
# Seen by a parser that reads chunks (the hidden request follows the last chunk); inside the
# body for one that reads Content-Length {n}.
AFTER_END = END + "{inner}"
# Inside one chunk for a parser that reads chunks; seen by one that reads Content-Length
# {short}, which covers only the chunk-size line.
IN_CHUNK = "{size:x}\r\n{inner}\r\n" + END
HELLO = "hello"


class ProbeKind(StrEnum):
    """What RFC 9112 lets a recipient do with the probe."""

    INVALID = "invalid"  # must be refused
    AMBIGUOUS = "ambiguous"  # may be refused, or read the one way the RFC states
    VALID = "valid"  # must be read as stated


@dataclass(frozen=True, slots=True)
class FramingProbe:
    """One raw request: its framing header lines and body, as templates, and its reading.

    Templates take `{n}` (the body's length), `{short}` (the chunk-size line's length),
    `{size}` (the hidden request's length) and `{inner}` (the hidden request)."""

    name: str
    summary: str
    kind: ProbeKind
    framing: str
    body: str
    length: int  # body bytes the app reads when it reads the probe as stated
    requests: int = 1  # requests the app runs when it reads the probe as stated
    line_end: str = "\r\n"  # of the request line and header lines

    def render(self, host: str, marker: str, root: str = "") -> bytes:
        """The probe's bytes for this Host header and marker, its paths below `root` (the
        contract's place on your own app; our apps answer at the root)."""
        inner = f"GET {root}{hidden_path(marker)} HTTP/1.1\r\nHost: {host}\r\n"
        inner += "Connection: close\r\n\r\n"
        body = self.body.format(inner=inner, size=len(inner))
        framing = self.framing.format(n=len(body), short=len(f"{len(inner):x}\r\n"))
        lines = [f"POST {root}{probe_path(marker)} HTTP/1.1", f"Host: {host}"]
        lines += [line for line in framing.split("\r\n") if line]
        end = self.line_end
        return (end.join(lines) + end + end + body).encode("latin-1")


def probe_path(marker: str) -> str:
    return f"/echo/framing-{marker}"


def hidden_path(marker: str) -> str:
    return f"/echo/framing-{marker}-hidden"


def _probe(
    name: str, summary: str, kind: ProbeKind, framing: str, body: str, length: int, **more: object
) -> FramingProbe:
    return FramingProbe(name, summary, kind, framing, body, length, **more)  # type: ignore[arg-type]


_CHUNKED = "Transfer-Encoding: chunked\r\n"
_I, _A, _V = ProbeKind.INVALID, ProbeKind.AMBIGUOUS, ProbeKind.VALID
_ALL = (
    _probe(
        "te-cl",
        "Content-Length and chunked: chunked wins and the connection closes",
        _A,
        "Content-Length: {n}\r\n" + _CHUNKED,
        AFTER_END,
        0,
    ),
    _probe(
        "te-list-gzip-chunked",
        "Transfer-Encoding `gzip, chunked` with a short "
        "Content-Length (CVE-2024-6827: read by Content-Length)",
        _I,
        "Transfer-Encoding: gzip, chunked\r\nContent-Length: {short}\r\n",
        IN_CHUNK,
        0,
    ),
    _probe(
        "te-chunked-then-gzip",
        "two Transfer-Encoding lines, chunked not last (CVE-2024-1135: chunked wins)",
        _I,
        _CHUNKED + "Transfer-Encoding: gzip\r\n",
        AFTER_END,
        0,
    ),
    _probe(
        "te-chunked-twice",
        "two Transfer-Encoding: chunked lines (chunked applied twice)",
        _I,
        _CHUNKED * 2,
        "5\r\nhello\r\n" + END,
        5,
    ),
    _probe(
        "cl-plus",
        "Content-Length with a sign, +5, then the hidden request",
        _I,
        "Content-Length: +5\r\n",
        HELLO + "{inner}",
        5,
    ),
    _probe(
        "cl-leading-zeros",
        "Content-Length with leading zeros: 005 (valid digits)",
        _V,
        "Content-Length: 005\r\n",
        HELLO,
        5,
    ),
    _probe(
        "cl-duplicate-different",
        "two different Content-Length lines; the first ends before the hidden request",
        _I,
        "Content-Length: 5\r\nContent-Length: {n}\r\n",
        HELLO + "{inner}",
        5,
    ),
    _probe(
        "cl-duplicate-same",
        "two equal Content-Length lines (may be read as one)",
        _A,
        "Content-Length: 5\r\nContent-Length: 5\r\n",
        HELLO,
        5,
    ),
    _probe(
        "chunk-size-0x",
        "a chunk size with a 0x prefix, then the hidden request",
        _I,
        _CHUNKED,
        "0x5\r\nhello\r\n" + AFTER_END,
        5,
    ),
    _probe(
        "chunk-size-plus",
        "a chunk size with a + sign, then the hidden request",
        _I,
        _CHUNKED,
        "+5\r\nhello\r\n" + AFTER_END,
        5,
    ),
    _probe(
        "chunk-bad-terminator",
        "chunk data ended by XX, not CRLF, then the hidden request (CVE-2025-43859)",
        _I,
        _CHUNKED,
        "5\r\nhelloXX" + AFTER_END,
        5,
    ),
    _probe(
        "chunk-extension-invalid",
        "a chunk extension with a control byte",
        _I,
        _CHUNKED,
        "5;\x01\r\nhello\r\n" + END,
        5,
    ),
    _probe("chunk-bare-lf", "chunk lines ended by a bare LF", _I, _CHUNKED, "5\nhello\n0\n\n", 5),
    _probe(
        "bare-lf",
        "request and header lines ended by a bare LF (may be read as CRLF)",
        _A,
        "Content-Length: 5\r\n",
        HELLO,
        5,
        line_end="\n",
    ),
    _probe(
        "obs-fold",
        "a header folded onto a second line (refuse, or read as one space)",
        _A,
        "Content-Length: 5\r\nX-Folded: a\r\n b\r\n",
        HELLO,
        5,
    ),
    _probe(
        "nul-in-header",
        "a NUL byte in a header value",
        _I,
        "Content-Length: 5\r\nX-Nul: a\x00b\r\n",
        HELLO,
        5,
    ),
    _probe(
        "cr-in-header",
        "a lone CR in a header value",
        _I,
        "Content-Length: 5\r\nX-Cr: a\rb\r\n",
        HELLO,
        5,
    ),
    _probe(
        "pipelined",
        "two requests sent at once, both valid: both run, in order",
        _V,
        "Content-Length: 5\r\n",
        HELLO + "{inner}",
        5,
        requests=2,
    ),
)

PROBES: Mapping[str, FramingProbe] = MappingProxyType({probe.name: probe for probe in _ALL})
