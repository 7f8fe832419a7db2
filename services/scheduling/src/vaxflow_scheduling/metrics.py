"""Scheduling's metrics: the response centre's live view of queues. Labels: site ids only."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

QUEUE_WAITING = Gauge(
    "vaxflow_scheduling_queue_waiting", "People checked in and not yet vaccinated.", ["site_id"]
)
QUEUE_LONGEST_WAIT = Gauge(
    "vaxflow_scheduling_queue_longest_wait_seconds",
    "How long the longest-waiting person of the site's queue has waited.",
    ["site_id"],
)
CHECK_INS = Counter(
    "vaxflow_scheduling_check_ins_total", "Check-ins, by method.", ["site_id", "method"]
)
BOOKINGS = Counter("vaxflow_scheduling_bookings_total", "Booking attempts by outcome.", ["outcome"])
STOCK_BALANCE = Gauge(
    "vaxflow_scheduling_stock_balance",
    "Doses on hand by site and lot, as this process last wrote them (after each ledger entry).",
    ["site_id", "lot_id"],
)
