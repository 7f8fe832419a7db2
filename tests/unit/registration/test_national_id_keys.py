"""National-ID key rotation: old keys open what they sealed, the job re-encrypts under the new."""

from __future__ import annotations

import uuid
from uuid import UUID

import pytest
from pydantic import SecretStr, ValidationError
from vaxflow_registration.handlers.keys import ResealProgress, reseal_national_ids
from vaxflow_registration.protection import NationalIdProtector, UnreadableCiphertext
from vaxflow_registration.settings import RegistrationSettings

NUMBER = "079090001234"
OLD, NEW = b"o" * 32, b"n" * 32


def old_protector() -> NationalIdProtector:
    return NationalIdProtector(b"i" * 32, OLD, "k1")


def rotated() -> NationalIdProtector:
    return NationalIdProtector(b"i" * 32, NEW, "k2", {"k1": OLD})


class InMemorySealedIds:
    """The job's port over a dictionary: citizen id to ciphertext."""

    def __init__(self, rows: dict[UUID, str]) -> None:
        self.rows = rows
        self.writes = 0

    async def count_sealed_with(self, key_id: str) -> int:
        return sum(token.startswith(f"{key_id}:") for token in self.rows.values())

    async def sealed_with(self, key_id: str, limit: int) -> list[tuple[UUID, str]]:
        found = [(cid, t) for cid, t in self.rows.items() if t.startswith(f"{key_id}:")]
        return found[:limit]

    async def replace_sealed(self, citizen_id: UUID, old: str, new: str) -> bool:
        if self.rows.get(citizen_id) != old:
            return False
        self.rows[citizen_id] = new
        self.writes += 1
        return True


def test_after_a_rotation_old_ciphertexts_still_open_and_new_ones_use_the_new_key() -> None:
    citizen = uuid.uuid4()
    sealed_before = old_protector().seal(NUMBER, citizen)

    protector = rotated()
    sealed_after = protector.seal(NUMBER, citizen)

    assert protector.open(sealed_before, citizen) == NUMBER
    assert sealed_after.startswith("k2:")
    assert protector.open(sealed_after, citizen) == NUMBER
    assert protector.old_key_ids == ("k1",)


def test_a_ciphertext_of_a_key_no_longer_configured_does_not_open() -> None:
    citizen = uuid.uuid4()
    sealed = old_protector().seal(NUMBER, citizen)
    without_old = NationalIdProtector(b"i" * 32, NEW, "k2")

    with pytest.raises(UnreadableCiphertext):
        without_old.open(sealed, citizen)


def test_an_old_key_under_a_wrong_id_does_not_open_the_ciphertext() -> None:
    citizen = uuid.uuid4()
    sealed = old_protector().seal(NUMBER, citizen)
    misnamed = NationalIdProtector(b"i" * 32, NEW, "k2", {"k1": b"x" * 32})

    with pytest.raises(UnreadableCiphertext):
        misnamed.open(sealed, citizen)


def test_resealing_moves_a_ciphertext_to_the_current_key_bound_to_the_same_citizen() -> None:
    citizen = uuid.uuid4()
    protector = rotated()

    resealed = protector.reseal(old_protector().seal(NUMBER, citizen), citizen)

    assert protector.is_current(resealed)
    assert NationalIdProtector(b"i" * 32, NEW, "k2").open(resealed, citizen) == NUMBER
    assert protector.reseal(resealed, citizen) == resealed
    with pytest.raises(UnreadableCiphertext):
        protector.open(resealed, uuid.uuid4())


async def test_the_job_reseals_everything_reports_progress_and_a_second_run_changes_nothing() -> (
    None
):
    citizens = [uuid.uuid4() for _ in range(7)]
    store = InMemorySealedIds({c: old_protector().seal(NUMBER, c) for c in citizens})
    progress: list[ResealProgress] = []

    done = await reseal_national_ids(rotated(), store, batch_size=3, report=progress.append)

    assert [(d.key_id, d.resealed, d.unreadable) for d in done] == [("k1", 7, 0)]
    assert all(t.startswith("k2:") for t in store.rows.values())
    assert all(rotated().open(store.rows[c], c) == NUMBER for c in citizens)
    assert [p.remaining for p in progress] == [4, 1, 0]
    writes = store.writes
    again = await reseal_national_ids(rotated(), store, batch_size=3)
    assert [d.resealed for d in again] == [0]
    assert store.writes == writes


async def test_a_stopped_job_resumes_where_the_database_stands() -> None:
    citizens = [uuid.uuid4() for _ in range(5)]
    store = InMemorySealedIds({c: old_protector().seal(NUMBER, c) for c in citizens})
    halfway = dict(list(store.rows.items())[:2])
    for citizen, token in halfway.items():
        store.rows[citizen] = rotated().reseal(token, citizen)

    done = await reseal_national_ids(rotated(), store, batch_size=2)

    assert done[0].resealed == 3
    assert all(rotated().open(store.rows[c], c) == NUMBER for c in citizens)


async def test_a_ciphertext_that_does_not_open_is_left_as_it_is_and_counted() -> None:
    good, tampered = uuid.uuid4(), uuid.uuid4()
    broken = old_protector().seal(NUMBER, uuid.uuid4())  # bound to another citizen
    store = InMemorySealedIds({good: old_protector().seal(NUMBER, good), tampered: broken})

    done = await reseal_national_ids(rotated(), store, batch_size=10)

    assert (done[0].resealed, done[0].unreadable) == (1, 1)
    assert store.rows[tampered] == broken
    assert store.rows[good].startswith("k2:")


def test_old_keys_come_from_configuration_as_a_json_map(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAXFLOW_REGISTRATION_NATIONAL_ID_OLD_KEYS", '{"k1": "' + "o" * 32 + '"}')
    monkeypatch.setenv("VAXFLOW_REGISTRATION_NATIONAL_ID_ENCRYPTION_KEY", "n" * 32)
    monkeypatch.setenv("VAXFLOW_REGISTRATION_NATIONAL_ID_KEY_ID", "k2")
    citizen = uuid.uuid4()

    protector = NationalIdProtector.from_settings(RegistrationSettings())

    assert protector.open(old_protector().seal(NUMBER, citizen), citizen) == NUMBER


@pytest.mark.parametrize(
    ("old_keys", "message"),
    [
        ({"k1": SecretStr("o" * 32)}, "must not hold the current"),
        ({"K-1": SecretStr("o" * 32)}, "key id 'K-1' is not"),
    ],
)
def test_badly_named_old_keys_are_refused(old_keys: dict[str, SecretStr], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RegistrationSettings(national_id_key_id="k1", national_id_old_keys=old_keys)


def test_production_refuses_a_development_or_short_old_key() -> None:
    real = {
        "environment": "production",
        "secret_key": SecretStr("s" * 40),
        "national_id_index_key": SecretStr("i" * 32),
        "national_id_encryption_key": SecretStr("n" * 32),
        "national_id_key_id": "k2",
    }
    RegistrationSettings(**real, national_id_old_keys={"k1": SecretStr("o" * 32)})
    for weak in ("development-national-id-aes-key-0001", "short"):
        with pytest.raises(ValidationError, match="national ID keys"):
            RegistrationSettings(**real, national_id_old_keys={"k1": SecretStr(weak)})
