"""Certificate's business metrics. Labels: levels, reasons and results only, no personal data."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter, Histogram

from vaxflow_events.certificate import CertificateLevel, RevocationReason

ISSUED = Counter(
    "vaxflow_certificate_issued_total", "Certificates issued (and re-issued), by level.", ["level"]
)
REVOKED = Counter(
    "vaxflow_certificate_revoked_total", "Certificates revoked, by reason.", ["reason"]
)
DOSE_TO_CERTIFICATE = Histogram(
    "vaxflow_certificate_dose_to_certificate_seconds",
    "From the DoseAdministered event's occurred_at to the certificate's issue.",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 3600.0),
)
VERIFICATIONS = Counter(
    "vaxflow_certificate_verifications_total",
    "Certificates presented for verification, by result (valid, or the rejection reason).",
    ["result"],
)


def issued(level: CertificateLevel, *, dose_at: datetime | None = None, now: datetime) -> None:
    """Count a certificate issued; with the dose's event time, observe the delay."""
    ISSUED.labels(level=level.value).inc()
    if dose_at is not None:
        DOSE_TO_CERTIFICATE.observe(max(0.0, (now - dose_at).total_seconds()))


def revoked(reason: RevocationReason) -> None:
    """Count a certificate revoked."""
    REVOKED.labels(reason=reason.value).inc()
