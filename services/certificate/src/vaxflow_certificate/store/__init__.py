"""The certificate service's adapters: Mongo collections and the key directory."""

from __future__ import annotations

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
from vaxflow_servicekit.mongo import IndexSpec
from vaxflow_servicekit.outbox import outbox_indexes

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(DOSE_FILES, [("citizen_id", 1), ("_id", 1)], name="by_citizen"),
    *outbox_indexes(DOSE_FILES),
    IndexSpec(HOLDERS, [("account_id", 1)], name="by_account"),
)

__all__ = [
    "CERTIFICATE_IDS",
    "DOSE_FILES",
    "HOLDERS",
    "INDEXES",
    "REVOCATIONS",
    "FileKeyStore",
    "KeyRing",
    "MongoDoseFiles",
    "MongoHolders",
    "MongoRevocations",
    "revocation_entry",
]
