"""Re-encryption of national IDs after a key rotation: every ciphertext under the current key.

Idempotent and resumable: it works from what the database holds (ciphertexts still naming an
old key), rewrites each only if it has not changed since it was read, and can be stopped and
started again at any point. A ciphertext of an old key that is not configured is left alone
and counted, so the job never loses a number it cannot open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vaxflow_registration.protection import NationalIdProtector, UnreadableCiphertext
from vaxflow_registration.store.citizens import MongoSealedIds


@dataclass(frozen=True)
class ResealProgress:
    """Where the job stands for one old key."""

    key_id: str
    resealed: int
    unreadable: int
    remaining: int


async def reseal_national_ids(
    protector: NationalIdProtector,
    sealed: MongoSealedIds,
    *,
    batch_size: int = 500,
    report: Callable[[ResealProgress], None] = lambda _: None,
) -> list[ResealProgress]:
    """Rewrite the ciphertexts of every configured old key under the current key."""
    return [
        await _reseal_key(protector, sealed, key_id, batch_size, report)
        for key_id in protector.old_key_ids
    ]


async def _reseal_key(
    protector: NationalIdProtector,
    sealed: MongoSealedIds,
    key_id: str,
    batch_size: int,
    report: Callable[[ResealProgress], None],
) -> ResealProgress:
    resealed = 0
    skipped: set[str] = set()
    while True:
        batch = [
            row
            for row in await sealed.sealed_with(key_id, batch_size + len(skipped))
            if str(row[0]) not in skipped
        ]
        if not batch:
            break
        for citizen_id, token in batch:
            try:
                new = protector.reseal(token, citizen_id)
            except UnreadableCiphertext:
                skipped.add(str(citizen_id))
                continue
            resealed += await sealed.replace_sealed(citizen_id, token, new)
        remaining = await sealed.count_sealed_with(key_id) - len(skipped)
        report(ResealProgress(key_id, resealed, len(skipped), remaining))
    return ResealProgress(key_id, resealed, len(skipped), 0)
