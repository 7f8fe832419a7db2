"""Refresh tokens: rotated on use, a reused one revokes its login, logout revokes."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.integration.identity.conftest import IdentityUnderTest

SITE_A = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"

pytestmark = pytest.mark.stack


async def refresh(service: IdentityUnderTest, token: str) -> httpx.Response:
    return await service.client.post("/api/v1/auth/refresh", json={"refresh_token": token})


async def test_a_refresh_gives_a_new_pair_and_uses_up_the_old_token(
    service: IdentityUnderTest, random_phone: str
) -> None:
    login = await service.citizen_login(random_phone)

    rotated = await refresh(service, login["refresh_token"])

    assert rotated.status_code == 200
    pair = rotated.json()
    assert pair["refresh_token"] != login["refresh_token"]
    verifier = service.verifier()
    before = await verifier.verify_token(login["access_token"])
    after = await verifier.verify_token(pair["access_token"])
    assert after.subject == before.subject
    assert after.token_id != before.token_id


async def test_reusing_a_used_token_revokes_the_whole_login(
    service: IdentityUnderTest, random_phone: str
) -> None:
    first = (await service.citizen_login(random_phone))["refresh_token"]
    second = (await refresh(service, first)).json()["refresh_token"]

    replayed = await refresh(service, first)
    legitimate = await refresh(service, second)

    assert replayed.status_code == 401
    assert legitimate.status_code == 401
    reuses = await service.identity.audit.entries(action="refresh_token_reused")
    assert len(reuses) == 1


async def test_concurrent_refreshes_of_one_token_yield_one_pair_and_revoke_the_login(
    service: IdentityUnderTest, random_phone: str
) -> None:
    token = (await service.citizen_login(random_phone))["refresh_token"]

    responses = await asyncio.gather(*(refresh(service, token) for _ in range(10)))

    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1
    # The others were replays of a used token: the login is cut off, the winner's token too.
    assert (await refresh(service, winners[0].json()["refresh_token"])).status_code == 401


async def test_another_login_of_the_same_phone_survives_a_reuse(
    service: IdentityUnderTest, random_phone: str
) -> None:
    phone_a = (await service.citizen_login(random_phone))["refresh_token"]
    phone_b = (await service.citizen_login(random_phone))["refresh_token"]
    await refresh(service, phone_a)
    await refresh(service, phone_a)  # reuse: revokes login A only

    assert (await refresh(service, phone_b)).status_code == 200


async def test_logout_revokes_the_refresh_token(
    service: IdentityUnderTest, random_phone: str
) -> None:
    token = (await service.citizen_login(random_phone))["refresh_token"]

    logout = await service.client.post("/api/v1/auth/logout", json={"refresh_token": token})
    unknown = await service.client.post("/api/v1/auth/logout", json={"refresh_token": "x" * 43})

    assert logout.status_code == 204
    assert unknown.status_code == 204
    assert (await refresh(service, token)).status_code == 401


async def test_a_staff_refresh_keeps_role_and_scope(service: IdentityUnderTest) -> None:
    await service.add_staff("manager.q1", "site_manager", site_id=SITE_A)
    login = (await service.staff_login("manager.q1")).json()

    pair = (await refresh(service, login["refresh_token"])).json()

    principal = await service.verifier().verify_token(pair["access_token"])
    assert principal.role == "site_manager"
    assert principal.scope.site_id == SITE_A


async def test_an_unknown_refresh_token_is_refused(service: IdentityUnderTest) -> None:
    response = await refresh(service, "y" * 43)

    assert response.status_code == 401
    assert response.json()["type"].endswith("/invalid-refresh-token")
