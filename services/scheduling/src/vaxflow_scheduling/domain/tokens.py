"""QR check-in tokens: short, unguessable, bound to one appointment, signed with HMAC.

A token is the appointment id's 16 bytes followed by the first 10 bytes of
HMAC-SHA256(key, "checkin:" + those 16 bytes), base64url without padding: 35 characters, fit
for a small QR code. Forging one needs the key; it names nothing but the appointment.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from uuid import UUID

_MAC_BYTES = 10
_TOKEN_CHARS = 35


def issue_token(key: bytes, appointment_id: UUID) -> str:
    """The check-in token of an appointment."""
    raw = appointment_id.bytes + _mac(key, appointment_id.bytes)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def read_token(key: bytes, token: str) -> UUID | None:
    """The appointment a token is bound to, or None if it is malformed or not ours."""
    if len(token) != _TOKEN_CHARS:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=")
    except (binascii.Error, ValueError):
        return None
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != token:
        return None  # a non-canonical spelling of the same bytes: one token per appointment
    body, mac = raw[:16], raw[16:]
    if not hmac.compare_digest(mac, _mac(key, body)):
        return None
    return UUID(bytes=body)


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, b"checkin:" + body, hashlib.sha256).digest()[:_MAC_BYTES]
