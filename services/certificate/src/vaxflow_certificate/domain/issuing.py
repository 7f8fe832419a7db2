"""Issuing a certificate: the domestic level, the signed `HC1:` text, and its expiry.

Pure: the caller gives the certificate id, the signer and the clock.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from vaxflow_certificate.domain import codec, cose
from vaxflow_certificate.domain.payload import Dose, Person, cwt_payload, vaccination_dcc
from vaxflow_certificate.domain.signers import Signer
from vaxflow_certificate.domain.uvci import uvci_for
from vaxflow_events import CertificateLevel


def level_of(dose: Dose, *, booster: bool) -> CertificateLevel:
    """Partial until the product's primary series is done, complete then, booster after."""
    if booster or dose.dose_number > dose.series_doses:
        return CertificateLevel.BOOSTER
    if dose.dose_number == dose.series_doses:
        return CertificateLevel.COMPLETE
    return CertificateLevel.PARTIAL


def months_later(instant: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day when it is shorter)."""
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    for day in (instant.day, 30, 29, 28):
        try:
            return instant.replace(year=year, month=month, day=min(instant.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


@dataclass(frozen=True)
class IssuePolicy:
    """What every certificate of this issuer says: country, issuer name, validity."""

    country: str = "VN"
    issuer: str = "Ministry of Health of Viet Nam"
    validity_months: int = 12


@dataclass(frozen=True)
class Issued:
    """A signed certificate."""

    certificate_id: UUID
    uvci: str
    level: CertificateLevel
    hc1: str
    dcc: dict[str, Any]
    issued_at: datetime
    expires_at: datetime
    kid: bytes

    @property
    def kid_b64(self) -> str:
        """The signer's kid, base64."""
        return base64.b64encode(self.kid).decode("ascii")

    @property
    def dcc_json(self) -> str:
        """The DCC payload as JSON text."""
        return json.dumps(self.dcc, ensure_ascii=False, separators=(",", ":"))


def issue(
    person: Person,
    dose: Dose,
    *,
    booster: bool,
    certificate_id: UUID,
    signer: Signer,
    now: datetime,
    policy: IssuePolicy,
) -> Issued:
    """Build, sign and encode the certificate of one dose; PayloadError if it cannot be valid."""
    uvci = uvci_for(certificate_id, policy.country)
    dcc = vaccination_dcc(person, dose, uvci=uvci, country=policy.country, issuer=policy.issuer)
    issued_at = now.replace(microsecond=0)
    expires_at = months_later(issued_at, policy.validity_months)
    claims = cwt_payload(
        dcc, issuer_country=policy.country, issued_at=issued_at, expires_at=expires_at
    )
    kid = signer.trusted.kid
    hc1 = codec.encode(cose.sign1(claims, signer.private_key, kid))
    level = level_of(dose, booster=booster)
    return Issued(certificate_id, uvci, level, hc1, dcc, issued_at, expires_at, kid)


def revocation_hash(uvci: str) -> str:
    """The EU revocation scheme's UCI hash: SHA-256 of the UVCI, first 128 bits, base64."""
    return base64.b64encode(hashlib.sha256(uvci.encode("utf-8")).digest()[:16]).decode("ascii")
