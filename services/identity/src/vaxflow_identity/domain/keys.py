"""Signing keys: the ring of current, next and previous keys, and how it rotates.

A rotation never invalidates a token in flight. A new key is first published as `next` (in the
JWKS, not yet signing) for long enough that every verifier's cached key set has it; then it is
promoted to `current` and the old current key becomes `previous`, still published until every
token it signed has expired. The whole ring is one document, so each step is one atomic write.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from jwt.algorithms import ECAlgorithm

_NONCE_BYTES = 12


def public_jwk(key: ec.EllipticCurvePublicKey, kid: str) -> dict[str, Any]:
    """The public key as a JWK with its kid, for ES256 signatures only."""
    jwk: dict[str, Any] = ECAlgorithm.to_jwk(key, as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "ES256"}


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A P-256 key pair that can sign; `created_at` is when it was first published."""

    kid: str
    private_key: ec.EllipticCurvePrivateKey
    created_at: datetime

    @classmethod
    def generate(cls, now: datetime) -> SigningKey:
        """A fresh key with a unique kid naming its date."""
        kid = f"{now:%Y%m%d}-{uuid.uuid4().hex[:12]}"
        return cls(kid=kid, private_key=ec.generate_private_key(ec.SECP256R1()), created_at=now)

    @property
    def jwk(self) -> dict[str, Any]:
        """Its public half as a JWK."""
        return public_jwk(self.private_key.public_key(), self.kid)


@dataclass(frozen=True, slots=True)
class RetiredKey:
    """A former signing key: only its public JWK is kept, until `retired_at` plus the keep time."""

    kid: str
    jwk: dict[str, Any]
    retired_at: datetime


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The current signing key, the next one (published, not yet signing) and retired ones."""

    current: SigningKey
    activated_at: datetime
    next: SigningKey | None = None
    previous: tuple[RetiredKey, ...] = ()
    version: int = 0

    @classmethod
    def first(cls, key: SigningKey) -> KeyRing:
        """A ring whose only key signs from now on."""
        return cls(current=key, activated_at=key.created_at)

    def published(self, now: datetime, keep_s: int) -> list[dict[str, Any]]:
        """The JWKS keys: current, next, and retired keys whose tokens may still be in flight."""
        retired = [key.jwk for key in self.previous if not _expired(key, now, keep_s)]
        upcoming = [self.next.jwk] if self.next else []
        return [self.current.jwk, *upcoming, *retired]

    def is_rotation_due(self, now: datetime, every_s: int) -> bool:
        """True when the current key is old enough to be replaced and no successor is staged."""
        return self.next is None and now >= self.activated_at + timedelta(seconds=every_s)

    def is_promotion_due(self, now: datetime, publish_ahead_s: int) -> bool:
        """True when the next key has been published long enough to start signing."""
        ahead = timedelta(seconds=publish_ahead_s)
        return self.next is not None and now >= self.next.created_at + ahead

    def staged(self, key: SigningKey) -> KeyRing:
        """The ring with `key` published as the next signing key."""
        return replace(self, next=key, version=self.version + 1)

    def promoted(self, now: datetime, keep_s: int) -> KeyRing:
        """The ring with next signing and current retired; expired retired keys dropped."""
        if self.next is None:
            raise ValueError("no next key to promote")
        retiring = RetiredKey(self.current.kid, self.current.jwk, retired_at=now)
        kept = tuple(key for key in self.previous if not _expired(key, now, keep_s))
        return KeyRing(self.next, now, None, (retiring, *kept), self.version + 1)


def _expired(key: RetiredKey, now: datetime, keep_s: int) -> bool:
    return now >= key.retired_at + timedelta(seconds=keep_s)


class KeySealer:
    """Encrypts private keys at rest (AES-256-GCM, the kid as associated data)."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(hashlib.sha256(b"vaxflow-identity-keys:" + secret.encode()).digest())

    def seal(self, key: SigningKey) -> bytes:
        """The private key, PKCS#8 DER, encrypted: nonce followed by ciphertext."""
        der = key.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, der, key.kid.encode())

    def unseal(self, kid: str, sealed: bytes, created_at: datetime) -> SigningKey:
        """Decrypt a sealed key; raises if it was tampered with or sealed under another secret."""
        nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        der = self._aead.decrypt(nonce, ciphertext, kid.encode())
        private = serialization.load_der_private_key(der, password=None)
        if not isinstance(private, ec.EllipticCurvePrivateKey):
            raise TypeError("a signing key must be an EC key")
        return SigningKey(kid=kid, private_key=private, created_at=created_at)
