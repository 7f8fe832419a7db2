"""Events of the certificate stream, produced by the certificate service; keyed by citizen."""

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from vaxflow_events.base import Event, UtcDatetime
from vaxflow_events.common import DoseNumber

# UVCI: `URN:UVCI:01:<country>:<id>#<checksum>`; the checksum alphabet includes `/` and `:`.
Uvci = Annotated[str, StringConstraints(pattern=r"^URN:UVCI:01:[A-Z]{2}:[A-Z0-9/]+#[A-Z0-9/:]$")]
Kid = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+/]+={0,2}$", max_length=64)]

_CITIZEN = "VaxFlow id of the certificate holder; the message key."
_UVCI = "Unique vaccination certificate identifier with its checksum (DCC `ci`)."


class CertificateLevel(StrEnum):
    """What the certificate attests, shown domestically as a colour."""

    PARTIAL = "partial"
    COMPLETE = "complete"
    BOOSTER = "booster"


class RevocationReason(StrEnum):
    """Why a certificate was revoked."""

    DOSE_CORRECTED = "dose_corrected"
    DOSE_VOIDED = "dose_voided"
    HOLDER_UPDATED = "holder_updated"
    SIGNER_KEY_COMPROMISED = "signer_key_compromised"


class CertificateIssued(Event):
    """A signed EU DCC-format certificate was issued for a dose; it holds no personal data."""

    certificate_id: UUID = Field(description="Id of the certificate.")
    uvci: Uvci = Field(description=_UVCI)
    citizen_id: UUID = Field(description=_CITIZEN)
    dose_id: UUID = Field(description="Dose the certificate attests.")
    level: CertificateLevel = Field(description="Partial, complete primary series, or booster.")
    dose_number: DoseNumber = Field(description="Dose number certified (DCC `dn`).")
    series_doses: DoseNumber = Field(description="Doses in the primary series (DCC `sd`).")
    issued_at: UtcDatetime = Field(description="Issued-at time signed into the certificate.")
    expires_at: UtcDatetime = Field(description="Expiry signed into the certificate.")
    signer_kid: Kid = Field(description="Key id of the document signer certificate, base64.")
    replaces_certificate_id: UUID | None = Field(
        description="Certificate this one replaces after a correction, or null for a first issue."
    )


class CertificateRevoked(Event):
    """A certificate was revoked; a replacement, if any, comes as CertificateIssued."""

    certificate_id: UUID = Field(description="Id of the revoked certificate.")
    uvci: Uvci = Field(description=_UVCI)
    citizen_id: UUID = Field(description=_CITIZEN)
    dose_id: UUID = Field(description="Dose the revoked certificate attested.")
    reason: RevocationReason = Field(description="Why the certificate was revoked.")
