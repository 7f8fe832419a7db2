"""Signing keys on disk: document signer certificates and keys in one directory.

`<name>.pem` is a DSC, `<name>.key.pem` its private key (PKCS#8 PEM, optionally encrypted);
`csca.pem` and `csca.key.pem` are the country signing CA. Files are written with 0600
permissions, each to a temporary name and renamed, so a reader never sees half a key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from vaxflow_certificate.domain.signers import (
    Signer,
    TrustedSigner,
    development_chain,
)

_CSCA = "csca"
_KEY_SUFFIX = ".key.pem"


@dataclass(frozen=True)
class KeyRing:
    """The signers this service may sign with, and every DSC it trusts (signers included)."""

    signers: tuple[Signer, ...]
    trusted: tuple[TrustedSigner, ...]


class FileKeyStore:
    """The key directory."""

    def __init__(self, directory: Path, passphrase: bytes | None = None) -> None:
        self.directory = directory
        self._passphrase = passphrase

    def load(self) -> KeyRing:
        """Read every DSC (and key) in the directory; SignerError on an unreadable file."""
        signers: list[Signer] = []
        trusted: list[TrustedSigner] = []
        for cert_path in self._certificates():
            key_path = cert_path.with_name(cert_path.name.removesuffix(".pem") + _KEY_SUFFIX)
            cert = cert_path.read_bytes()
            if key_path.exists():
                signer = Signer.from_pem(cert, key_path.read_bytes(), self._passphrase)
                signers.append(signer)
                trusted.append(signer.trusted)
            else:
                trusted.append(TrustedSigner.from_pem(cert))
        return KeyRing(tuple(signers), tuple(trusted))

    def is_empty(self) -> bool:
        """True when the directory holds no document signer."""
        return not any(True for _ in self._certificates())

    def create_development_chain(self, now: datetime, country: str) -> None:
        """Write a new development CSCA and DSC (vaccination key usage)."""
        chain = development_chain(now, country)
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"dsc-{now:%Y%m%d%H%M%S}"
        self._write(f"{_CSCA}.pem", chain.csca_pem)
        self._write(f"{_CSCA}{_KEY_SUFFIX}", chain.csca_key_pem)
        self._write(f"{name}{_KEY_SUFFIX}", chain.dsc_key_pem)
        self._write(f"{name}.pem", chain.dsc_pem)  # last: a DSC is only seen with its key

    def _certificates(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(
            p
            for p in self.directory.glob("*.pem")
            if not p.name.endswith(_KEY_SUFFIX) and p.stem != _CSCA
        )

    def _write(self, name: str, content: bytes) -> None:
        target = self.directory / name
        temporary = target.with_name(f".{name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        temporary.replace(target)
