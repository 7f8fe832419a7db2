"""Domain records as HTTP schemas."""

from __future__ import annotations

import base64

from vaxflow_certificate.domain.records import CertificateRecord
from vaxflow_certificate.domain.signers import TrustedSigner
from vaxflow_certificate.domain.verifier import Outcome, as_json
from vaxflow_certificate.schemas import (
    CertificateRead,
    RevocationEntry,
    TrustedSignerRead,
    VerifiedCertificate,
    VerifyResult,
)
from vaxflow_servicekit.mongo import Document


def certificate_read(r: CertificateRecord) -> CertificateRead:
    """A certificate as the API shows it."""
    return CertificateRead(
        id=r.certificate_id,
        uvci=r.uvci,
        level=r.level,
        status=r.status,
        hc1=r.hc1,
        issued_at=r.issued_at,
        expires_at=r.expires_at,
        dose_id=r.dose_id,
        citizen_id=r.citizen_id,
        dose_number=r.dose_number,
        series_doses=r.series_doses,
        signer_kid=r.kid,
        replaces=r.replaces,
        revoked_at=r.revoked_at,
        revocation_reason=r.revocation_reason,
    )


def signer_read(s: TrustedSigner) -> TrustedSignerRead:
    """A DSC of the trust list."""
    return TrustedSignerRead(
        kid=s.kid_b64,
        country=s.country,
        not_before=s.not_before,
        not_after=s.not_after,
        certificate=base64.b64encode(s.der).decode("ascii"),
    )


def revocation_read(doc: Document) -> RevocationEntry:
    """A stored revocation entry."""
    return RevocationEntry(
        hash=doc["_id"], kid=doc["kid"], revoked_at=doc["revoked_at"], reason=doc.get("reason")
    )


def verify_result(outcome: Outcome) -> VerifyResult:
    """The verdict of a verification."""
    v = outcome.verified
    certificate = None
    if v is not None:
        certificate = VerifiedCertificate(
            type=v.entry_type,
            issuer_country=v.issuer_country,
            issued_at=v.issued_at,
            expires_at=v.expires_at,
            signer_kid=v.signer.kid_b64,
            dcc=as_json(v.dcc),
        )
    return VerifyResult(
        valid=outcome.valid, reason=outcome.reason, detail=outcome.detail, certificate=certificate
    )
