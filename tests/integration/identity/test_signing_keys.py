"""Signing keys in the real database: made once, sealed, rotated without breaking tokens."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from vaxflow_identity.domain.keys import KeySealer
from vaxflow_identity.handlers.keyring import KeyRingCache
from vaxflow_identity.store.keys import KEYS, MongoKeyStore
from vaxflow_identity.workers import KeyRotationWorker

from tests.integration.identity.conftest import IdentityUnderTest, running, settings_for

pytestmark = pytest.mark.stack


def jwks_kids(body: dict[str, list[dict[str, str]]]) -> list[str]:
    return [key["kid"] for key in body["keys"]]


async def test_a_rotation_keeps_tokens_in_flight_valid(
    service: IdentityUnderTest, random_phone: str
) -> None:
    verifier = service.verifier()
    before = await service.citizen_login(random_phone)
    await verifier.verify_token(before["access_token"])  # the verifier caches the old JWKS

    ring = await service.identity.keys.rotate(immediate=True)
    after = await service.citizen_login(random_phone)
    jwks = (await service.client.get("/api/v1/auth/jwks.json")).json()

    assert len(jwks_kids(jwks)) == 2
    assert ring.current.kid in jwks_kids(jwks)
    assert (await verifier.verify_token(before["access_token"])).role == "citizen"
    assert (await verifier.verify_token(after["access_token"])).role == "citizen"


async def test_a_staged_key_is_published_before_it_signs(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, signing_key_publish_ahead_s=3600)
    async with running(settings) as service:
        signing = (await service.identity.keys.signing_key()).kid
        ring = await service.identity.keys.rotate()
        jwks = (await service.client.get("/api/v1/auth/jwks.json")).json()
        still_signing = (await service.identity.keys.signing_key()).kid

    assert ring.next is not None
    assert jwks_kids(jwks) == [signing, ring.next.kid]
    assert still_signing == signing


async def test_scheduled_rotation_stages_then_promotes(service: IdentityUnderTest) -> None:
    db = service.app.state.infra.db
    settings = service.settings
    now = [datetime.now(UTC)]
    store = MongoKeyStore(db, KeySealer(settings.key_encryption_key.get_secret_value()))
    keys = KeyRingCache(store, settings, lambda: now[0])
    first = await keys.maintain()

    now[0] += timedelta(seconds=settings.signing_key_rotate_every_s)
    staged = await keys.maintain()
    now[0] += timedelta(seconds=settings.signing_key_publish_ahead_s)
    promoted = await keys.maintain()

    assert staged.current.kid == first.current.kid
    assert staged.next is not None
    assert promoted.current.kid == staged.next.kid
    assert [key.kid for key in promoted.previous] == [first.current.kid]


async def test_replicas_starting_together_agree_on_one_key(service: IdentityUnderTest) -> None:
    db = service.app.state.infra.db
    await db[KEYS].delete_many({})
    sealer = KeySealer(service.settings.key_encryption_key.get_secret_value())
    replicas = [
        KeyRingCache(MongoKeyStore(db, sealer), service.settings, lambda: datetime.now(UTC))
        for _ in range(8)
    ]

    rings = await asyncio.gather(*(replica.maintain() for replica in replicas))

    assert len({ring.current.kid for ring in rings}) == 1


async def test_concurrent_rotations_each_land_once(service: IdentityUnderTest) -> None:
    start = await service.identity.keys.maintain()

    rings = await asyncio.gather(*(service.identity.keys.rotate(immediate=True) for _ in range(4)))

    final = await service.identity.keys.maintain()
    assert final.version == start.version + 4
    published = {final.current.kid, *(key.kid for key in final.previous)}
    assert {ring.current.kid for ring in rings} <= published
    assert len(final.previous) == 4


async def test_private_keys_are_not_stored_in_clear(service: IdentityUnderTest) -> None:
    key = await service.identity.keys.signing_key()
    scalar = key.private_key.private_numbers().private_value.to_bytes(32, "big")

    documents = [doc async for doc in service.app.state.infra.db[KEYS].find({})]

    assert documents
    assert scalar not in repr(documents).encode()
    assert all(scalar not in bytes(doc["current"]["sealed"]) for doc in documents)


async def test_the_rotation_worker_stops_when_told(service: IdentityUnderTest) -> None:
    worker = KeyRotationWorker(service.identity.keys, interval_s=3600)
    task = asyncio.create_task(worker.run())

    worker.stop()

    await asyncio.wait_for(task, timeout=5)
