"""Injection's business metrics. Labels: product codes and enums only, never personal data."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter

from vaxflow_events.common import ReactionSeverity

DOSES_RECORDED = Counter(
    "vaxflow_injection_doses_recorded_total",
    "Doses recorded (new records only), by product and dose kind.",
    ["product", "dose_kind"],
)
DOSE_REFUSALS = Counter(
    "vaxflow_injection_dose_refusals_total",
    "Dose records refused, by the first rule broken.",
    ["rule"],
)
SCREENINGS = Counter(
    "vaxflow_injection_screenings_total", "Screenings recorded, by outcome.", ["outcome"]
)
OBSERVATIONS = Counter(
    "vaxflow_injection_observations_total",
    "Post-vaccination observations recorded, by the most severe reaction (none: no reaction).",
    ["severity"],
)
_ORDER = (ReactionSeverity.MILD, ReactionSeverity.MODERATE, ReactionSeverity.SEVERE)


def worst(severities: Iterable[ReactionSeverity]) -> str:
    """The most severe of the reactions' severities, or "none"."""
    seen = set(severities)
    return next((s.value for s in reversed(_ORDER) if s in seen), "none")
