"""National ID protection: an HMAC-SHA256 blind index and an AES-GCM ciphertext.

The blind index (under a unique index) answers "is this number registered?" without storing the
number; the ciphertext lets the owner see it again. Each ciphertext is bound to its citizen id
(AES-GCM associated data), so it cannot be moved onto another record, and names the key that
sealed it (`k1:...`), so the encryption key can be rotated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from uuid import UUID

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vaxflow_registration.domain.citizen import NationalId
from vaxflow_registration.settings import RegistrationSettings

_AES_INFO = b"vaxflow/registration/national-id/aes-256-gcm"
_NONCE_BYTES = 12


class UnreadableCiphertext(ValueError):
    """A stored national ID ciphertext cannot be opened (wrong key, tampered, or moved)."""


class NationalIdProtector:
    """Computes blind indexes and seals and opens national ID numbers."""

    def __init__(self, index_key: bytes, encryption_key: bytes, key_id: str) -> None:
        self._index_key = index_key
        self._key_id = key_id
        aes_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_AES_INFO).derive(
            encryption_key
        )
        self._aead = AESGCM(aes_key)

    @classmethod
    def from_settings(cls, settings: RegistrationSettings) -> NationalIdProtector:
        """A protector with the configured keys."""
        return cls(
            settings.national_id_index_key.get_secret_value().encode(),
            settings.national_id_encryption_key.get_secret_value().encode(),
            settings.national_id_key_id,
        )

    def blind_index(self, nid: NationalId) -> str:
        """The same hex digest for the same document, whoever computes it with the same key."""
        return hmac.new(self._index_key, nid.index_text().encode(), hashlib.sha256).hexdigest()

    def seal(self, number: str, citizen_id: UUID) -> str:
        """Encrypt the number for this citizen only."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, number.encode(), citizen_id.bytes)
        return f"{self._key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, token: str, citizen_id: UUID) -> str:
        """Decrypt a number sealed for this citizen."""
        key_id, _, payload = token.partition(":")
        if key_id != self._key_id:
            raise UnreadableCiphertext(f"sealed with key {key_id!r}")
        raw = base64.b64decode(payload)
        try:
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], citizen_id.bytes)
        except Exception as exc:  # InvalidTag: wrong key, tampered, or another citizen's
            raise UnreadableCiphertext("authentication failed") from exc
        return plain.decode()
