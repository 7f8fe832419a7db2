"""Staff and dates as the events name them."""

from __future__ import annotations

import re
from datetime import date, datetime
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

STAFF_NAMESPACE = UUID("6d1f0c3a-2b4e-4f5a-8c6d-7e8f9a0b1c2d")
_HEX_ID = re.compile(r"^(?:[a-z]+_)?([0-9a-f]{32})$")


def staff_uuid(subject: str) -> UUID:
    """The UUID of a staff account for events: its own hex (`stf_<hex>`), else derived from it."""
    match = _HEX_ID.match(subject)
    return UUID(match.group(1)) if match else uuid5(STAFF_NAMESPACE, subject)


def local_date(at: datetime, timezone: str) -> date:
    """The calendar date of an instant where the sites are."""
    return at.astimezone(ZoneInfo(timezone)).date()
