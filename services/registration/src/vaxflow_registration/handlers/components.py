"""What the handlers work with, assembled once by the composition root (main.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_events import CitizenRegistered, Envelope, Event, topic_for
from vaxflow_registration.protection import NationalIdProtector
from vaxflow_registration.settings import RegistrationSettings
from vaxflow_registration.store import (
    MongoAccountStore,
    MongoAuditLog,
    MongoCitizenStore,
    MongoClaimAttempts,
    MongoHealthBook,
    MongoImportStore,
    MongoInvitationNotices,
    MongoReminderNotices,
    MongoWhereabouts,
)
from vaxflow_servicekit.mongo import Document, as_stored, utc_now
from vaxflow_servicekit.outbox import outbox_entry
from vaxflow_servicekit.sms import SmsSender, sms_sender

PRODUCER = "registration"
CITIZEN_TOPIC = topic_for(CitizenRegistered)


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Components:
    """Settings, stores, the national ID protector, the clock and the citizen topic."""

    settings: RegistrationSettings
    citizens: MongoCitizenStore
    accounts: MongoAccountStore
    claims: MongoClaimAttempts
    imports: MongoImportStore
    book: MongoHealthBook
    whereabouts: MongoWhereabouts
    audit: MongoAuditLog
    notices: MongoInvitationNotices
    reminder_notices: MongoReminderNotices
    protector: NationalIdProtector
    sms: SmsSender
    citizen_topic: str = CITIZEN_TOPIC.name
    clock: Callable[[], datetime] = utc_now
    # Wakes the outbox relay when it runs in this process (role `all`); otherwise it polls.
    events_written: Callable[[], None] = field(default=_nothing)

    @classmethod
    def on(
        cls, db: AsyncDatabase[Document], settings: RegistrationSettings, **overrides: Any
    ) -> Components:
        """The components over one database."""
        return cls(
            settings=settings,
            citizens=MongoCitizenStore(db),
            accounts=MongoAccountStore(db, stale_after=timedelta(minutes=1)),
            claims=MongoClaimAttempts(db),
            imports=MongoImportStore(db),
            book=MongoHealthBook(db),
            whereabouts=MongoWhereabouts(db),
            audit=MongoAuditLog(db),
            notices=MongoInvitationNotices(db),
            reminder_notices=MongoReminderNotices(db),
            protector=NationalIdProtector.from_settings(settings),
            sms=overrides.pop("sms", None) or sms_sender(settings.sms),
            **overrides,
        )

    def now(self) -> datetime:
        """The current time, aware UTC, cut to milliseconds as the database keeps it."""
        return as_stored(self.clock())

    def today(self) -> date:
        """Today's date where the service's citizens live."""
        return self.clock().astimezone(ZoneInfo(self.settings.local_timezone)).date()

    def seconds_to_tomorrow(self) -> int:
        """Seconds until the next local midnight, when per-day counts start again."""
        local = self.clock().astimezone(ZoneInfo(self.settings.local_timezone))
        midnight = datetime.combine(local.date() + timedelta(days=1), time(), local.tzinfo)
        return max(1, int((midnight - local).total_seconds()))

    def outbox(self, event: Event, correlation_id: str | None) -> Document:
        """The outbox entry publishing an event on the citizen topic."""
        envelope = Envelope.new(
            event,
            producer=PRODUCER,
            correlation_id=correlation_id,
            occurred_at=self.now(),
            topic=CITIZEN_TOPIC,
        )
        return outbox_entry(self.citizen_topic, envelope)
