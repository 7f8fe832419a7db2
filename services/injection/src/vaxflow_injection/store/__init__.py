"""Injection's Mongo adapters and the indexes they need."""

from __future__ import annotations

from vaxflow_injection.store.board import BOARD_INDEXES
from vaxflow_injection.store.doses import (
    DOSES,
    OBSERVATIONS,
    STAFF_READS,
    MongoDoseStore,
    StoredDose,
)
from vaxflow_injection.store.readmodels import (
    CITIZENS,
    CitizenSnapshot,
    MongoReadModels,
)
from vaxflow_injection.store.screenings import SCREENINGS, MongoScreeningStore
from vaxflow_servicekit.mongo import IndexSpec
from vaxflow_servicekit.outbox import outbox_indexes

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(SCREENINGS, [("citizen_id", 1), ("local_date", 1)], name="by_citizen_day"),
    IndexSpec(DOSES, [("citizen_id", 1)], name="by_citizen"),
    IndexSpec(CITIZENS, [("account_id", 1)], name="by_account"),
    IndexSpec(STAFF_READS, [("citizen_id", 1), ("at", 1)], name="by_citizen"),
    *BOARD_INDEXES,
    *outbox_indexes(SCREENINGS),
    *outbox_indexes(DOSES),
    *outbox_indexes(OBSERVATIONS),
    *outbox_indexes(STAFF_READS),
)

AGGREGATES = (SCREENINGS, DOSES, OBSERVATIONS, STAFF_READS)
"""The collections whose documents carry pending events, each with its outbox relay."""

__all__ = [
    "AGGREGATES",
    "INDEXES",
    "CitizenSnapshot",
    "MongoDoseStore",
    "MongoReadModels",
    "MongoScreeningStore",
    "StoredDose",
]
