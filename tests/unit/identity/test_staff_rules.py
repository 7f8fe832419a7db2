"""Staff accounts: each role carries exactly the scope it needs; usernames and passwords."""

from __future__ import annotations

import pytest
from vaxflow_identity.domain.staff import (
    InvalidStaff,
    StaffScope,
    check_password,
    check_username,
    scope_for,
)

SITE_A = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"


@pytest.mark.parametrize("role", ["vaccinator", "site_manager"])
def test_site_roles_are_scoped_to_a_site(role: str) -> None:
    assert scope_for(role, site_id=SITE_A, district=None) == StaffScope(  # type: ignore[arg-type]
        site_id=SITE_A
    )


def test_a_district_admin_is_scoped_to_a_district() -> None:
    scope = scope_for("district_admin", site_id=None, district="760")

    assert scope == StaffScope(district="760")


@pytest.mark.parametrize("role", ["mcc_operator", "admin"])
def test_national_roles_have_no_scope(role: str) -> None:
    assert scope_for(role, site_id=None, district=None) == StaffScope()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "site_id", "district", "field"),
    [
        ("vaccinator", None, None, "site_id"),
        ("site_manager", SITE_A, "760", "district"),
        ("district_admin", None, None, "district"),
        ("district_admin", SITE_A, "760", "site_id"),
        ("admin", SITE_A, None, "site_id"),
        ("mcc_operator", None, "760", "district"),
    ],
)
def test_a_scope_that_does_not_fit_the_role_is_refused_naming_the_field(
    role: str, site_id: str | None, district: str | None, field: str
) -> None:
    with pytest.raises(InvalidStaff) as refused:
        scope_for(role, site_id=site_id, district=district)  # type: ignore[arg-type]

    assert refused.value.field == field


def test_usernames_are_compared_in_lower_case() -> None:
    assert check_username("  Vaccinator.HCM0001 ") == "vaccinator.hcm0001"


@pytest.mark.parametrize("username", ["ab", "-leading", "has space", "ümlaut", "x" * 65])
def test_malformed_usernames_are_refused(username: str) -> None:
    with pytest.raises(InvalidStaff):
        check_username(username)


@pytest.mark.parametrize("password", ["short-pw", "x" * 257, "my-name-is-nurse.lan-ok"])
def test_weak_or_overlong_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidStaff):
        check_password(password, username="nurse.lan")


def test_a_long_password_without_the_username_is_accepted() -> None:
    check_password("a-long-passphrase-2026", username="nurse.lan")
