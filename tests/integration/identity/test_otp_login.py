"""Citizen login by SMS code against the real Redis and FerretDB: codes, attempts and limits."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.identity.conftest import IdentityUnderTest, normalised, running, settings_for

pytestmark = pytest.mark.stack


async def test_a_citizen_logs_in_with_the_code_sent_by_sms(
    service: IdentityUnderTest, random_phone: str
) -> None:
    tokens = await service.citizen_login(random_phone)

    principal = await service.verifier().verify_token(tokens["access_token"])
    assert principal.role == "citizen"
    assert principal.subject.startswith("acc_")
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900


async def test_every_spelling_of_a_phone_logs_into_the_same_account(
    service: IdentityUnderTest, random_phone: str
) -> None:
    local = await service.citizen_login(random_phone)
    international = await service.citizen_login("+84 " + random_phone[1:])

    verifier = service.verifier()
    first = await verifier.verify_token(local["access_token"])
    second = await verifier.verify_token(international["access_token"])
    assert first.subject == second.subject


async def test_twenty_concurrent_requests_for_one_phone_send_exactly_three_codes(
    service: IdentityUnderTest, random_phone: str
) -> None:
    responses = await asyncio.gather(*(service.request_code(random_phone) for _ in range(20)))

    assert Counter(r.status_code for r in responses) == {202: 3, 429: 17}
    refused = [r for r in responses if r.status_code == 429]
    assert all(0 < int(r.headers["Retry-After"]) <= 900 for r in refused)
    assert refused[0].headers["content-type"] == "application/problem+json"
    assert len(service.codes_sent_to(normalised(random_phone))) == 3


async def test_five_wrong_codes_burn_the_code(
    service: IdentityUnderTest, random_phone: str
) -> None:
    await service.request_code(random_phone)
    code = service.codes_sent_to(normalised(random_phone))[-1]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    answers = [(await service.verify(random_phone, wrong)).json() for _ in range(5)]
    after = await service.verify(random_phone, code)

    assert [a.get("attempts_left") for a in answers[:4]] == [4, 3, 2, 1]
    assert answers[4]["type"].endswith("/otp-burnt")
    assert after.status_code == 401
    assert after.json()["type"].endswith("/otp-expired")


async def test_concurrent_guesses_get_no_more_than_five_tries(
    service: IdentityUnderTest, random_phone: str
) -> None:
    await service.request_code(random_phone)
    code = service.codes_sent_to(normalised(random_phone))[-1]
    guesses = [f"{(int(code) + i) % 1_000_000:06d}" for i in range(1, 31)]

    responses = await asyncio.gather(*(service.verify(random_phone, g) for g in guesses))

    kinds = Counter(r.json()["type"].rsplit("/", 1)[-1] for r in responses)
    assert kinds == {"otp-wrong": 4, "otp-burnt": 1, "otp-expired": 25}
    assert (await service.verify(random_phone, code)).status_code == 401


async def test_a_code_logs_in_only_once(service: IdentityUnderTest, random_phone: str) -> None:
    await service.request_code(random_phone)
    code = service.codes_sent_to(normalised(random_phone))[-1]

    first = await service.verify(random_phone, code)
    second = await service.verify(random_phone, code)

    assert first.status_code == 200
    assert second.status_code == 401


async def test_a_new_code_replaces_the_previous_one(
    service: IdentityUnderTest, random_phone: str
) -> None:
    await service.request_code(random_phone)
    await service.request_code(random_phone)
    old, new = service.codes_sent_to(normalised(random_phone))
    if old == new:  # one chance in a million: a third code (the limit allows 3) differs
        await service.request_code(random_phone)
        new = service.codes_sent_to(normalised(random_phone))[-1]

    assert (await service.verify(random_phone, old)).status_code == 401
    assert (await service.verify(random_phone, new)).status_code == 200


async def test_codes_are_kept_only_hashed_and_expire(
    service: IdentityUnderTest, random_phone: str
) -> None:
    await service.request_code(random_phone)
    code = service.codes_sent_to(normalised(random_phone))[-1]
    redis = service.app.state.infra.redis

    keys = [key async for key in redis.scan_iter(match=f"{service.redis_prefix}:otp:*")]
    stored = [await redis.hgetall(key) for key in keys]

    assert len(keys) == 1
    assert 0 < await redis.ttl(keys[0]) <= 300
    everything = repr(keys) + repr(stored)
    assert code not in everything
    assert random_phone[1:] not in everything


async def test_a_malformed_phone_is_refused_naming_the_field_and_sends_nothing(
    service: IdentityUnderTest,
) -> None:
    response = await service.request_code("0212345678")

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.phone"]
    assert not service.settings.sms.outbox_path.exists()


async def test_requests_per_client_address_are_limited(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, address_limit=5, address_window_s=60)
    async with running(settings) as service:
        phones = [f"0912{i:06d}" for i in range(7)]
        first = [await service.request_code(p, address="203.0.113.7") for p in phones[:6]]
        elsewhere = await service.request_code(phones[6], address="203.0.113.8")

    assert [r.status_code for r in first] == [202] * 5 + [429]
    assert first[5].json()["type"].endswith("/rate-limited")
    assert elsewhere.status_code == 202


async def test_a_client_cannot_dodge_the_address_limit_with_its_own_forwarded_header(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path, address_limit=2, address_window_s=60)
    async with running(settings) as service:
        statuses = []
        for i in range(3):
            # What the gateway sends on: the client's made-up entry, then the real address.
            spoofed = {"X-Forwarded-For": f"10.0.0.{i}, 203.0.113.9"}
            response = await service.client.post(
                "/api/v1/auth/otp/request", json={"phone": f"0913{i:06d}"}, headers=spoofed
            )
            statuses.append(response.status_code)

    assert statuses == [202, 202, 429]
