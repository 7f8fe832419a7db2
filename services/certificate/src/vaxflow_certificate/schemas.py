"""HTTP schemas of the certificate API (never reused as events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from vaxflow_certificate.domain.records import Status
from vaxflow_certificate.domain.verifier import Reason
from vaxflow_events import CertificateLevel, RevocationReason

_READ = ConfigDict(frozen=True)


class CertificateRead(BaseModel):
    """A certificate: what it certifies, its status and the text its QR code holds."""

    model_config = _READ

    id: UUID = Field(description="Id of the certificate.")
    uvci: str = Field(description="Unique vaccination certificate identifier (DCC `ci`).")
    level: CertificateLevel = Field(description="Partial, complete primary series, or booster.")
    status: Status = Field(description="`valid`, or `revoked` after a correction or a void.")
    hc1: str = Field(description="The `HC1:` text the QR code holds.")
    issued_at: datetime = Field(description="Issued-at time signed into the certificate.")
    expires_at: datetime = Field(description="Expiry signed into the certificate.")
    dose_id: UUID = Field(description="The dose the certificate is for.")
    citizen_id: UUID = Field(description="The certificate holder.")
    dose_number: int = Field(description="Dose number certified (DCC `dn`).")
    series_doses: int = Field(description="Doses in the primary series (DCC `sd`).")
    signer_kid: str = Field(description="Key id of the signing certificate, base64.")
    replaces: UUID | None = Field(description="The certificate this one replaced, if any.")
    revoked_at: datetime | None = Field(description="When it was revoked, if it was.")
    revocation_reason: RevocationReason | None = Field(description="Why it was revoked.")


class CertificatePage(BaseModel):
    """A page of certificates."""

    model_config = _READ

    items: list[CertificateRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class TrustedSignerRead(BaseModel):
    """A document signer certificate (DSC) in use."""

    model_config = _READ

    kid: str = Field(description="Key id: first 8 bytes of the SHA-256 of the DER, base64.")
    country: str | None = Field(description="Country of the signer (certificate subject C).")
    not_before: datetime
    not_after: datetime
    certificate: str = Field(description="The certificate, base64 DER.")


class TrustList(BaseModel):
    """Every DSC that signed certificates still in use."""

    model_config = _READ

    items: list[TrustedSignerRead]
    generated_at: datetime


class RevocationEntry(BaseModel):
    """One revoked certificate, as the EU revocation scheme lists it (UCI hash type)."""

    model_config = _READ

    hash: str = Field(description="SHA-256 of the UVCI, first 128 bits, base64.")
    kid: str = Field(description="Key id of the DSC that signed the revoked certificate.")
    revoked_at: datetime
    reason: RevocationReason | None


class RevocationList(BaseModel):
    """A page of the revocation list and the time of the list."""

    model_config = _READ

    hash_type: str = Field(default="UCI", description="EU revocation hash type of `hash`.")
    generated_at: datetime
    items: list[RevocationEntry]
    next_cursor: str | None


class VerifyRequest(BaseModel):
    """A certificate presented for verification."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    qr: str = Field(min_length=1, max_length=8192, description="The `HC1:` text of the QR code.")


class VerifiedCertificate(BaseModel):
    """What a valid certificate certifies."""

    model_config = _READ

    type: str = Field(description="`v` vaccination, `t` test or `r` recovery.")
    issuer_country: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    signer_kid: str
    dcc: dict[str, Any] = Field(description="The DCC payload (names, birth date, the entry).")


class VerifyResult(BaseModel):
    """Whether a certificate is valid, why not, and what it certifies."""

    model_config = _READ

    valid: bool
    reason: Reason | None = Field(description="Why it is not valid (null when valid).")
    detail: str | None = Field(description="The reason in words.")
    certificate: VerifiedCertificate | None = Field(description="Null when not valid.")
