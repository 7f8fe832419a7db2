"""What the handlers work with, assembled once by the composition root (main.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from vaxflow_events import (
    AppointmentBooked,
    Envelope,
    Event,
    NextDoseDue,
    StockReceived,
    topic_for,
)
from vaxflow_scheduling.settings import SchedulingSettings
from vaxflow_scheduling.store.appointments import MongoAppointmentStore
from vaxflow_scheduling.store.availability import RedisAvailability
from vaxflow_scheduling.store.campaigns import MongoCampaignStore
from vaxflow_scheduling.store.checkins import MongoCheckInStore
from vaxflow_scheduling.store.citizens import MongoCitizenDirectory
from vaxflow_scheduling.store.reminders import MongoReminderStore
from vaxflow_scheduling.store.sessions import MongoSessionStore, StoredSession
from vaxflow_scheduling.store.sites import MongoSiteStore
from vaxflow_scheduling.store.stock import MongoStockLedger
from vaxflow_scheduling.store.throttle import RedisChangeCounter
from vaxflow_scheduling.store.waitlist import MongoWaitlist
from vaxflow_servicekit.logging import get_logger
from vaxflow_servicekit.mongo import Document, as_stored, utc_now
from vaxflow_servicekit.outbox import outbox_entry

PRODUCER = "scheduling"
APPOINTMENT_TOPIC = topic_for(AppointmentBooked)
STOCK_TOPIC = topic_for(StockReceived)
REMINDER_TOPIC = topic_for(NextDoseDue)

log = get_logger(__name__)


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Topics:
    """The Kafka topics the service writes (tests use topics of their own)."""

    appointment: str = APPOINTMENT_TOPIC.name
    stock: str = STOCK_TOPIC.name
    reminder: str = REMINDER_TOPIC.name

    def of(self, topic: str) -> str:
        """This service's topic standing for a contract topic (tests use topics of their own)."""
        return {STOCK_TOPIC.name: self.stock, REMINDER_TOPIC.name: self.reminder}.get(
            topic, self.appointment
        )


@dataclass(frozen=True)
class Components:
    """Settings, stores, the availability cache, the clock and the topics."""

    settings: SchedulingSettings
    sites: MongoSiteStore
    sessions: MongoSessionStore
    citizens: MongoCitizenDirectory
    appointments: MongoAppointmentStore
    check_ins: MongoCheckInStore
    stock: MongoStockLedger
    campaigns: MongoCampaignStore
    waitlist: MongoWaitlist
    reminders: MongoReminderStore
    availability: RedisAvailability | None
    # Booking changes per identity (see handlers.throttle); None: not counted.
    changes: RedisChangeCounter | None = None
    topics: Topics = field(default_factory=Topics)
    clock: Callable[[], datetime] = utc_now
    # Wakes the outbox relays when they run in this process (role `all`); otherwise they poll.
    events_written: Callable[[], None] = field(default=_nothing)
    # Called with a session id when a place was freed (the waitlist fills it); set by main.py.
    place_freed: Callable[[str, str, Components], Awaitable[object]] | None = None
    # Recent availability answers of this process (see handlers.availability).
    read_cache: dict[Any, Any] = field(default_factory=dict)

    async def after_place_freed(self, session_id: str, correlation_id: str) -> None:
        """Let the waitlist take a freed place; a failure leaves the place free, and is logged."""
        if self.place_freed is None:
            return
        try:
            await self.place_freed(session_id, correlation_id, self)
        except Exception as exc:
            log.warning("waitlist_fill_failed", error=type(exc).__name__)

    @classmethod
    def on(
        cls,
        db: AsyncDatabase[Document],
        redis: Redis | None,
        settings: SchedulingSettings,
        **overrides: Any,
    ) -> Components:
        """The components over one database and Redis."""
        stale = timedelta(seconds=settings.claim_stale_after_s)
        return cls(
            settings=settings,
            sites=MongoSiteStore(db),
            sessions=MongoSessionStore(db),
            citizens=MongoCitizenDirectory(db),
            appointments=MongoAppointmentStore(db, stale_after=stale),
            check_ins=MongoCheckInStore(db),
            stock=MongoStockLedger(db),
            campaigns=MongoCampaignStore(db),
            waitlist=MongoWaitlist(db),
            reminders=MongoReminderStore(db),
            availability=RedisAvailability(redis, settings.redis_prefix) if redis else None,
            changes=RedisChangeCounter(redis, settings.redis_prefix) if redis else None,
            **overrides,
        )

    @property
    def check_in_key(self) -> bytes:
        """The HMAC key of QR check-in tokens."""
        return self.settings.check_in_key.get_secret_value().encode()

    def now(self) -> datetime:
        """The current time, aware UTC, cut to milliseconds as the database keeps it."""
        return as_stored(self.clock())

    @property
    def zone(self) -> ZoneInfo:
        """The sites' time zone."""
        return ZoneInfo(self.settings.local_timezone)

    def today(self) -> date:
        """Today's date at the sites."""
        return self.clock().astimezone(self.zone).date()

    def outbox(
        self, event: Event, correlation_id: str | None, *, causation_id: str | None = None
    ) -> Document:
        """The outbox entry publishing an event on its topic (this test's, in tests)."""
        topic = topic_for(type(event))
        envelope = Envelope.new(
            event,
            producer=PRODUCER,
            correlation_id=correlation_id,
            causation_id=causation_id,
            occurred_at=self.now(),
            topic=topic,
        )
        return outbox_entry(self.topics.of(topic.name), envelope)

    async def publish_free(self, stored: StoredSession | None) -> None:
        """Write a session's free places to the availability cache; a failure is only logged.

        The refresher rewrites every coming session within seconds, so a lost write heals.
        """
        if stored is None or self.availability is None:
            return
        try:
            await self.availability.write_free(stored, self.now())
        except Exception as exc:  # Redis down must not fail a booking already made
            log.warning("availability_write_failed", error=type(exc).__name__)
