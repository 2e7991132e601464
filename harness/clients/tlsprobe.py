"""TLS handshakes with a stack's HTTPS port: versions, names, ALPN and the served certificate.

Legacy versions (TLS 1.0 and 1.1) need a client that can still offer them. OpenSSL 3 allows
them only at security level 0, so the probe asks for `@SECLEVEL=0`. Where the host's OpenSSL
cannot offer a version at all (built without it, or a policy forbids it), the probe sends a
hand-made ClientHello for that version instead and reads the server's first answer: a
ServerHello naming the version means accepted, an alert or a closed connection means refused.
Either way the check can fail, so "refused" is never just the client's own refusal.
"""

from __future__ import annotations

import socket
import ssl
import struct
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography import x509

from harness.run.stack import Stack

__all__ = ["Handshake", "handshake", "legacy_server_hello", "served_names", "version_offered"]

TIMEOUT = 10.0
VERSIONS = {
    "1.0": (ssl.TLSVersion.TLSv1, 0x0301),
    "1.1": (ssl.TLSVersion.TLSv1_1, 0x0302),
    "1.2": (ssl.TLSVersion.TLSv1_2, 0x0303),
    "1.3": (ssl.TLSVersion.TLSv1_3, 0x0304),
}
_WIRE_NAMES = {0x0300: "SSLv3", 0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2"}


@dataclass(frozen=True, slots=True)
class Handshake:
    """How one handshake ended: the version and ALPN protocol agreed, or the error."""

    version: str | None
    alpn: str | None
    error: str

    @property
    def ok(self) -> bool:
        return self.version is not None


def _address(stack: Stack) -> tuple[str, int]:
    parts = urlsplit(stack.https_url)
    return parts.hostname or "127.0.0.1", parts.port or 443


def _context(stack: Stack, version: str | None, alpn: list[str] | None) -> ssl.SSLContext:
    """A client context that trusts only the run's test CA, pinned to one version if given."""
    context = ssl.create_default_context(cafile=str(stack.ca_path))
    if version is not None:
        tls_version, _ = VERSIONS[version]
        if version in ("1.0", "1.1"):
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            # Offering a deprecated version is the point of the probe.
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = tls_version
            context.maximum_version = tls_version
    if alpn:
        context.set_alpn_protocols(alpn)
    return context


def version_offered(stack: Stack, version: str) -> bool:
    """Whether this host's OpenSSL can send a ClientHello for `version` (no network used)."""
    try:
        context = _context(stack, version, None)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        context.wrap_bio(incoming, outgoing, server_hostname="localhost").do_handshake()
    except ssl.SSLWantReadError:
        return outgoing.pending > 0
    except (ssl.SSLError, ValueError):
        return False
    return True


def handshake(
    stack: Stack,
    server_hostname: str = "127.0.0.1",
    version: str | None = None,
    alpn: list[str] | None = None,
) -> Handshake:
    """A full, verified handshake with the HTTPS port, sending `server_hostname` as SNI."""
    context = _context(stack, version, alpn)
    try:
        with (
            socket.create_connection(_address(stack), TIMEOUT) as raw,
            context.wrap_socket(raw, server_hostname=server_hostname) as tls,
        ):
            return Handshake(tls.version(), tls.selected_alpn_protocol(), "")
    except (ssl.SSLError, ssl.CertificateError, OSError) as error:
        return Handshake(None, None, f"{type(error).__name__}: {error}")


def served_names(stack: Stack, server_hostname: str) -> list[str]:
    """The DNS names and IP addresses of the certificate served for `server_hostname`,
    read without verifying it (so a wrong certificate can be described)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection(_address(stack), TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=server_hostname) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    certificate = x509.load_der_x509_certificate(der)
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(n) for n in names.get_values_for_type(x509.DNSName)] + [
        str(a) for a in names.get_values_for_type(x509.IPAddress)
    ]


def legacy_server_hello(stack: Stack, version: str) -> Handshake:
    """Send a hand-made ClientHello offering only `version` (1.0 to 1.2); report the
    version of the ServerHello that answers, or how the server refused."""
    _, wire = VERSIONS[version]
    with socket.create_connection(_address(stack), TIMEOUT) as raw:
        raw.sendall(_client_hello(wire))
        try:
            head = _read_exactly(raw, 11)
        except OSError as error:
            return Handshake(None, None, f"connection ended: {type(error).__name__}")
    content_type, handshake_type = head[0], head[5]
    if content_type == 22 and handshake_type == 2:
        chosen = struct.unpack("!H", head[9:11])[0]
        return Handshake(_WIRE_NAMES.get(chosen, hex(chosen)), None, "")
    if content_type == 21:
        return Handshake(None, None, f"alert {head[6]}")
    return Handshake(None, None, f"unexpected record {head[:11].hex()}")


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            if len(data) >= 7:  # an alert record is 7 bytes
                return data.ljust(size, b"\0")
            raise ConnectionError(f"closed after {len(data)} bytes")
        data += chunk
    return data


def _client_hello(wire_version: int) -> bytes:
    """A minimal ClientHello: ECDHE and RSA key exchange with AES-CBC/GCM, P-256 and X25519."""
    suites = [0xC02B, 0xC02F, 0xC009, 0xC013, 0xC00A, 0xC014, 0x002F, 0x0035, 0x000A]
    host = b"localhost"
    extensions = (
        _extension(0x0000, struct.pack("!HBH", len(host) + 3, 0, len(host)) + host)
        + _extension(0x000A, struct.pack("!HHHH", 6, 0x001D, 0x0017, 0x0018))
        + _extension(0x000B, b"\x01\x00")
        + _extension(0x000D, struct.pack("!HHHHHH", 10, 0x0403, 0x0401, 0x0201, 0x0203, 0x0804))
    )
    body = (
        struct.pack("!H", wire_version)
        + bytes(32)  # random: the server only needs 32 bytes
        + b"\x00"  # no session id
        + struct.pack("!H", 2 * len(suites))
        + b"".join(struct.pack("!H", suite) for suite in suites)
        + b"\x01\x00"  # null compression only
        + struct.pack("!H", len(extensions))
        + extensions
    )
    message = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(message)) + message


def _extension(kind: int, data: bytes) -> bytes:
    return struct.pack("!HH", kind, len(data)) + data
