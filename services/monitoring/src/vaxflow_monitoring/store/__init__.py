"""Monitoring's Mongo adapters and the indexes they need."""

from __future__ import annotations

from vaxflow_monitoring.store.cases import CASES, MongoCaseStore, stored
from vaxflow_monitoring.store.lots import LOTS, SIGNALS, MongoLotStore
from vaxflow_monitoring.store.readmodels import CITIZENS, DOSES, KnownDose, MongoReadModels
from vaxflow_servicekit.mongo import IndexSpec
from vaxflow_servicekit.outbox import outbox_indexes

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(CASES, [("lot_id", 1)], name="by_lot"),
    IndexSpec(CASES, [("status", 1)], name="by_status"),
    IndexSpec(CASES, [("citizen_id", 1)], name="by_citizen"),
    IndexSpec(DOSES, [("lot_id", 1), ("voided", 1)], name="by_lot"),
    IndexSpec(DOSES, [("citizen_id", 1)], name="by_citizen"),
    IndexSpec(CITIZENS, [("account_id", 1)], name="by_account"),
    IndexSpec(LOTS, [("suspended", 1)], name="by_suspended"),
    IndexSpec(SIGNALS, [("lot_id", 1)], name="by_lot"),
    *outbox_indexes(CASES),
    *outbox_indexes(LOTS),
    *outbox_indexes(SIGNALS),
)

AGGREGATES = (CASES, LOTS, SIGNALS)
"""The collections whose documents carry pending events, each with its outbox relay."""

__all__ = [
    "AGGREGATES",
    "INDEXES",
    "KnownDose",
    "MongoCaseStore",
    "MongoLotStore",
    "MongoReadModels",
    "stored",
]
