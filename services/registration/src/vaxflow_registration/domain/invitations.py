"""The text of an invitation SMS (when and where, in the citizen's local time) and of a reminder
that a next dose is due.

Like identity's codes, the text is plain ASCII (GSM-7): Vietnamese without its marks fits 160
characters a message, where the marked text would need UCS-2 and 70 characters a message.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

# Without a site label (sessions stored before scheduling kept one) the message still says when.
UNKNOWN_PLACE = "diem tiem da dang ky"


def invitation_text(
    *, dose_number: int, slot_start: datetime, site_label: str | None, timezone: str
) -> str:
    """The invitation a citizen receives when a site manager allocates them a place."""
    local = slot_start.astimezone(ZoneInfo(timezone))
    place = plain(site_label) if site_label else UNKNOWN_PLACE
    return (
        f"VaxFlow: Moi ban tiem vac xin mui {dose_number} luc {local:%H:%M} "
        f"ngay {local:%d/%m/%Y} tai {place}. Vui long mang theo giay to tuy than."
    )


def reminder_text(*, dose_number: int, due_from: date, due_until: date | None) -> str:
    """The reminder a citizen receives when their next dose is due and they hold no place."""
    window = f"tu ngay {due_from:%d/%m/%Y}"
    if due_until is not None and due_until >= due_from:
        window += f" den {due_until:%d/%m/%Y}"
    return (
        f"VaxFlow: Ban da den han tiem mui {dose_number} vac xin COVID-19 ({window}). "
        "Vui long dat lich tiem hoac cho thu moi cua diem tiem."
    )


def plain(text: str) -> str:
    """Vietnamese without its marks (`Trạm Y tế Quận 1` -> `Tram Y te Quan 1`), ASCII only."""
    unmarked = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return (
        "".join(ch for ch in unmarked if not unicodedata.combining(ch))
        .encode("ascii", "replace")
        .decode()
    )
