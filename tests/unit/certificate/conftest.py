"""A development signing chain and a sample holder and dose, shared by the unit tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from vaxflow_certificate.domain.payload import Dose, Person
from vaxflow_certificate.domain.signers import Signer, development_chain

NOW = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
PERSON = Person(
    family_name="Nguyễn",
    given_name="Văn An",
    family_name_icao="NGUYEN",
    given_name_icao="VAN<AN",
    date_of_birth=date(1985, 3, 14),
)
DOSE = Dose(
    product="EU/1/20/1528",
    manufacturer="ORG-100030215",
    prophylaxis="1119349007",
    disease="840539006",
    dose_number=1,
    series_doses=2,
    administered_on=date(2026, 2, 28),
)


@pytest.fixture(scope="session")
def signer() -> Signer:
    """A DSC with the vaccination key usage, and its key."""
    chain = development_chain(datetime(2026, 1, 1, tzinfo=UTC))
    return Signer.from_pem(chain.dsc_pem, chain.dsc_key_pem)


@pytest.fixture(scope="session")
def other_signer() -> Signer:
    """Another DSC, not trusted by the tests' verifiers."""
    chain = development_chain(datetime(2026, 1, 1, tzinfo=UTC))
    return Signer.from_pem(chain.dsc_pem, chain.dsc_key_pem)
