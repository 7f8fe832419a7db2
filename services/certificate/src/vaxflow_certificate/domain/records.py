"""A dose's certificates: exactly one current certificate per dose, and those it replaced.

The dose file is the aggregate: one document per dose (its id is the dose id), so issuing
twice for one dose is impossible, and a correction replaces the current certificate and
revokes the old one in a single write. `applied` remembers the events already applied.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from vaxflow_certificate.domain.issuing import Issued
from vaxflow_events import CertificateLevel, RevocationReason


class Status(StrEnum):
    """Whether a certificate still stands."""

    VALID = "valid"
    REVOKED = "revoked"


@dataclass(frozen=True)
class CertificateRecord:
    """One issued certificate as the service keeps it."""

    certificate_id: UUID
    dose_id: UUID
    citizen_id: UUID
    uvci: str
    level: CertificateLevel
    status: Status
    hc1: str
    dcc_json: str
    issued_at: datetime
    expires_at: datetime
    kid: str
    dose_number: int
    series_doses: int
    replaces: UUID | None = None
    revoked_at: datetime | None = None
    revocation_reason: RevocationReason | None = None

    @classmethod
    def of(
        cls, issued: Issued, *, dose_id: UUID, citizen_id: UUID, replaces: UUID | None = None
    ) -> CertificateRecord:
        """The record of a freshly issued certificate."""
        entry = issued.dcc["v"][0]
        return cls(
            certificate_id=issued.certificate_id,
            dose_id=dose_id,
            citizen_id=citizen_id,
            uvci=issued.uvci,
            level=issued.level,
            status=Status.VALID,
            hc1=issued.hc1,
            dcc_json=issued.dcc_json,
            issued_at=issued.issued_at,
            expires_at=issued.expires_at,
            kid=issued.kid_b64,
            dose_number=entry["dn"],
            series_doses=entry["sd"],
            replaces=replaces,
        )

    def revoked(self, at: datetime, reason: RevocationReason) -> CertificateRecord:
        """This certificate, revoked."""
        return replace(self, status=Status.REVOKED, revoked_at=at, revocation_reason=reason)


@dataclass(frozen=True)
class SiteOfDose:
    """Where the dose was given, for the staff scope check."""

    site_id: UUID
    district: str | None
    province: str | None


@dataclass(frozen=True)
class DoseFile:
    """The certificates of one dose; `current` is None once the dose was voided."""

    dose_id: UUID
    citizen_id: UUID
    site: SiteOfDose
    current: CertificateRecord | None
    revoked: tuple[CertificateRecord, ...] = ()
    applied: tuple[str, ...] = ()
    revision: int = 0
    voided: bool = False

    def has_applied(self, event_id: str) -> bool:
        """True when this event already had its effect."""
        return event_id in self.applied

    def replaced_by(
        self,
        new: CertificateRecord | None,
        *,
        at: datetime,
        reason: RevocationReason,
        event_id: str,
    ) -> DoseFile:
        """The file after the current certificate is revoked and `new` (if any) takes its place."""
        revoked = self.revoked
        if self.current is not None:
            revoked = (*revoked, self.current.revoked(at, reason))
        return replace(
            self,
            current=new,
            revoked=revoked,
            applied=(*self.applied, event_id),
            revision=self.revision + 1,
            voided=self.voided or new is None,
        )

    @property
    def last_revoked(self) -> CertificateRecord | None:
        """The certificate most recently revoked, if any."""
        return self.revoked[-1] if self.revoked else None

    def certificate(self, certificate_id: UUID) -> CertificateRecord | None:
        """The current or a revoked certificate of this dose, by id."""
        every = (*((self.current,) if self.current else ()), *self.revoked)
        return next((r for r in every if r.certificate_id == certificate_id), None)
