"""Phone numbers: every accepted spelling of a mobile number is one account."""

from __future__ import annotations

import pytest
from vaxflow_identity.domain.phones import InvalidPhone, mask_phone, normalise_phone


@pytest.mark.parametrize(
    "spelling",
    [
        "0912345678",
        "+84912345678",
        "091 234 5678",
        "091-234-5678",
        "091.234.5678",
        "+84 91 234 5678",
    ],
)
def test_spellings_of_one_number_normalise_to_the_same_form(spelling: str) -> None:
    assert normalise_phone(spelling) == "+84912345678"


@pytest.mark.parametrize("prefix", ["03", "05", "07", "08", "09"])
def test_every_mobile_prefix_is_accepted(prefix: str) -> None:
    assert normalise_phone(prefix + "12345678") == "+84" + prefix[1] + "12345678"


@pytest.mark.parametrize(
    "text",
    [
        "0212345678",  # a landline prefix
        "091234567",  # 9 digits
        "09123456789",  # 11 digits
        "+8491234567",  # +84 and 8 digits
        "84912345678",  # country code without +
        "+85912345678",  # another country
        "09123456a8",
        "",
    ],
)
def test_other_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidPhone):
        normalise_phone(text)


def test_a_masked_number_shows_only_its_last_three_digits() -> None:
    assert mask_phone("+84912345678") == "*********678"
