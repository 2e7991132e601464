"""A per-run test PKI like a real one, made with trustme: a root, an intermediate, a leaf.

The proxy serves the leaf followed by the intermediate (`chain.pem`, a "fullchain"); clients
trust only the root (`ca.pem`), so a proxy that serves the leaf alone (`leaf.pem`, the classic
cert.pem-for-fullchain.pem mistake) fails verification, as it would for real browsers that
have not cached the intermediate. Everything exists only in the run's temp dir (keys mode
0600) and inside the proxy containers of that run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import trustme

from harness.errors import ConfigError
from harness.spec.model import TEST_HOST_NAME

SERVER_NAMES = ("localhost", "127.0.0.1", TEST_HOST_NAME)


@dataclass(frozen=True, slots=True)
class TestCertificates:
    """Paths of the CA certificate (for clients) and of the served chain and key."""

    __test__ = False  # not a pytest test class, despite the name

    ca_pem: Path
    chain_pem: Path
    key_pem: Path
    leaf_pem: Path

    @classmethod
    def issue(cls, folder: Path) -> TestCertificates:
        """Make a root, an intermediate under it, and a leaf for localhost, 127.0.0.1 and the
        test host name issued by the intermediate."""
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        root = trustme.CA(organization_name="deploy-harness test root CA")
        intermediate = root.create_child_ca()
        server = intermediate.issue_cert(*SERVER_NAMES)
        certificates = cls(
            folder / "ca.pem", folder / "chain.pem", folder / "key.pem", folder / "leaf.pem"
        )
        root.cert_pem.write_to_path(str(certificates.ca_pem))
        # trustme's chain is the leaf, then each CA above it up to (not including) the root.
        with open(certificates.chain_pem, "wb") as chain:
            for blob in server.cert_chain_pems:
                chain.write(blob.bytes())
        server.cert_chain_pems[0].write_to_path(str(certificates.leaf_pem))
        server.private_key_pem.write_to_path(str(certificates.key_pem))
        os.chmod(certificates.key_pem, 0o600)
        return certificates

    @classmethod
    def from_files(cls, chain: Path, key: Path, ca: Path, folder: Path) -> TestCertificates:
        """A user's own chain (leaf first), key and root CA, served in place of the test PKI.
        The leaf alone is cut from the chain into `folder`; a chain without a certificate is a
        ConfigError naming the file."""
        text = chain.read_text(encoding="utf-8", errors="replace")
        end = "-----END CERTIFICATE-----"
        if "-----BEGIN CERTIFICATE-----" not in text or end not in text:
            raise ConfigError(
                f"overrides.tls_chain: {chain} holds no PEM certificate; allowed: the leaf "
                "certificate, then each intermediate, in PEM. Hint: the fullchain.pem file."
            )
        folder.mkdir(parents=True, exist_ok=True)
        leaf = folder / "leaf.pem"
        leaf.write_text(text[: text.index(end) + len(end)] + "\n", encoding="utf-8")
        return cls(ca_pem=ca, chain_pem=chain, key_pem=key, leaf_pem=leaf)

    def files(self) -> dict[str, bytes]:
        """The files a TLS-terminating proxy needs, by name inside its TLS folder."""
        chain, key = self.chain_pem.read_bytes(), self.key_pem.read_bytes()
        leaf = self.leaf_pem.read_bytes()
        return {
            "chain.pem": chain,
            "key.pem": key,
            # HAProxy 2.6 takes the key from the certificate file (or from `<file>.key`).
            "chain-and-key.pem": chain + key,
            # The leaf alone: what a proxy serves when pointed at the wrong file.
            "leaf.pem": leaf,
            "leaf-and-key.pem": leaf + key,
            "ca.pem": self.ca_pem.read_bytes(),
        }
