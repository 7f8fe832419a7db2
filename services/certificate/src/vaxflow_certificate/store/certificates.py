"""The dose files (one document per dose, with its outbox), the certificate id index and the
revocation list.

The dose file is written in one single-document write together with its events. The id
index and the revocation entries are derived from it and written after it, idempotently;
the handler writes them again on redelivery, so a crash in between leaves nothing missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_certificate.domain.issuing import revocation_hash
from vaxflow_certificate.domain.records import (
    CertificateRecord,
    DoseFile,
    SiteOfDose,
    Status,
)
from vaxflow_events import CertificateLevel, RevocationReason
from vaxflow_servicekit.mongo import Document, insert_all_once, insert_once
from vaxflow_servicekit.outbox import new_document_with_events, with_events

DOSE_FILES = "dose_files"
CERTIFICATE_IDS = "certificate_ids"
REVOCATIONS = "revocations"


def _record_doc(r: CertificateRecord) -> Document:
    return {
        "certificate_id": str(r.certificate_id),
        "dose_id": str(r.dose_id),
        "citizen_id": str(r.citizen_id),
        "uvci": r.uvci,
        "level": r.level.value,
        "status": r.status.value,
        "hc1": r.hc1,
        "dcc_json": r.dcc_json,
        "issued_at": r.issued_at,
        "expires_at": r.expires_at,
        "kid": r.kid,
        "dose_number": r.dose_number,
        "series_doses": r.series_doses,
        "replaces": str(r.replaces) if r.replaces else None,
        "revoked_at": r.revoked_at,
        "revocation_reason": r.revocation_reason.value if r.revocation_reason else None,
    }


def _record(d: Document) -> CertificateRecord:
    reason = d.get("revocation_reason")
    return CertificateRecord(
        certificate_id=UUID(d["certificate_id"]),
        dose_id=UUID(d["dose_id"]),
        citizen_id=UUID(d["citizen_id"]),
        uvci=d["uvci"],
        level=CertificateLevel(d["level"]),
        status=Status(d["status"]),
        hc1=d["hc1"],
        dcc_json=d["dcc_json"],
        issued_at=d["issued_at"],
        expires_at=d["expires_at"],
        kid=d["kid"],
        dose_number=d["dose_number"],
        series_doses=d["series_doses"],
        replaces=UUID(d["replaces"]) if d.get("replaces") else None,
        revoked_at=d.get("revoked_at"),
        revocation_reason=RevocationReason(reason) if reason else None,
    )


def _file_doc(f: DoseFile) -> Document:
    return {
        "_id": str(f.dose_id),
        "citizen_id": str(f.citizen_id),
        "site_id": str(f.site.site_id),
        "site_district": f.site.district,
        "site_province": f.site.province,
        "current": _record_doc(f.current) if f.current else None,
        "has_current": f.current is not None,
        "revoked": [_record_doc(r) for r in f.revoked],
        "applied": list(f.applied),
        "revision": f.revision,
        "voided": f.voided,
    }


def _file(d: Document) -> DoseFile:
    return DoseFile(
        dose_id=UUID(d["_id"]),
        citizen_id=UUID(d["citizen_id"]),
        site=SiteOfDose(UUID(d["site_id"]), d.get("site_district"), d.get("site_province")),
        current=_record(d["current"]) if d.get("current") else None,
        revoked=tuple(_record(r) for r in d.get("revoked", ())),
        applied=tuple(d.get("applied", ())),
        revision=d.get("revision", 0),
        voided=d.get("voided", False),
    )


_PROJECTION = {"outbox": 0}


class MongoDoseFiles:
    """Dose files on `dose_files`, found by dose, certificate or citizen."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._files = db[DOSE_FILES]
        self._ids = db[CERTIFICATE_IDS]

    async def create(self, file: DoseFile, events: Sequence[Document], now: datetime) -> bool:
        """Store a new dose file with its events; False if the dose already has one."""
        return await insert_once(
            self._files, new_document_with_events(_file_doc(file), events, now)
        )

    async def create_all(
        self, files: Sequence[tuple[DoseFile, Sequence[Document]]], now: datetime
    ) -> list[bool]:
        """Store new dose files, each with its events, in one round trip; for each, whether it
        was stored (False: the dose already has a file)."""
        docs = [new_document_with_events(_file_doc(f), events, now) for f, events in files]
        return await insert_all_once(self._files, docs)

    async def replace(
        self, before: DoseFile, after: DoseFile, events: Sequence[Document], now: datetime
    ) -> bool:
        """Write `after` if the stored file is still `before`; False if someone changed it."""
        doc = _file_doc(after)
        doc.pop("_id")
        update = with_events({"$set": doc}, events, now)
        result = await self._files.update_one(
            {"_id": str(before.dose_id), "revision": before.revision}, update
        )
        return result.modified_count == 1

    async def get(self, dose_id: UUID) -> DoseFile | None:
        """The dose's file, if any."""
        doc = await self._files.find_one({"_id": str(dose_id)}, _PROJECTION)
        return _file(doc) if doc else None

    async def index(self, file: DoseFile) -> None:
        """Make every certificate of the file findable by its id (idempotent).

        Written before the file itself too, so a certificate is findable once it is visible:
        an entry whose file never got written leads nowhere, as `by_certificate` checks.
        """
        every = [*([file.current] if file.current else []), *file.revoked]
        for record in every:
            await insert_once(
                self._ids, {"_id": str(record.certificate_id), "dose_id": str(file.dose_id)}
            )

    async def index_all(self, files: Sequence[DoseFile]) -> None:
        """`index` for many files in one round trip."""
        await insert_all_once(
            self._ids,
            [
                {"_id": str(record.certificate_id), "dose_id": str(file.dose_id)}
                for file in files
                for record in (*([file.current] if file.current else []), *file.revoked)
            ],
        )

    async def by_certificate(self, certificate_id: UUID) -> DoseFile | None:
        """The file holding this certificate, current or revoked."""
        ref = await self._ids.find_one({"_id": str(certificate_id)})
        return await self.get(UUID(ref["dose_id"])) if ref else None

    async def current_of(
        self, citizen_ids: Sequence[UUID], *, after: str | None, limit: int
    ) -> list[DoseFile]:
        """Files with a current certificate of these citizens, by dose id, after a cursor.

        One equality query per citizen (an account holds a few): FerretDB uses the by_citizen
        index for an equality, not for `$in`, which scanned every file (seconds each, and
        timeouts under the campaign simulation's load).
        """
        files: list[DoseFile] = []
        for citizen_id in sorted({str(c) for c in citizen_ids}):
            query: Document = {"citizen_id": citizen_id, "has_current": True}
            if after is not None:
                query["_id"] = {"$gt": after}
            cursor = self._files.find(query, _PROJECTION).sort("_id", 1).limit(limit)
            files += [_file(d) async for d in cursor]
        return sorted(files, key=lambda f: str(f.dose_id))[:limit]


class MongoRevocations:
    """The revocation list: one entry per revoked certificate, keyed by its UVCI hash."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._entries = db[REVOCATIONS]

    async def record(self, revoked: Sequence[CertificateRecord]) -> None:
        """List these revoked certificates (idempotent)."""
        for r in revoked:
            await insert_once(
                self._entries,
                {
                    "_id": revocation_hash(r.uvci),
                    "certificate_id": str(r.certificate_id),
                    "kid": r.kid,
                    "revoked_at": r.revoked_at,
                    "reason": r.revocation_reason.value if r.revocation_reason else None,
                },
            )

    async def is_revoked(self, uvci: str) -> bool:
        """True when the certificate with this UVCI is on the list."""
        return await self._entries.find_one({"_id": revocation_hash(uvci)}, {"_id": 1}) is not None

    async def page(self, *, after: str | None, limit: int) -> list[Document]:
        """Entries in hash order after a cursor."""
        query: Document = {"_id": {"$gt": after}} if after is not None else {}
        cursor = self._entries.find(query).sort("_id", 1).limit(limit)
        return [d async for d in cursor]

    async def hashes(self) -> set[str]:
        """Every listed hash (for the verifier's offline check)."""
        return {d["_id"] async for d in self._entries.find({}, {"_id": 1})}


def revocation_entry(doc: Document) -> dict[str, Any]:
    """A stored revocation entry as the API shows it."""
    return {
        "hash": doc["_id"],
        "kid": doc["kid"],
        "revoked_at": doc["revoked_at"],
        "reason": doc.get("reason"),
    }
