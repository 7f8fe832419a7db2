"""National-ID key rotation on the real database: old ciphertexts open, the job reseals them."""

from __future__ import annotations

import uuid

import httpx
import pytest
from pydantic import SecretStr
from vaxflow_registration.admin import reseal
from vaxflow_registration.settings import RegistrationSettings

from tests.integration.registration.conftest import Registration, running_service
from tests.integration.registration.people import person

pytestmark = pytest.mark.stack

NEW_KEY = SecretStr("n" * 40)


def rotated(before: RegistrationSettings, *, keep_old: bool) -> RegistrationSettings:
    """The same service after a rotation to key k2 (with or without the old key k1)."""
    old = {"k1": before.national_id_encryption_key} if keep_old else {}
    return before.model_copy(
        update={
            "national_id_encryption_key": NEW_KEY,
            "national_id_key_id": "k2",
            "national_id_old_keys": old,
        }
    )


async def _register(registration: Registration, count: int) -> dict[str, str]:
    """Accounts and the national ID each registered."""
    numbers = {}
    for _ in range(count):
        account, body = f"acct-{uuid.uuid4().hex[:12]}", person(relationship="self")
        response = await registration.client.post(
            "/api/v1/citizens", json=body, headers=registration.citizen(account)
        )
        assert response.status_code == 201, response.text
        numbers[account] = body["national_id"]
    return numbers


async def _own_numbers(
    client: httpx.AsyncClient, registration: Registration, accounts: list[str]
) -> list[str]:
    found = []
    for account in accounts:
        response = await client.get("/api/v1/citizens/me", headers=registration.citizen(account))
        assert response.status_code == 200, response.text
        found.append(response.json()["national_id"]["number"])
    return found


async def test_after_a_rotation_the_job_reseals_every_citizen_and_the_old_key_can_go(
    registration: Registration,
) -> None:
    numbers = await _register(registration, 5)
    accounts = list(numbers)
    with_old = rotated(registration.settings, keep_old=True)

    async with running_service(with_old, registration.topics, registration.issuer) as client:
        assert await _own_numbers(client, registration, accounts) == list(numbers.values())
    assert await reseal(with_old, batch_size=2) == 0
    assert await reseal(with_old, batch_size=2) == 0  # nothing left: changes nothing

    stored = await registration.db["citizens"].find({}, {"national_id_sealed": 1}).to_list()
    assert len(stored) == len(numbers)
    assert all(d["national_id_sealed"].startswith("k2:") for d in stored)
    without_old = rotated(registration.settings, keep_old=False)
    async with running_service(without_old, registration.topics, registration.issuer) as client:
        assert await _own_numbers(client, registration, accounts) == list(numbers.values())
