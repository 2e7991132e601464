"""Broken variants of the certificate chain: the proxy serves the leaf without the
intermediate that signed it, which a client trusting only the root cannot verify."""

from __future__ import annotations

from tests.integration.variant_model import Variant, catching

LEAF_ONLY = catching(
    r"with only the test CA trusted: SSLCertVerificationError.*unable to get local issuer",
    "test_tls.py::test_chain_verifies_with_only_the_test_ca",
)

PKI: tuple[Variant, ...] = (
    Variant(
        name="nginx-serves-leaf-without-intermediate",
        base="nginx-uvicorn-django-asgi-tls",
        misconfiguration="ssl_certificate points at the leaf (cert.pem), not the full chain",
        edit=(
            "ssl_certificate /etc/harness/tls/chain.pem;",
            "ssl_certificate /etc/harness/tls/leaf.pem;",
        ),
        catches=LEAF_ONLY,
    ),
    Variant(
        name="haproxy-serves-leaf-without-intermediate",
        base="haproxy-daphne-django-asgi-tls",
        misconfiguration="crt points at a file with the leaf and key but no intermediate",
        edit=(
            "ssl crt /etc/harness/tls/chain-and-key.pem",
            "ssl crt /etc/harness/tls/leaf-and-key.pem",
        ),
        catches=LEAF_ONLY,
    ),
    Variant(
        name="apache-serves-leaf-without-intermediate",
        base="apache-gunicorn-gthread-django-tls",
        misconfiguration="SSLCertificateFile is the leaf alone",
        edit=(
            "SSLCertificateFile /etc/harness/tls/chain.pem",
            "SSLCertificateFile /etc/harness/tls/leaf.pem",
        ),
        catches=LEAF_ONLY,
    ),
)
