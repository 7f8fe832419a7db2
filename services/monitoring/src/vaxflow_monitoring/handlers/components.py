"""What the handlers work with, assembled once by the composition root (main.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from vaxflow_events import AefiReported, Envelope, Event, LotSuspended, Topic, topic_for
from vaxflow_monitoring.domain.signals import RuleSpec, load_rules
from vaxflow_monitoring.settings import MonitoringSettings
from vaxflow_monitoring.store import MongoCaseStore, MongoLotStore, MongoReadModels
from vaxflow_servicekit.mongo import Document, as_stored, utc_now
from vaxflow_servicekit.outbox import outbox_entry

PRODUCER = "monitoring"
AEFI_TOPIC = topic_for(AefiReported)
LOT_TOPIC = topic_for(LotSuspended)


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Components:
    """Settings, stores, signal rules, the clock and the topics monitoring publishes on."""

    settings: MonitoringSettings
    reads: MongoReadModels
    cases: MongoCaseStore
    lots: MongoLotStore
    rules: tuple[RuleSpec, ...]
    aefi_topic: str = AEFI_TOPIC.name
    lot_topic: str = LOT_TOPIC.name
    clock: Callable[[], datetime] = utc_now
    # Wakes the outbox relays when they run in this process (role `all`); otherwise they poll.
    events_written: Callable[[], None] = field(default=_nothing)

    @classmethod
    def on(
        cls, db: AsyncDatabase[Document], settings: MonitoringSettings, **overrides: Any
    ) -> Components:
        """The components over one database."""
        return cls(
            settings=settings,
            reads=MongoReadModels(db),
            cases=MongoCaseStore(db),
            lots=MongoLotStore(db),
            rules=load_rules(settings.signal_rules_file),
            **overrides,
        )

    def now(self) -> datetime:
        """The current time, aware UTC, cut to milliseconds as the database keeps it."""
        return as_stored(self.clock())

    @property
    def clock_skew(self) -> timedelta:
        """How far ahead of the server's clock a reported time may be."""
        return timedelta(seconds=self.settings.clock_skew_s)

    def aefi_event(
        self,
        event: Event,
        correlation_id: str | None,
        now: datetime,
        causation_id: str | None = None,
    ) -> Document:
        """The outbox entry publishing an event on the AEFI topic."""
        return self._entry(event, AEFI_TOPIC, self.aefi_topic, correlation_id, now, causation_id)

    def lot_event(
        self,
        event: Event,
        correlation_id: str | None,
        now: datetime,
        causation_id: str | None = None,
    ) -> Document:
        """The outbox entry publishing an event on the lot topic."""
        return self._entry(event, LOT_TOPIC, self.lot_topic, correlation_id, now, causation_id)

    def _entry(
        self,
        event: Event,
        topic: Topic,
        name: str,
        correlation_id: str | None,
        now: datetime,
        causation_id: str | None = None,
    ) -> Document:
        envelope = Envelope.new(
            event,
            producer=PRODUCER,
            correlation_id=correlation_id,
            causation_id=causation_id,
            occurred_at=now,
            topic=topic,
        )
        return outbox_entry(name, envelope)
