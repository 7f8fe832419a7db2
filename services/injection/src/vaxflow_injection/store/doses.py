"""Dose records and observations, each document carrying its pending events.

A dose is inserted under its derived id (see domain.doses) together with DoseAdministered, so
concurrent recordings of the same dose leave one document. Corrections and voids are updates of
that document conditioned on its version and status, with their event in the same update.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from vaxflow_events import BodySite, Vaccination
from vaxflow_injection.domain.doses import PastDose
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import new_document_with_events, with_events

DOSES = "doses"
OBSERVATIONS = "observations"
STAFF_READS = "staff_reads"
ACTIVE = "active"
VOIDED = "voided"


@dataclass(frozen=True, slots=True)
class StoredDose:
    """A dose record as it stands: the current vaccination facts, its status and history."""

    dose_id: UUID
    citizen_id: UUID
    site_id: UUID
    position: int
    status: str
    version: int
    vaccination: Vaccination
    expiry_date: date
    body_site: BodySite
    administered_by: UUID
    appointment_id: UUID | None
    screening_id: UUID
    captured_offline: bool
    client_id: str | None
    recorded_at: datetime
    changes: tuple[Document, ...]
    void: Document | None

    @property
    def voided(self) -> bool:
        """True once the record was voided."""
        return self.status == VOIDED

    def past(self) -> PastDose:
        """The record as history for the next dose."""
        v = self.vaccination
        return PastDose(
            dose_id=self.dose_id,
            position=self.position,
            voided=self.voided,
            product_code=v.product_code,
            dose_number=v.dose_number,
            administered_at=v.administered_at,
            administered_on=v.administered_on,
            client_id=self.client_id,
        )


def vaccination_document(vaccination: Vaccination) -> Document:
    """The stored form of the vaccination facts (JSON values, the instant as a datetime)."""
    return {**vaccination.model_dump(mode="json"), "administered_at": vaccination.administered_at}


def _vaccination(doc: Document) -> Vaccination:
    return Vaccination.model_validate_json(json.dumps(doc, default=_iso))


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _uuid_or_none(value: str | None) -> UUID | None:
    return UUID(value) if value else None


def stored_dose(doc: Document) -> StoredDose:
    """A dose document as a StoredDose."""
    return StoredDose(
        dose_id=UUID(doc["_id"]),
        citizen_id=UUID(doc["citizen_id"]),
        site_id=UUID(doc["site_id"]),
        position=doc["position"],
        status=doc["status"],
        version=doc["version"],
        vaccination=_vaccination(doc["vaccination"]),
        expiry_date=date.fromisoformat(doc["expiry_date"]),
        body_site=BodySite(doc["body_site"]),
        administered_by=UUID(doc["administered_by"]),
        appointment_id=_uuid_or_none(doc.get("appointment_id")),
        screening_id=UUID(doc["screening_id"]),
        captured_offline=doc["captured_offline"],
        client_id=doc.get("client_id"),
        recorded_at=doc["recorded_at"],
        changes=tuple(doc.get("changes") or ()),
        void=doc.get("void"),
    )


class MongoDoseStore:
    """The `doses` and `observations` collections and the staff-read audit log."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._doses = db[DOSES]
        self._observations = db[OBSERVATIONS]
        self._reads = db[STAFF_READS]

    async def add(self, document: Document, events: Sequence[Document], now: datetime) -> bool:
        """Insert the dose with DoseAdministered; False when its id is already recorded."""
        try:
            await self._doses.insert_one(new_document_with_events(document, events, now))
        except DuplicateKeyError:
            return False
        return True

    async def get(self, dose_id: UUID) -> StoredDose | None:
        """The dose record, if any."""
        doc = await self._doses.find_one({"_id": str(dose_id)}, {"outbox": 0})
        return stored_dose(doc) if doc else None

    async def of_citizen(self, citizen_id: UUID) -> list[StoredDose]:
        """Every record of the citizen, voided ones included, in the order given."""
        cursor = self._doses.find({"citizen_id": str(citizen_id)}, {"outbox": 0})
        docs = [stored_dose(d) async for d in cursor]
        return sorted(docs, key=lambda d: (d.vaccination.administered_at, d.position))

    async def change(
        self,
        dose: StoredDose,
        fields: Document,
        entry: Document,
        events: Sequence[Document],
        now: datetime,
    ) -> bool:
        """Apply a correction or void to the version read; False if it changed meanwhile.

        The change, its audit entry (who, when, why, before and after) and its event are one
        update of the dose document.
        """
        update = with_events(
            {"$set": {**fields, "version": dose.version + 1}, "$push": {"changes": entry}},
            events,
            now,
        )
        result = await self._doses.update_one(
            {"_id": str(dose.dose_id), "version": dose.version, "status": ACTIVE}, update
        )
        return result.modified_count == 1

    async def add_observation(
        self, document: Document, events: Sequence[Document], now: datetime
    ) -> bool:
        """Insert the observation with ObservationCompleted; False if the dose has one."""
        try:
            await self._observations.insert_one(new_document_with_events(document, events, now))
        except DuplicateKeyError:
            return False
        return True

    async def audit_read(self, record: Document, events: Sequence[Document], now: datetime) -> None:
        """Append a staff read of a citizen's doses to the audit log, with its event."""
        await self._reads.insert_one(new_document_with_events(record, events, now))
