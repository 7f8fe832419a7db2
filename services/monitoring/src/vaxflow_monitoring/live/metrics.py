"""Business metrics of the live picture. Labels: site ids, rule names, consumer groups only."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter, Gauge

from vaxflow_monitoring.live.rules import Condition
from vaxflow_monitoring.live.schemas import SummaryRead

SITE_WAITING = Gauge(
    "vaxflow_monitoring_site_waiting", "People checked in and not yet vaccinated.", ["site_id"]
)
SITE_LONGEST_WAIT = Gauge(
    "vaxflow_monitoring_site_longest_wait_seconds",
    "How long the longest-waiting person at the site has waited.",
    ["site_id"],
)
SITE_DAYS_OF_SUPPLY = Gauge(
    "vaxflow_monitoring_site_days_of_supply", "Doses on hand over doses per day.", ["site_id"]
)
DOSES_TODAY = Gauge("vaxflow_monitoring_doses_today", "Doses given today (local date).")
DOSES_TOTAL = Gauge("vaxflow_monitoring_doses_total", "Doses given since the campaign began.")
CERTIFICATES_TODAY = Gauge(
    "vaxflow_monitoring_certificates_today", "Certificates issued today (local date)."
)
OPEN_SIGNALS = Gauge("vaxflow_monitoring_lot_signals_open", "Lots with an open safety signal.")
ALERTS_OPEN = Gauge("vaxflow_monitoring_alerts_open", "Alerts whose condition holds.", ["rule"])
CONSUMER_LAG = Gauge(
    "vaxflow_monitoring_consumer_lag", "Messages a consumer group is behind.", ["group"]
)
DEAD_LETTERS = Gauge(
    "vaxflow_monitoring_dead_letters", "Messages on a dead-letter topic.", ["topic"]
)
EVENTS_FOLDED = Counter(
    "vaxflow_monitoring_live_events_total", "Events folded into the live aggregates.", ["kind"]
)
LIVE_WRITES = Counter(
    "vaxflow_monitoring_live_writes_total",
    "Database writes of the live picture's workers: aggregates (one per document and batch), "
    "recent_events (one per batch), prune, alerts (open, refresh, close).",
    ["kind"],
)
RULES = ("crowding", "stock_low", "lot_signal", "pipeline_lag", "dead_letters")


def observe(summary: SummaryRead, holding: Sequence[Condition]) -> None:
    """Set the gauges from a fresh summary and the conditions holding."""
    DOSES_TODAY.set(summary.doses.today)
    DOSES_TOTAL.set(summary.doses.total)
    CERTIFICATES_TODAY.set(summary.certificates.issued_today)
    OPEN_SIGNALS.set(len(summary.aefi.open_signals))
    for site in summary.sites:
        SITE_WAITING.labels(site.site_id).set(site.waiting)
        SITE_LONGEST_WAIT.labels(site.site_id).set(site.longest_wait_s)
        if site.days_of_supply is not None:
            SITE_DAYS_OF_SUPPLY.labels(site.site_id).set(site.days_of_supply)
    for rule in RULES:
        ALERTS_OPEN.labels(rule).set(sum(1 for c in holding if c.rule == rule))
    for group in summary.pipeline.consumer_lag:
        CONSUMER_LAG.labels(group.group).set(group.lag)
    for dlq in summary.pipeline.dead_letters:
        DEAD_LETTERS.labels(dlq.topic).set(dlq.count)
