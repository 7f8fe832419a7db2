"""What the handlers work with, assembled once by the composition root (main.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_events import DoseAdministered, Envelope, Event, topic_for
from vaxflow_injection.domain.staff import local_date
from vaxflow_injection.settings import InjectionSettings
from vaxflow_injection.store import MongoDoseStore, MongoReadModels, MongoScreeningStore
from vaxflow_injection.store.board import MongoBoard
from vaxflow_servicekit.mongo import Document, as_stored, utc_now
from vaxflow_servicekit.outbox import outbox_entry

PRODUCER = "injection"
DOSE_TOPIC = topic_for(DoseAdministered)


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Components:
    """Settings, stores, the clock and the topic injection publishes on."""

    settings: InjectionSettings
    reads: MongoReadModels
    screenings: MongoScreeningStore
    doses: MongoDoseStore
    board: MongoBoard
    dose_topic: str = DOSE_TOPIC.name
    clock: Callable[[], datetime] = utc_now
    # Wakes the outbox relays when they run in this process (role `all`); otherwise they poll.
    events_written: Callable[[], None] = field(default=_nothing)

    @classmethod
    def on(
        cls, db: AsyncDatabase[Document], settings: InjectionSettings, **overrides: Any
    ) -> Components:
        """The components over one database."""
        return cls(
            settings=settings,
            reads=MongoReadModels(db),
            screenings=MongoScreeningStore(db),
            doses=MongoDoseStore(db),
            board=MongoBoard(db),
            **overrides,
        )

    def now(self) -> datetime:
        """The current time, aware UTC, cut to milliseconds as the database keeps it."""
        return as_stored(self.clock())

    def local_date(self, at: datetime) -> date:
        """The calendar date of an instant where the sites are."""
        return local_date(at, self.settings.local_timezone)

    def outbox(self, event: Event, correlation_id: str | None, now: datetime) -> Document:
        """The outbox entry publishing an event on the dose topic."""
        envelope = Envelope.new(
            event,
            producer=PRODUCER,
            correlation_id=correlation_id,
            occurred_at=now,
            topic=DOSE_TOPIC,
        )
        return outbox_entry(self.dose_topic, envelope)
