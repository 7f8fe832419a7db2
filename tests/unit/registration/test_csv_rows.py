"""Import rows: the header, and each row checked like the registration form."""

from __future__ import annotations

from datetime import date

import pytest
from vaxflow_registration.domain.imports import COLUMNS, HeaderProblem, check_header, parse_row

from vaxflow_events import Sex

TODAY = date(2021, 8, 10)
ROW = {
    "id_type": "cccd",
    "national_id": "079090001234",
    "full_name": "Nguyễn Văn An",
    "date_of_birth": "30/04/1990",
    "sex": "nam",
    "phone": "0912345678",
    "province_code": "79",
    "ward_code": "26743",
    "address_line": "12 Lê Lợi",
    "priority_group": "8",
    "consent": "có",
}


def test_a_valid_row_becomes_a_checked_person() -> None:
    parsed = parse_row(ROW, 2, TODAY)

    assert not isinstance(parsed, list)
    national_id, details = parsed
    assert national_id.number == "079090001234"
    assert (details.date_of_birth, details.sex) == (date(1990, 4, 30), Sex.MALE)
    assert details.priority_group == 8
    assert details.residence.ward_code == "26743"


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"date_of_birth": "1990-13-01"}, "date_of_birth", "date_format"),
        ({"sex": "x"}, "sex", "sex_unknown"),
        ({"id_type": "cmt"}, "id_type", "id_type_unknown"),
        ({"priority_group": "eight"}, "priority_group", "priority_group_format"),
        ({"consent": "no"}, "consent", "consent_required"),
        ({"national_id": "079091001234"}, "national_id", "cccd_birth_year"),
        ({"ward_code": "00070"}, "address.ward_code", "ward_not_in_province"),
        ({"phone": ""}, "phone", "phone_format"),
    ],
)
def test_each_bad_value_is_reported_on_its_field(
    changes: dict[str, str], field: str, rule: str
) -> None:
    issues = parse_row(ROW | changes, 7, TODAY)

    assert isinstance(issues, list)
    assert [(i.line, i.field, i.rule) for i in issues] == [(7, field, rule)]


def test_every_bad_field_of_a_row_is_reported() -> None:
    issues = parse_row(ROW | {"full_name": "", "phone": "1", "province_code": "02"}, 3, TODAY)

    assert isinstance(issues, list)
    assert {i.field for i in issues} == {"full_name", "phone", "address.province_code"}


def test_the_header_accepts_any_order_and_case_and_leaves_optional_columns_out() -> None:
    required = [
        c
        for c in COLUMNS
        if c
        not in ("address_line", "priority_group", "health_insurance_number", "passport_country")
    ]
    assert set(check_header([c.upper() for c in reversed(required)])) == set(required)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["full_name", "phone"], "missing"),
        ([*COLUMNS, "email"], "unknown: email"),
        ([*COLUMNS, "phone"], "repeated: phone"),
        ([], "missing"),
    ],
)
def test_a_bad_header_says_what_is_wrong(cells: list[str], message: str) -> None:
    with pytest.raises(HeaderProblem, match=message):
        check_header(cells)
