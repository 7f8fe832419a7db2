"""Registration's Mongo adapters: one module per collection family, and the indexes they need."""

from __future__ import annotations

from vaxflow_registration.store.accounts import (
    ACCOUNT_PLACES,
    MongoAccountStore,
    MongoClaimAttempts,
    PlaceRefused,
)
from vaxflow_registration.store.audit import STAFF_READS, MongoAuditLog
from vaxflow_registration.store.citizens import CITIZENS, MongoCitizenStore, StoredCitizen
from vaxflow_registration.store.imports import IMPORT_ISSUES, IMPORTS, MongoImportStore
from vaxflow_registration.store.notices import (
    INVITATION_NOTICES,
    REMINDER_NOTICES,
    MongoInvitationNotices,
    MongoReminderNotices,
)
from vaxflow_registration.store.reads import (
    APPOINTMENTS,
    HEALTH_BOOK,
    SITE_AREAS,
    MongoHealthBook,
    MongoWhereabouts,
)
from vaxflow_servicekit.mongo import IndexSpec
from vaxflow_servicekit.outbox import outbox_indexes

INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec(CITIZENS, [("national_id_index", 1)], unique=True, name="national_id_unique"),
    IndexSpec(CITIZENS, [("account_id", 1), ("registered_at", 1)], name="by_account"),
    IndexSpec(ACCOUNT_PLACES, [("account_id", 1)], name="by_account"),
    *outbox_indexes(CITIZENS),
    IndexSpec(IMPORTS, [("file_sha256", 1)], unique=True, name="file_once"),
    IndexSpec(IMPORT_ISSUES, [("import_id", 1), ("line", 1)], name="by_import_line"),
    IndexSpec(HEALTH_BOOK, [("citizen_id", 1), ("occurred_at", 1), ("_id", 1)], name="timeline"),
    IndexSpec(HEALTH_BOOK, [("ref_id", 1)], name="by_ref"),
    IndexSpec(STAFF_READS, [("citizen_id", 1), ("at", 1)], name="by_citizen"),
    IndexSpec(STAFF_READS, [("districts", 1), ("at", 1)], name="by_district"),
    IndexSpec(STAFF_READS, [("who.subject", 1), ("at", 1)], name="by_reader"),
)

__all__ = [
    "ACCOUNT_PLACES",
    "APPOINTMENTS",
    "CITIZENS",
    "HEALTH_BOOK",
    "IMPORTS",
    "IMPORT_ISSUES",
    "INDEXES",
    "INVITATION_NOTICES",
    "REMINDER_NOTICES",
    "SITE_AREAS",
    "STAFF_READS",
    "MongoAccountStore",
    "MongoAuditLog",
    "MongoCitizenStore",
    "MongoClaimAttempts",
    "MongoHealthBook",
    "MongoImportStore",
    "MongoInvitationNotices",
    "MongoReminderNotices",
    "MongoWhereabouts",
    "PlaceRefused",
    "StoredCitizen",
]
