"""The reminder SMS says which dose is due and from when, in plain GSM-7 text."""

from __future__ import annotations

from datetime import date

from vaxflow_registration.domain.invitations import reminder_text


def test_the_reminder_names_the_dose_and_its_window_in_one_plain_message() -> None:
    text = reminder_text(dose_number=2, due_from=date(2026, 11, 26), due_until=date(2027, 1, 21))

    assert text.isascii()
    assert "den han tiem mui 2" in text
    assert "tu ngay 26/11/2026 den 21/01/2027" in text
    assert len(text) <= 160


def test_without_an_end_the_reminder_says_from_when() -> None:
    text = reminder_text(dose_number=3, due_from=date(2026, 12, 1), due_until=None)

    assert "mui 3" in text
    assert "(tu ngay 01/12/2026)" in text
