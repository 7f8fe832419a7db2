"""The certificate service's adapters: Mongo collections and the key directory."""

from __future__ import annotations

from vaxflow_certificate.store.audit import STAFF_READS, MongoStaffReads
from vaxflow_certificate.store.certificates import (
    CERTIFICATE_IDS,
    DOSE_FILES,
    REVOCATIONS,
    MongoDoseFiles,
    MongoRevocations,
    revocation_entry,
)
from vaxflow_certificate.store.holders import HOLDERS, MongoHolders
from vaxflow_certificate.store.keys import FileKeyStore, KeyRing
from vaxflow_certificate.store.limits import RedisDownloadCounter, Usage
from vaxflow_servicekit.mongo import IndexSpec
from vaxflow_servicekit.outbox import outbox_indexes

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(DOSE_FILES, [("citizen_id", 1), ("_id", 1)], name="by_citizen"),
    *outbox_indexes(DOSE_FILES),
    IndexSpec(HOLDERS, [("account_id", 1)], name="by_account"),
    IndexSpec(STAFF_READS, [("citizen_id", 1), ("at", 1)], name="by_citizen"),
    *outbox_indexes(STAFF_READS),
)

__all__ = [
    "CERTIFICATE_IDS",
    "DOSE_FILES",
    "HOLDERS",
    "INDEXES",
    "REVOCATIONS",
    "STAFF_READS",
    "FileKeyStore",
    "KeyRing",
    "MongoDoseFiles",
    "MongoHolders",
    "MongoRevocations",
    "MongoStaffReads",
    "RedisDownloadCounter",
    "Usage",
    "revocation_entry",
]
