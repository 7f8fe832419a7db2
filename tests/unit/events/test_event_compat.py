"""The schema comparison catches every kind of break and lets compatible changes through."""

from enum import StrEnum
from typing import Any
from uuid import UUID

import pytest
from pydantic import BaseModel, create_model

from vaxflow_events.compat import breaking_changes, contract_breaks


class Kind(StrEnum):
    PRIMARY = "primary"
    BOOSTER = "booster"


class KindWithAdditional(StrEnum):
    PRIMARY = "primary"
    BOOSTER = "booster"
    ADDITIONAL = "additional"


class KindWithoutBooster(StrEnum):
    PRIMARY = "primary"


class Lot(BaseModel):
    lot_id: UUID
    lot_number: str


class LotWithExpiry(BaseModel):
    lot_id: UUID
    lot_number: str
    expiry: str | None = None


class LotWithTextId(BaseModel):
    lot_id: str
    lot_number: str


PUBLISHED: dict[str, Any] = {
    "dose_id": (UUID, ...),
    "dose_number": (int, ...),
    "kind": (Kind, ...),
    "lot": (Lot, ...),
    "codes": (tuple[str, ...], ...),
    "appointment_id": (UUID | None, ...),
    "note": (str | None, None),
}


def schema(**changes: Any) -> dict[str, Any]:
    """The JSON Schema of the published model with some fields replaced, added or removed."""
    fields = {**PUBLISHED, **changes}
    fields = {name: spec for name, spec in fields.items() if spec is not None}
    return dict(create_model("DoseAdministered", **fields).model_json_schema())


def test_an_unchanged_schema_is_compatible() -> None:
    assert breaking_changes(schema(), schema()) == []


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"site_id": (UUID | None, None)}, id="optional field added"),
        pytest.param({"lot": (LotWithExpiry, ...)}, id="optional field added to a nested model"),
        pytest.param({"dose_number": (int, 1)}, id="default added to a field"),
    ],
)
def test_compatible_changes_pass(changes: dict[str, Any]) -> None:
    assert breaking_changes(schema(), schema(**changes)) == []


def test_description_and_title_changes_pass() -> None:
    current = schema()
    current["title"] = "Renamed"
    current["properties"]["dose_id"]["description"] = "Another description."

    assert breaking_changes(schema(), current) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"dose_number": None}, "dose_number: removed or renamed", id="removed"),
        pytest.param(
            {"dose_number": None, "dose_no": (int, ...)},
            "dose_number: removed or renamed",
            id="renamed",
        ),
        pytest.param(
            {"dose_number": (str, ...)},
            "dose_number: type changed from integer to string",
            id="retyped",
        ),
        pytest.param(
            {"dose_id": (str, ...)},
            "dose_id: type changed from string(uuid) to string",
            id="format changed",
        ),
        pytest.param(
            {"lot": (LotWithTextId, ...)},
            "lot.lot_id: type changed from string(uuid) to string",
            id="nested field retyped",
        ),
        pytest.param(
            {"codes": (tuple[int, ...], ...)},
            "codes[]: type changed from string to integer",
            id="array items retyped",
        ),
        pytest.param(
            {"dose_id": (UUID | None, ...)},
            "dose_id: type changed from string(uuid) to string(uuid) | null",
            id="made nullable",
        ),
        pytest.param(
            {"appointment_id": (int | None, ...)},
            "appointment_id: type changed from string(uuid) | null to integer | null",
            id="nullable field retyped",
        ),
        pytest.param(
            {"kind": (KindWithoutBooster, ...)},
            "kind: allowed values changed (removed ['booster'], added [])",
            id="enum value removed",
        ),
        pytest.param(
            {"kind": (KindWithAdditional, ...)},
            "kind: allowed values changed (removed [], added ['additional'])",
            id="enum value added",
        ),
        pytest.param(
            {"kind": (str, ...)}, "kind: type changed from string enum to string", id="enum to text"
        ),
        pytest.param(
            {"site_id": (UUID, ...)}, "site_id: new required field", id="new required field"
        ),
        pytest.param({"note": (str | None, ...)}, "note: became required", id="became required"),
    ],
)
def test_breaking_changes_are_caught(changes: dict[str, Any], expected: str) -> None:
    assert expected in breaking_changes(schema(), schema(**changes))


def test_every_break_is_reported_not_only_the_first() -> None:
    found = breaking_changes(schema(), schema(dose_id=None, dose_number=(str, ...)))

    assert len(found) == 2


BASE = schema()
BROKEN = schema(dose_number=(str, ...))


def test_contract_breaks_names_the_topic_and_event() -> None:
    assert contract_breaks(
        {"injection.dose.v1/DoseAdministered": BASE}, {"injection.dose.v1/DoseAdministered": BROKEN}
    ) == ["injection.dose.v1/DoseAdministered: dose_number: type changed from integer to string"]


def test_a_new_major_version_may_break_the_old_one() -> None:
    published = {"injection.dose.v1/DoseAdministered": BASE}
    current = {"injection.dose.v2/DoseAdministered": BROKEN}

    assert contract_breaks(published, current) == []


def test_an_older_major_does_not_excuse_a_break() -> None:
    published = {"injection.dose.v2/DoseAdministered": BASE}
    current = {"injection.dose.v1/DoseAdministered": BASE}

    assert contract_breaks(published, current) == [
        "injection.dose.v2/DoseAdministered: topic removed without a new major version"
    ]


def test_an_event_removed_from_its_topic_is_a_break() -> None:
    published = {"injection.dose.v1/DoseAdministered": BASE, "injection.dose.v1/DoseVoided": BASE}
    current = {"injection.dose.v1/DoseAdministered": BASE}

    assert contract_breaks(published, current) == [
        "injection.dose.v1/DoseVoided: event removed from its topic"
    ]


def test_new_events_and_topics_are_compatible() -> None:
    published = {"injection.dose.v1/DoseAdministered": BASE}
    current = {
        "injection.dose.v1/DoseAdministered": BASE,
        "injection.dose.v1/DoseDelayed": BASE,
        "injection.visit.v1/VisitEnded": BASE,
    }

    assert contract_breaks(published, current) == []
