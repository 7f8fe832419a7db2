"""Registration's business metrics. Labels: the registration channel only, no personal data."""

from __future__ import annotations

from prometheus_client import Counter

CITIZENS_REGISTERED = Counter(
    "vaxflow_registration_citizens_registered_total",
    "Citizens registered, by channel (self_service, family_member, bulk_import).",
    ["channel"],
)
