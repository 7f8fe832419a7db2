"""The DCC payload (schema 1.3.0) of a vaccination, its CWT claims, and schema validation."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import cbor2

from vaxflow_certificate.domain.schema import compile_schema
from vaxflow_certificate.domain.valuesets import ValueSets

SCHEMA_VERSION = "1.3.0"
SCHEMA_VERSIONS = ("1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.2.1", "1.3.0", "1.3.1", "1.3.2", "1.3.3")
CLAIM_ISSUER, CLAIM_EXPIRY, CLAIM_ISSUED_AT, CLAIM_HCERT = 1, 4, 6, -260
HCERT_DCC = 1


class PayloadError(ValueError):
    """The facts cannot make a valid DCC; `problems` name the DCC fields and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Person:
    """The holder as the certificate names them."""

    family_name: str
    given_name: str | None
    family_name_icao: str
    given_name_icao: str | None
    date_of_birth: date


@dataclass(frozen=True)
class Dose:
    """The vaccination facts the `v` entry states."""

    product: str
    manufacturer: str
    prophylaxis: str
    disease: str
    dose_number: int
    series_doses: int
    administered_on: date


def vaccination_dcc(
    person: Person, dose: Dose, *, uvci: str, country: str, issuer: str
) -> dict[str, Any]:
    """The DCC JSON of one vaccination; PayloadError if a code or the schema refuses it."""
    unknown = ValueSets.bundled().unknown_codes(
        product=dose.product,
        manufacturer=dose.manufacturer,
        prophylaxis=dose.prophylaxis,
        disease=dose.disease,
        country=country,
    )
    if unknown:
        raise PayloadError([f"{name}: not in the DCC value set" for name in unknown])
    dcc: dict[str, Any] = {
        "ver": SCHEMA_VERSION,
        "nam": _names(person),
        "dob": person.date_of_birth.isoformat(),
    }
    dcc["v"] = [_entry(dose, uvci=uvci, country=country, issuer=issuer)]
    problems = schema_errors(dcc, SCHEMA_VERSION)
    if problems:
        raise PayloadError(problems)
    return dcc


def _names(person: Person) -> dict[str, str]:
    names = {"fn": person.family_name, "fnt": person.family_name_icao}
    if person.given_name is not None and person.given_name_icao is not None:
        names |= {"gn": person.given_name, "gnt": person.given_name_icao}
    return names


def _entry(dose: Dose, *, uvci: str, country: str, issuer: str) -> dict[str, Any]:
    return {
        "tg": dose.disease,
        "vp": dose.prophylaxis,
        "mp": dose.product,
        "ma": dose.manufacturer,
        "dn": dose.dose_number,
        "sd": dose.series_doses,
        "dt": dose.administered_on.isoformat(),
        "co": country,
        "is": issuer,
        "ci": uvci,
    }


def cwt_payload(
    dcc: Mapping[str, Any], *, issuer_country: str, issued_at: datetime, expires_at: datetime
) -> bytes:
    """The CWT claims (iss, iat, exp, hcert) in CBOR: what the COSE message signs."""
    claims = {
        CLAIM_ISSUER: issuer_country,
        CLAIM_ISSUED_AT: int(issued_at.timestamp()),
        CLAIM_EXPIRY: int(expires_at.timestamp()),
        CLAIM_HCERT: {HCERT_DCC: dict(dcc)},
    }
    return cbor2.dumps(claims)


def schema_document(version: str) -> dict[str, Any]:
    """The published JSON schema of a DCC version."""
    source = resources.files("vaxflow_certificate.data").joinpath("schemas", f"{version}.json")
    document: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return document


@cache
def _validator(version: str, formats: bool) -> Callable[[Any], list[str]]:
    return compile_schema(schema_document(version), formats=formats)


def schema_errors(
    dcc: Mapping[str, Any], version: str = SCHEMA_VERSION, *, formats: bool = True
) -> list[str]:
    """Where the DCC breaks the JSON schema of `version` (empty when it validates).

    With `formats` false, `format` stays an annotation, as JSON Schema 2020-12 has it by
    default: the verifier's choice for other issuers' certificates, whose date-times vary.
    """
    # Each problem names the place and the rule, never the value (a name, a birth date).
    return _validator(version, formats)(dcc)
