"""Monitoring's business metrics. Labels carry codes only, never personal data."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

AEFI_REPORTS = Counter(
    "vaxflow_monitoring_aefi_reports_total",
    "AEFI cases opened, by source (site_observation, citizen_report, staff_report) and "
    "seriousness.",
    ["source", "serious"],
)
LOT_SIGNALS = Counter(
    "vaxflow_monitoring_lot_signals_total", "Lot signals raised, by rule crossed.", ["rule"]
)
LOTS_SUSPENDED = Gauge("vaxflow_monitoring_lots_suspended", "Lots suspended now.")
AEFI_OPEN_CASES = Gauge(
    "vaxflow_monitoring_aefi_open_cases", "AEFI cases reported, under investigation or classified."
)


def case_opened(source: str, serious: bool) -> None:
    """Count an AEFI case opened."""
    AEFI_REPORTS.labels(source=source, serious=str(serious).lower()).inc()


def signal_raised(rule: str) -> None:
    """Count a lot signal raised."""
    LOT_SIGNALS.labels(rule=rule).inc()
