"""National ID protection: an HMAC-SHA256 blind index and an AES-GCM ciphertext.

The blind index (under a unique index) answers "is this number registered?" without storing the
number; the ciphertext lets the owner see it again. Each ciphertext is bound to its citizen id
(AES-GCM associated data), so it cannot be moved onto another record, and names the key that
sealed it (`k1:...`), so the encryption key can be rotated: new ciphertexts use the current
key, the old keys (from configuration) still open what they sealed, and the re-encryption job
(`python -m vaxflow_registration.admin reseal-national-ids`) rewrites those under the current key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
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


def _aead(key: bytes) -> AESGCM:
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_AES_INFO).derive(key))


class NationalIdProtector:
    """Computes blind indexes and seals and opens national ID numbers."""

    def __init__(
        self,
        index_key: bytes,
        encryption_key: bytes,
        key_id: str,
        old_keys: Mapping[str, bytes] | None = None,
    ) -> None:
        self._index_key = index_key
        self._key_id = key_id
        self._aeads = {kid: _aead(key) for kid, key in (old_keys or {}).items()}
        self._aeads[key_id] = _aead(encryption_key)

    @classmethod
    def from_settings(cls, settings: RegistrationSettings) -> NationalIdProtector:
        """A protector with the configured keys."""
        return cls(
            settings.national_id_index_key.get_secret_value().encode(),
            settings.national_id_encryption_key.get_secret_value().encode(),
            settings.national_id_key_id,
            {
                kid: key.get_secret_value().encode()
                for kid, key in settings.national_id_old_keys.items()
            },
        )

    @property
    def key_id(self) -> str:
        """The id of the key new ciphertexts are sealed with."""
        return self._key_id

    @property
    def old_key_ids(self) -> tuple[str, ...]:
        """The ids of the keys kept only to open what they sealed."""
        return tuple(sorted(kid for kid in self._aeads if kid != self._key_id))

    def blind_index(self, nid: NationalId) -> str:
        """The same hex digest for the same document, whoever computes it with the same key."""
        return hmac.new(self._index_key, nid.index_text().encode(), hashlib.sha256).hexdigest()

    def seal(self, number: str, citizen_id: UUID) -> str:
        """Encrypt the number for this citizen only, under the current key."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aeads[self._key_id].encrypt(nonce, number.encode(), citizen_id.bytes)
        return f"{self._key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, token: str, citizen_id: UUID) -> str:
        """Decrypt a number sealed for this citizen, under the current key or a kept old one."""
        key_id, _, payload = token.partition(":")
        aead = self._aeads.get(key_id)
        if aead is None:
            raise UnreadableCiphertext(f"sealed with key {key_id!r}")
        raw = base64.b64decode(payload)
        try:
            plain = aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], citizen_id.bytes)
        except Exception as exc:  # InvalidTag: wrong key, tampered, or another citizen's
            raise UnreadableCiphertext("authentication failed") from exc
        return plain.decode()

    def is_current(self, token: str) -> bool:
        """True when the ciphertext is sealed under the current key."""
        return token.partition(":")[0] == self._key_id

    def reseal(self, token: str, citizen_id: UUID) -> str:
        """The same number sealed under the current key (unchanged if it already is)."""
        if self.is_current(token):
            return token
        return self.seal(self.open(token, citizen_id), citizen_id)
