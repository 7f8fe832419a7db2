"""Signing keys rotate without breaking tokens in flight, and are sealed at rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidTag
from vaxflow_identity.domain.keys import KeyRing, KeySealer, SigningKey

T0 = datetime(2026, 1, 1, tzinfo=UTC)
KEEP_S = 1000
AHEAD_S = 360
EVERY_S = 30 * 86400


def kids(ring: KeyRing, now: datetime) -> list[str]:
    return [jwk["kid"] for jwk in ring.published(now, KEEP_S)]


def test_a_new_ring_publishes_its_one_key() -> None:
    ring = KeyRing.first(SigningKey.generate(T0))

    assert kids(ring, T0) == [ring.current.kid]
    assert ring.published(T0, KEEP_S)[0]["alg"] == "ES256"
    assert "d" not in ring.published(T0, KEEP_S)[0]  # no private part


def test_rotation_is_due_only_when_the_current_key_is_old() -> None:
    ring = KeyRing.first(SigningKey.generate(T0))

    assert not ring.is_rotation_due(T0 + timedelta(days=29), EVERY_S)
    assert ring.is_rotation_due(T0 + timedelta(days=30), EVERY_S)


def test_a_staged_key_is_published_before_it_signs() -> None:
    ring = KeyRing.first(SigningKey.generate(T0))
    staged_at = T0 + timedelta(days=30)
    staged = ring.staged(SigningKey.generate(staged_at))
    assert staged.next is not None

    assert staged.current.kid == ring.current.kid
    assert kids(staged, staged_at) == [ring.current.kid, staged.next.kid]
    assert not staged.is_rotation_due(staged_at, EVERY_S)
    assert not staged.is_promotion_due(staged_at + timedelta(seconds=AHEAD_S - 1), AHEAD_S)
    assert staged.is_promotion_due(staged_at + timedelta(seconds=AHEAD_S), AHEAD_S)


def test_a_retired_key_stays_published_until_its_tokens_have_expired() -> None:
    old = SigningKey.generate(T0)
    staged = KeyRing.first(old).staged(SigningKey.generate(T0))
    promoted_at = T0 + timedelta(seconds=AHEAD_S)

    promoted = staged.promoted(promoted_at, KEEP_S)

    assert promoted.current.kid != old.kid
    assert old.kid in kids(promoted, promoted_at + timedelta(seconds=KEEP_S - 1))
    assert old.kid not in kids(promoted, promoted_at + timedelta(seconds=KEEP_S))


def test_every_change_of_the_ring_has_a_new_version() -> None:
    ring = KeyRing.first(SigningKey.generate(T0))
    staged = ring.staged(SigningKey.generate(T0))

    assert ring.version < staged.version < staged.promoted(T0, KEEP_S).version


def test_a_sealed_key_opens_to_the_same_key() -> None:
    key = SigningKey.generate(T0)
    sealer = KeySealer("secret")

    opened = sealer.unseal(key.kid, sealer.seal(key), key.created_at)

    assert opened.jwk == key.jwk


def test_a_sealed_key_does_not_contain_the_private_key_in_clear() -> None:
    key = SigningKey.generate(T0)
    scalar = key.private_key.private_numbers().private_value.to_bytes(32, "big")

    assert scalar not in KeySealer("secret").seal(key)


def test_a_sealed_key_does_not_open_under_another_secret_or_kid() -> None:
    key = SigningKey.generate(T0)
    sealed = KeySealer("secret").seal(key)

    with pytest.raises(InvalidTag):
        KeySealer("another").unseal(key.kid, sealed, T0)
    with pytest.raises(InvalidTag):
        KeySealer("secret").unseal("another-kid", sealed, T0)
