"""Staff login, lockout and the admin API against the real Redis and FerretDB."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.integration.identity.conftest import (
    PASSWORD,
    IdentityUnderTest,
    running,
    settings_for,
)

SITE_A = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
SITE_B = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02"

pytestmark = pytest.mark.stack

WRONG = "not-the-password-at-all"


def comparable(problem: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in problem.items() if k != "request_id"}


async def test_a_vaccinator_logs_in_with_role_and_site_in_the_token(
    service: IdentityUnderTest,
) -> None:
    staff_id = await service.add_staff("nurse.lan", "vaccinator", site_id=SITE_A)

    response = await service.staff_login("Nurse.Lan")

    assert response.status_code == 200
    principal = await service.verifier().verify_token(response.json()["access_token"])
    assert (principal.subject, principal.role) == (staff_id, "vaccinator")
    assert principal.scope.site_id == SITE_A


async def test_a_district_admin_token_carries_the_district(service: IdentityUnderTest) -> None:
    await service.add_staff("district.760", "district_admin", district="760")

    token = (await service.staff_login("district.760")).json()["access_token"]

    principal = await service.verifier().verify_token(token)
    assert principal.covers_district("760")
    assert not principal.covers_district("770")


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
    service: IdentityUnderTest,
) -> None:
    await service.add_staff("nurse.lan", "vaccinator", site_id=SITE_A)

    wrong_password = await service.staff_login("nurse.lan", WRONG)
    unknown_user = await service.staff_login("nobody.here", WRONG)

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert comparable(wrong_password.json()) == comparable(unknown_user.json())


async def test_repeated_failures_lock_the_account_even_for_the_right_password(
    tmp_path: Path,
) -> None:
    async with running(settings_for(tmp_path, login_max_failures=3)) as service:
        await service.add_staff("nurse.lan", "vaccinator", site_id=SITE_A)
        failures = [await service.staff_login("nurse.lan", WRONG) for _ in range(3)]
        locked = await service.staff_login("nurse.lan")
        audit = await service.identity.audit.entries()

    assert [r.status_code for r in failures] == [401, 401, 401]
    assert locked.status_code == 429
    assert locked.json()["type"].endswith("/login-locked")
    assert 0 < int(locked.headers["Retry-After"]) <= 900
    actions = [entry["action"] for entry in audit]
    assert actions.count("staff_login_failed") == 3
    assert "staff_locked" in actions
    assert "staff_login_refused_locked" in actions


async def test_unknown_usernames_lock_like_known_ones(tmp_path: Path) -> None:
    async with running(settings_for(tmp_path, login_max_failures=3)) as service:
        await service.add_staff("nurse.lan", "vaccinator", site_id=SITE_A)
        known = [(await service.staff_login("nurse.lan", WRONG)).status_code for _ in range(4)]
        unknown = [(await service.staff_login("nobody.here", WRONG)).status_code for _ in range(4)]

    assert known == unknown == [401, 401, 401, 429]


async def test_concurrent_guesses_cannot_exceed_the_failure_limit(tmp_path: Path) -> None:
    async with running(settings_for(tmp_path, login_max_failures=3)) as service:
        await service.add_staff("nurse.lan", "vaccinator", site_id=SITE_A)
        responses = await asyncio.gather(
            *(service.staff_login("nurse.lan", f"{WRONG}-{i}") for i in range(12))
        )

    assert Counter(r.status_code for r in responses) == {401: 3, 429: 9}


async def test_a_successful_login_forgets_earlier_failures(tmp_path: Path) -> None:
    async with running(settings_for(tmp_path, login_max_failures=3)) as service:
        await service.add_staff("nurse.lan", "vaccinator", site_id=SITE_A)
        for _ in range(2):
            await service.staff_login("nurse.lan", WRONG)
        await service.staff_login("nurse.lan")
        later = [(await service.staff_login("nurse.lan", WRONG)).status_code for _ in range(2)]

    assert later == [401, 401]


async def test_the_audit_keeps_no_password(service: IdentityUnderTest) -> None:
    await service.add_staff("nurse.lan", "vaccinator", site_id=SITE_A)
    await service.staff_login("nurse.lan", WRONG)
    await service.staff_login(PASSWORD, WRONG)  # a password typed into the username field
    await service.staff_login("nurse.lan")

    audit = repr(await service.identity.audit.entries())

    assert PASSWORD not in audit
    assert WRONG not in audit
    assert "staff_login_succeeded" in audit


async def test_an_admin_creates_and_lists_staff(service: IdentityUnderTest) -> None:
    admin_id = await service.add_staff("admin.one", "admin")
    headers = await service.bearer("admin.one")
    body = {"username": "manager.q1", "password": PASSWORD, "role": "site_manager"}

    created = await service.client.post(
        "/api/v1/auth/staff", json=body | {"site_id": SITE_A}, headers=headers
    )
    again = await service.client.post(
        "/api/v1/auth/staff", json=body | {"site_id": SITE_B}, headers=headers
    )
    page = await service.client.get("/api/v1/auth/staff?page=2&page_size=1", headers=headers)

    assert created.status_code == 201
    assert created.json()["site_id"] == SITE_A
    assert "password" not in created.text
    assert again.status_code == 409
    assert page.json()["total"] == 2
    assert [item["username"] for item in page.json()["items"]] == ["manager.q1"]
    assert (await service.staff_login("manager.q1")).status_code == 200
    creations = await service.identity.audit.entries(action="staff_created")
    assert creations[-1]["created_by"] == admin_id


async def test_a_scope_that_does_not_fit_the_role_is_refused_naming_the_field(
    service: IdentityUnderTest,
) -> None:
    await service.add_staff("admin.one", "admin")
    headers = await service.bearer("admin.one")
    body = {"username": "vac.one", "password": PASSWORD, "role": "vaccinator", "district": "760"}

    response = await service.client.post("/api/v1/auth/staff", json=body, headers=headers)

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"body.site_id"}
    assert await service.identity.staff.by_username("vac.one") is None


async def test_only_an_admin_may_manage_staff(service: IdentityUnderTest) -> None:
    await service.add_staff("nurse.lan", "vaccinator", site_id=SITE_A)
    nurse = await service.bearer("nurse.lan")
    body = {"username": "vac.two", "password": PASSWORD, "role": "admin"}

    as_nurse = await service.client.post("/api/v1/auth/staff", json=body, headers=nurse)
    anonymous = await service.client.get("/api/v1/auth/staff")

    assert as_nurse.status_code == 403
    assert anonymous.status_code == 401
    assert await service.identity.staff.by_username("vac.two") is None
