"""The invitation SMS says when (local time) and where, in plain GSM-7 text."""

from __future__ import annotations

from datetime import UTC, datetime

from vaxflow_registration.domain.invitations import invitation_text, plain


def test_the_invitation_gives_the_local_time_and_the_place_without_marks() -> None:
    text = invitation_text(
        dose_number=2,
        slot_start=datetime(2026, 11, 28, 1, 30, tzinfo=UTC),
        site_label="Trạm Y tế Phường Bến Nghé, 12 Đinh Tiên Hoàng",
        timezone="Asia/Ho_Chi_Minh",
    )

    assert text.isascii()
    assert "mui 2 luc 08:30 ngay 28/11/2026" in text
    assert "tai Tram Y te Phuong Ben Nghe, 12 Dinh Tien Hoang." in text
    assert len(text) <= 160


def test_without_a_site_label_the_invitation_still_says_when() -> None:
    text = invitation_text(
        dose_number=1,
        slot_start=datetime(2026, 11, 27, 23, 0, tzinfo=UTC),
        site_label=None,
        timezone="Asia/Ho_Chi_Minh",
    )

    assert "luc 06:00 ngay 28/11/2026 tai diem tiem da dang ky" in text


def test_plain_drops_every_vietnamese_mark() -> None:
    assert plain("Đường Nguyễn Thị Minh Khai, Quận 3") == "Duong Nguyen Thi Minh Khai, Quan 3"
