"""Unique vaccination certificate identifiers (UVCI), with their Luhn mod N checksum.

Format `URN:UVCI:01:<country>:<opaque>#<check>` (eHealth Network guidelines, option 3: opaque
unique string). The check character is computed over everything before `#`, with the
Luhn mod N algorithm on the alphabet below (as the DCC schema FAQ and the member states do).
"""

from __future__ import annotations

import re
from uuid import UUID

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"
_N = len(ALPHABET)
_PATTERN = re.compile(r"^URN:UVCI:01:[A-Z]{2}:[A-Z0-9/]+#[A-Z0-9/:]$")
_BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


def check_character(text: str) -> str:
    """The Luhn mod N check character of `text` (only characters of ALPHABET)."""
    factor, total = 2, 0
    for char in reversed(text):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // _N + addend % _N
    return ALPHABET[(_N - total % _N) % _N]


def with_checksum(body: str) -> str:
    """`body#<check>`."""
    return f"{body}#{check_character(body)}"


def is_valid(uvci: str) -> bool:
    """True when `uvci` has the VaxFlow/EU shape and a correct check character."""
    if not _PATTERN.match(uvci):
        return False
    body, check = uvci.rsplit("#", 1)
    return check_character(body) == check


def has_valid_checksum(uvci: str) -> bool:
    """True when an identifier of any issuer ends in `#<check>` and the check holds."""
    text = uvci.upper()
    if len(text) < 3 or text[-2] != "#" or any(c not in ALPHABET for c in text[:-2]):
        return False
    return check_character(text[:-2]) == text[-1]


def uvci_for(certificate_id: UUID, country: str = "VN") -> str:
    """The UVCI of a certificate: its id as 26 base32 characters, never reused."""
    value, digits = certificate_id.int, []
    for _ in range(26):
        value, digit = divmod(value, 32)
        digits.append(_BASE32[digit])
    return with_checksum(f"URN:UVCI:01:{country}:{''.join(reversed(digits))}")
