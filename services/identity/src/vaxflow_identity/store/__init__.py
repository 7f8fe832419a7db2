"""Identity's adapters: Mongo for accounts, staff, refresh tokens, keys and audit; Redis for
one-time codes, rate limits and lockouts.
"""

from vaxflow_identity.store.accounts import MongoAccountStore
from vaxflow_identity.store.audit import MongoAuditLog
from vaxflow_identity.store.guard import RedisGuard
from vaxflow_identity.store.keys import MongoKeyStore
from vaxflow_identity.store.sessions import MongoSessionStore
from vaxflow_identity.store.staff import MongoStaffStore

INDEXES = (
    *MongoAccountStore.INDEXES,
    *MongoStaffStore.INDEXES,
    *MongoSessionStore.INDEXES,
    *MongoAuditLog.INDEXES,
)

__all__ = [
    "INDEXES",
    "MongoAccountStore",
    "MongoAuditLog",
    "MongoKeyStore",
    "MongoSessionStore",
    "MongoStaffStore",
    "RedisGuard",
]
