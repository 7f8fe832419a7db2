"""No national ID, phone number or address line on any topic; names and birth dates only where
a certificate needs them (ARCHITECTURE.md sections 3 and 6)."""

import json
import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"
SCHEMA_FILES = sorted((DOCS / "schemas").glob("*/*.json"))

FORBIDDEN_WORDS = {
    "national",
    "cccd",
    "cmnd",
    "passport",
    "identification",
    "phone",
    "telephone",
    "mobile",
    "msisdn",
    "email",
    "address",
    "street",
    "insurance",
}
FORBIDDEN_PAIRS = {("id", "number"), ("id", "no"), ("identity", "number"), ("house", "number")}

# The holder snapshot travels from registration to injection on the citizen stream (injection
# has no other way to learn it) and from injection to certificates on the dose stream.
HOLDER_EVENTS = {"CitizenRegistered", "CitizenUpdated", "DoseAdministered", "DoseCorrected"}


def words(name: str) -> list[str]:
    """Split snake_case or camelCase into lower-case words."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [word for word in re.split(r"[_\W]+", spaced.lower()) if word]


def looks_like_pii(name: str) -> bool:
    """True for a field name that suggests a national ID, a phone number or an address line."""
    parts = [re.sub(r"\d+$", "", word) for word in words(name)]
    return bool(FORBIDDEN_WORDS & set(parts)) or any(
        pair in FORBIDDEN_PAIRS for pair in pairwise(parts)
    )


def names_a_person(name: str) -> bool:
    """True for a field holding a person's name or date of birth."""
    parts = words(name)
    return "name" in parts or "birth" in parts or "dob" in parts


def property_names(node: Any) -> Iterator[str]:
    """Every property name in a schema, at any depth, $defs included."""
    if isinstance(node, dict):
        yield from node.get("properties", {})
        for value in node.values():
            yield from property_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from property_names(value)


@pytest.mark.parametrize(
    "name",
    [
        "national_id",
        "nationalId",
        "id_number",
        "idNumber",
        "cccd",
        "cmnd_number",
        "passport_no",
        "phone",
        "phoneNumber",
        "mobile",
        "msisdn",
        "email",
        "address",
        "address_line1",
        "street",
        "street_name",
        "house_number",
        "health_insurance_number",
    ],
)
def test_the_detector_catches_personal_identifiers(name: str) -> None:
    assert looks_like_pii(name)


@pytest.mark.parametrize(
    "name",
    [
        "citizen_id",
        "lot_number",
        "dose_number",
        "queue_number",
        "ward_code",
        "residence",
        "event_id",
    ],
)
def test_the_detector_leaves_ordinary_fields_alone(name: str) -> None:
    assert not looks_like_pii(name)


def test_every_published_schema_is_scanned() -> None:
    assert len(SCHEMA_FILES) == 23


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda path: path.stem)
def test_no_event_carries_a_national_id_phone_or_address(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))

    assert [name for name in property_names(schema) if looks_like_pii(name)] == []


def test_only_the_holder_snapshot_events_name_a_person() -> None:
    naming = {
        path.stem
        for path in SCHEMA_FILES
        if any(
            names_a_person(name)
            for name in property_names(json.loads(path.read_text(encoding="utf-8")))
        )
    }

    assert naming == HOLDER_EVENTS
