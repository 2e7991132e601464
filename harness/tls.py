"""A per-run test CA and server certificate, made with trustme.

The CA and the certificate exist only in the run's temp dir (keys mode 0600) and inside the
proxy containers of that run. Clients trust exactly this CA, nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import trustme

from harness.specs import TEST_HOST_NAME

SERVER_NAMES = ("localhost", "127.0.0.1", TEST_HOST_NAME)


@dataclass(frozen=True, slots=True)
class TestCertificates:
    """Paths of the CA certificate (for clients) and of the served chain and key."""

    __test__ = False  # not a pytest test class, despite the name

    ca_pem: Path
    chain_pem: Path
    key_pem: Path

    @classmethod
    def issue(cls, folder: Path) -> TestCertificates:
        """Make a CA and a certificate for localhost, 127.0.0.1 and the test host name."""
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        authority = trustme.CA(organization_name="deploy-harness test CA")
        server = authority.issue_cert(*SERVER_NAMES)
        certificates = cls(folder / "ca.pem", folder / "chain.pem", folder / "key.pem")
        authority.cert_pem.write_to_path(str(certificates.ca_pem))
        with open(certificates.chain_pem, "wb") as chain:
            for blob in server.cert_chain_pems:
                chain.write(blob.bytes())
        server.private_key_pem.write_to_path(str(certificates.key_pem))
        os.chmod(certificates.key_pem, 0o600)
        return certificates

    def files(self) -> dict[str, bytes]:
        """The files a TLS-terminating proxy needs, by name inside its TLS folder."""
        chain, key = self.chain_pem.read_bytes(), self.key_pem.read_bytes()
        return {
            "chain.pem": chain,
            "key.pem": key,
            # HAProxy 2.6 takes the key from the certificate file (or from `<file>.key`).
            "chain-and-key.pem": chain + key,
            "ca.pem": self.ca_pem.read_bytes(),
        }
