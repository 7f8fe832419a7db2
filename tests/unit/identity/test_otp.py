"""One-time codes: unpredictable, 6 digits, never kept in clear."""

from __future__ import annotations

from vaxflow_identity.domain.otp import hash_code, new_code, phone_index, sms_text

KEY = b"test-otp-key"


def test_codes_are_six_digits_and_vary() -> None:
    codes = {new_code() for _ in range(200)}

    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 190


def test_a_code_hash_reveals_neither_code_nor_phone() -> None:
    digest = hash_code(KEY, "+84912345678", "123456")

    assert "123456" not in digest
    assert "912345678" not in digest


def test_the_same_code_for_another_phone_does_not_match() -> None:
    assert hash_code(KEY, "+84912345678", "123456") != hash_code(KEY, "+84912345679", "123456")


def test_a_code_hash_depends_on_the_key() -> None:
    assert hash_code(KEY, "+84912345678", "123456") != hash_code(b"other", "+84912345678", "123456")


def test_the_phone_index_is_stable_and_keyed() -> None:
    assert phone_index(KEY, "+84912345678") == phone_index(KEY, "+84912345678")
    assert phone_index(KEY, "+84912345678") != phone_index(b"other", "+84912345678")


def test_the_sms_names_the_code_and_its_lifetime() -> None:
    text = sms_text("482913", 300)

    assert "482913" in text
    assert "5 phut" in text
