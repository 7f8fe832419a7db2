"""Staff accounts as the events name them."""

from __future__ import annotations

import re
from uuid import UUID, uuid5

STAFF_NAMESPACE = UUID("6d1f0c3a-2b4e-4f5a-8c6d-7e8f9a0b1c2d")
_HEX_ID = re.compile(r"^(?:[a-z]+_)?([0-9a-f]{32})$")


def staff_uuid(subject: str) -> UUID:
    """The UUID of a staff account for events: its own hex (`stf_<hex>`), else derived from it.

    The same derivation as injection's, so one account has one id on every stream.
    """
    match = _HEX_ID.match(subject)
    return UUID(match.group(1)) if match else uuid5(STAFF_NAMESPACE, subject)
