"""National ID protection: a deterministic blind index and ciphertexts bound to the citizen."""

from __future__ import annotations

import uuid

import pytest
from pydantic import SecretStr, ValidationError
from vaxflow_registration.domain.citizen import NationalId
from vaxflow_registration.domain.national_id import IdType
from vaxflow_registration.protection import NationalIdProtector, UnreadableCiphertext
from vaxflow_registration.settings import RegistrationSettings

CCCD = NationalId(IdType.CCCD, "079090001234", None)


def protector(index_key: str = "i" * 32, encryption_key: str = "e" * 32) -> NationalIdProtector:
    return NationalIdProtector(index_key.encode(), encryption_key.encode(), "k1")


def test_the_blind_index_is_the_same_for_the_same_document_and_key() -> None:
    assert protector().blind_index(CCCD) == protector().blind_index(CCCD)
    assert len(protector().blind_index(CCCD)) == 64


def test_the_blind_index_differs_by_key_number_type_and_country() -> None:
    index = protector().blind_index(CCCD)
    others = [
        protector(index_key="j" * 32).blind_index(CCCD),
        protector().blind_index(NationalId(IdType.CCCD, "079090001235", None)),
        protector().blind_index(NationalId(IdType.PASSPORT, "079090001234", "KOR")),
        protector().blind_index(NationalId(IdType.PASSPORT, "079090001234", "JPN")),
    ]
    assert index not in others
    assert len(set(others)) == len(others)
    assert "079090001234" not in index


def test_a_sealed_number_opens_only_for_its_citizen_and_key() -> None:
    citizen, other = uuid.uuid4(), uuid.uuid4()
    sealed = protector().seal("079090001234", citizen)

    assert sealed.startswith("k1:")
    assert "079090001234" not in sealed
    assert protector().open(sealed, citizen) == "079090001234"
    assert protector().seal("079090001234", citizen) != sealed  # a fresh nonce each time
    with pytest.raises(UnreadableCiphertext):
        protector().open(sealed, other)
    with pytest.raises(UnreadableCiphertext):
        protector(encryption_key="f" * 32).open(sealed, citizen)


def test_production_refuses_the_development_keys() -> None:
    with pytest.raises(ValidationError, match="national ID keys"):
        RegistrationSettings(environment="production", secret_key=SecretStr("s" * 40))
    RegistrationSettings(
        environment="production",
        secret_key=SecretStr("s" * 40),
        national_id_index_key=SecretStr("a" * 40),
        national_id_encryption_key=SecretStr("b" * 40),
    )
