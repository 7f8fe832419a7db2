"""Scheduling's Mongo and Redis adapters, and the indexes the database needs."""

from __future__ import annotations

from vaxflow_scheduling.store.appointments import APPOINTMENTS, CLAIMS
from vaxflow_scheduling.store.checkins import CHECK_INS, QUEUES
from vaxflow_scheduling.store.citizens import CITIZENS
from vaxflow_scheduling.store.reminders import REMINDERS
from vaxflow_scheduling.store.sessions import SESSIONS
from vaxflow_scheduling.store.sites import SITES
from vaxflow_scheduling.store.stock import LEDGER, LOTS
from vaxflow_scheduling.store.waitlist import WAITLIST
from vaxflow_servicekit.mongo import IndexSpec
from vaxflow_servicekit.outbox import outbox_indexes

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(SITES, [("area.district_code", 1)], name="by_district"),
    IndexSpec(SESSIONS, [("site_id", 1), ("date", 1)], name="by_site_date"),
    IndexSpec(SESSIONS, [("date", 1)], name="by_date"),
    IndexSpec(APPOINTMENTS, [("citizen_id", 1), ("booked_at", 1)], name="by_citizen"),
    IndexSpec(CHECK_INS, [("site_id", 1), ("date", 1)], name="by_site_day"),
    IndexSpec(CHECK_INS, [("date", 1), ("status", 1)], name="waiting_by_day"),
    IndexSpec(CITIZENS, [("priority_rank", 1)], name="by_priority"),
    IndexSpec(LOTS, [("site_id", 1)], name="by_site"),
    IndexSpec(LOTS, [("lot_id", 1)], name="by_lot"),
    IndexSpec(LEDGER, [("site_id", 1)], name="by_site"),
    IndexSpec(LEDGER, [("open", 1)], name="open"),
    IndexSpec(WAITLIST, [("session_id", 1), ("status", 1), ("joined_at", 1)], name="queue"),
    IndexSpec(REMINDERS, [("remind_on", 1), ("status", 1)], name="due"),
    *outbox_indexes(APPOINTMENTS),
    *outbox_indexes(CHECK_INS),
    *outbox_indexes(LEDGER),
    *outbox_indexes(REMINDERS),
)

OUTBOX_COLLECTIONS = (APPOINTMENTS, CHECK_INS, LEDGER, REMINDERS)

__all__ = [
    "APPOINTMENTS",
    "CHECK_INS",
    "CITIZENS",
    "CLAIMS",
    "INDEXES",
    "LEDGER",
    "LOTS",
    "OUTBOX_COLLECTIONS",
    "QUEUES",
    "REMINDERS",
    "SESSIONS",
    "SITES",
    "WAITLIST",
]
