"""The proxy compresses text for clients that accept gzip, and leaves the rest as it is.

Our configs turn gzip on at the proxy for text types (a careful operator's choice: the app
stays simple, the proxy does it once per answer), above 1 KiB, with `Vary: Accept-Encoding`.
Streaming through compression is checked by test_streaming.py's `gzip` cases, which carry
this family's marker too.
"""

import gzip

import httpx
import pytest

pytestmark = pytest.mark.compression

LARGE = 8192  # bytes of /bytes's compressible text: well above any sensible minimum
SMALL = 200  # bytes: gzip's own header and trailer would eat most of the saving
PAYLOAD_LINE = b"deploy-harness compressible payload\n"


def _payload(size: int) -> bytes:
    return (PAYLOAD_LINE * (size // len(PAYLOAD_LINE) + 1))[:size]


def _get(client: httpx.Client, path: str, encoding: str) -> httpx.Response:
    return client.get(path, headers={"Accept-Encoding": encoding})


def _need_compression(stack) -> None:
    """Skip where the stack declares (or its own proxy config shows) no compression."""
    if not stack.spec.compression:
        source = stack.spec.expectation_sources.get("compression")
        where = f" ({source.where})" if source else ""
        pytest.skip(f"{stack.id}: compression = false{where}: the proxy compresses nothing")


def _described(stack, path: str, encoding: str, response: httpx.Response) -> str:
    return (
        f"{stack.id}: GET {path} with Accept-Encoding {encoding} got {response.status_code}, "
        f"Content-Encoding {response.headers.get('content-encoding')!r}, Vary "
        f"{response.headers.get('vary')!r}, {len(response.content)} bytes decoded"
    )


def test_text_is_gzipped_when_the_client_accepts_it(stack, client):
    """A large text answer comes gzipped to a client that accepts gzip, whole once decoded."""
    _need_compression(stack)
    path = f"/bytes?n={LARGE}"
    response = _get(client, path, "gzip")
    evidence = _described(stack, path, "gzip", response)
    assert response.status_code == 200, evidence
    assert response.headers.get("content-encoding") == "gzip", (
        f"not compressed; {evidence} (nginx: gzip on, gzip_types; Apache: mod_deflate "
        "AddOutputFilterByType DEFLATE; HAProxy: filter compression, compression type)"
    )
    assert response.content == _payload(LARGE), f"body differs once decoded; {evidence}"


def test_text_is_not_compressed_for_a_client_that_does_not_accept_it(stack, client):
    """A client that asks for identity gets the text as it is."""
    path = f"/bytes?n={LARGE}"
    response = _get(client, path, "identity")
    evidence = _described(stack, path, "identity", response)
    assert response.status_code == 200, evidence
    assert "content-encoding" not in response.headers, f"compressed anyway; {evidence}"
    assert response.content == _payload(LARGE), evidence


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_compressible_answer_carries_vary_accept_encoding(stack, client, encoding):
    """A compressible answer says it varies on Accept-Encoding, so that no cache on the way
    gives the gzipped copy to a client that cannot read it (nor the other way round)."""
    _need_compression(stack)
    path = f"/bytes?n={LARGE}"
    response = _get(client, path, encoding)
    evidence = _described(stack, path, encoding, response)
    vary = [v.strip().lower() for v in response.headers.get("vary", "").split(",")]
    assert "accept-encoding" in vary, (
        f"no Vary: Accept-Encoding; {evidence} (nginx: gzip_vary on; HAProxy and Apache add it)"
    )


def test_small_answer_is_not_compressed(stack, client):
    """An answer too small to gain from gzip goes out as it is."""
    path = f"/bytes?n={SMALL}"
    response = _get(client, path, "gzip")
    evidence = _described(stack, path, "gzip", response)
    assert response.status_code == 200 and response.content == _payload(SMALL), evidence
    assert "content-encoding" not in response.headers, (
        f"a {SMALL}-byte answer was compressed; {evidence} (nginx: gzip_min_length)"
    )


def test_compressed_file_is_not_compressed_again(stack, client):
    """An application/gzip file goes out as the app sent it: compressing it again costs CPU
    and gains nothing."""
    path = f"/archive?n={LARGE}"
    response = _get(client, path, "gzip")
    evidence = _described(stack, path, "gzip", response)
    assert response.status_code == 200, evidence
    assert "content-encoding" not in response.headers, (
        f"already compressed, compressed again; {evidence} (compress text types only: nginx "
        "gzip_types, Apache AddOutputFilterByType, HAProxy compression type)"
    )
    assert len(gzip.decompress(response.content)) == LARGE, evidence
