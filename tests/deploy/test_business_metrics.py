"""The services' business metrics: what they count and that no label can carry personal data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY
from vaxflow_certificate import metrics as certificate
from vaxflow_injection import metrics as injection
from vaxflow_registration import metrics as registration
from vaxflow_scheduling import metrics as scheduling

from vaxflow_events.certificate import CertificateLevel, RevocationReason
from vaxflow_events.common import ReactionSeverity

# Labels that name no person: codes, enums, site and lot ids.
ALLOWED_LABELS = {
    "product", "dose_kind", "rule", "outcome", "severity", "level", "reason", "result",
    "channel", "site_id", "lot_id", "method",
}  # fmt: skip


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_labels_are_codes_and_ids_only() -> None:
    for module in (certificate, injection, registration, scheduling):
        for metric in vars(module).values():
            names = getattr(metric, "_labelnames", None)
            if names is not None:
                assert set(names) <= ALLOWED_LABELS, (module.__name__, names)


def test_an_observation_is_counted_by_its_worst_reaction() -> None:
    assert injection.worst([]) == "none"
    assert injection.worst([ReactionSeverity.MILD, ReactionSeverity.SEVERE]) == "severe"
    assert injection.worst([ReactionSeverity.MODERATE, ReactionSeverity.MILD]) == "moderate"


def test_issuing_counts_the_level_and_observes_the_time_since_the_dose() -> None:
    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    issued = value("vaxflow_certificate_issued_total", level="booster")
    observed = value("vaxflow_certificate_dose_to_certificate_seconds_count")
    within_a_second = value("vaxflow_certificate_dose_to_certificate_seconds_bucket", le="1.0")
    certificate.issued(CertificateLevel.BOOSTER, dose_at=now - timedelta(seconds=0.8), now=now)
    certificate.issued(CertificateLevel.BOOSTER, now=now)  # a re-issue: no dose time
    assert value("vaxflow_certificate_issued_total", level="booster") == issued + 2
    assert value("vaxflow_certificate_dose_to_certificate_seconds_count") == observed + 1
    assert (
        value("vaxflow_certificate_dose_to_certificate_seconds_bucket", le="1.0")
        == within_a_second + 1
    )


def test_revocations_are_counted_by_reason() -> None:
    before = value("vaxflow_certificate_revoked_total", reason="dose_voided")
    certificate.revoked(RevocationReason.DOSE_VOIDED)
    assert value("vaxflow_certificate_revoked_total", reason="dose_voided") == before + 1
