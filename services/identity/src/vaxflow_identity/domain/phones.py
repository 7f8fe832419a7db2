"""Vietnamese mobile numbers: accepted spellings, and the one form identity keeps (E.164)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
# 0 or +84, then a mobile prefix (3, 5, 7, 8, 9), then 8 more digits.
_MOBILE = re.compile(r"(?:0|\+84)([35789]\d{8})")


class InvalidPhone(ValueError):
    """The text is not a Vietnamese mobile number."""


def normalise_phone(text: str) -> str:
    """Return the number as +84 and 9 digits; spaces, dots and hyphens are ignored."""
    match = _MOBILE.fullmatch(_SEPARATORS.sub("", text))
    if match is None:
        raise InvalidPhone("a Vietnamese mobile number: 0 and 9 digits (03, 05, 07, 08, 09) or +84")
    return "+84" + match.group(1)


def mask_phone(phone: str) -> str:
    """Show only the last 3 digits, for messages and audit entries."""
    return "*" * (len(phone) - 3) + phone[-3:]
