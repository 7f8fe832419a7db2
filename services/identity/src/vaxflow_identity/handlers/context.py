"""What every handler works with: the settings, the stores, the SMS sender, the clock."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from argon2 import PasswordHasher

from vaxflow_identity.domain.tokens import Audience
from vaxflow_identity.handlers.keyring import KeyRingCache
from vaxflow_identity.settings import IdentitySettings
from vaxflow_identity.store import (
    MongoAccountStore,
    MongoAuditLog,
    MongoSessionStore,
    MongoStaffStore,
    RedisGuard,
)
from vaxflow_servicekit.sms import SmsSender


def utc_now() -> datetime:
    """The current time, aware and in UTC."""
    return datetime.now(UTC)


@dataclass
class Identity:
    """The composition handed to handlers (built once by main.py, or by a test)."""

    settings: IdentitySettings
    accounts: MongoAccountStore
    staff: MongoStaffStore
    sessions: MongoSessionStore
    audit: MongoAuditLog
    guard: RedisGuard
    keys: KeyRingCache
    sms: SmsSender
    passwords: PasswordHasher = field(default_factory=PasswordHasher)
    hashing: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(4))
    clock: Callable[[], datetime] = utc_now

    @property
    def audience(self) -> Audience:
        """The issuer and audience the services' verifiers pin."""
        return Audience(self.settings.auth.issuer, self.settings.auth.audience)

    @property
    def otp_key(self) -> bytes:
        """The HMAC key of one-time codes."""
        return self.settings.otp_hmac_key.get_secret_value().encode()

    @property
    def index_key(self) -> bytes:
        """The key of blind indexes (phone numbers, usernames in limits and audit)."""
        return self.settings.phone_index_key.get_secret_value().encode()

    def username_index(self, username: str) -> str:
        """A keyed hash of a username: what limits and audit entries hold for unknown names."""
        message = f"user:{username}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()
