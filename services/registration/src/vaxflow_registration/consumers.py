"""Topic-to-handler wiring: the health book, audit and reminder consumers and the citizen outbox
relay."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vaxflow_events import REGISTRY, NextDoseDue, topic_for
from vaxflow_registration.domain.health_book import HEALTH_BOOK_EVENTS
from vaxflow_registration.handlers.audit import STAFF_READ_EVENTS, audit_handlers
from vaxflow_registration.handlers.components import CITIZEN_TOPIC, Components
from vaxflow_registration.handlers.health_book import health_book_handlers
from vaxflow_registration.handlers.reminders import reminder_handlers
from vaxflow_registration.store import CITIZENS
from vaxflow_servicekit.consumer import Handler, ReliableConsumer, RetryPolicy
from vaxflow_servicekit.outbox import OutboxRelay, RelaySettings
from vaxflow_servicekit.runtime import Infrastructure


def _health_book_topics() -> tuple[str, ...]:
    return tuple(sorted({topic_for(event).name for event in HEALTH_BOOK_EVENTS}))


def _staff_read_topics() -> tuple[str, ...]:
    return tuple(sorted({topic_for(event).name for event in STAFF_READ_EVENTS}))


@dataclass(frozen=True)
class Topics:
    """The Kafka topics the service writes and reads (tests use topics of their own)."""

    citizen: str = CITIZEN_TOPIC.name
    health_book: tuple[str, ...] = field(default_factory=_health_book_topics)
    staff_reads: tuple[str, ...] = field(default_factory=_staff_read_topics)
    reminders: tuple[str, ...] = (topic_for(NextDoseDue).name,)


def _consumer(
    infra: Infrastructure, group: str, topics: tuple[str, ...], handlers: Mapping[str, Handler]
) -> ReliableConsumer:
    return ReliableConsumer(
        settings=infra.settings.kafka,
        group=group,
        topics=list(topics),
        parser=REGISTRY,
        handlers=handlers,
        retry=RetryPolicy(),
    )


def health_book_consumer(c: Components, infra: Infrastructure, topics: Topics) -> ReliableConsumer:
    """The consumer that builds the health book and the whereabouts from the citizen streams.

    To rebuild the book, drop its collections and start under a new `health_book_group`: the
    new group reads every topic from the beginning.
    """
    return _consumer(
        infra, c.settings.health_book_group, topics.health_book, health_book_handlers(c)
    )


def audit_consumer(c: Components, infra: Infrastructure, topics: Topics) -> ReliableConsumer:
    """The consumer appending other services' staff reads to the audit log (idempotent)."""
    return _consumer(infra, c.settings.audit_consumer_group, topics.staff_reads, audit_handlers(c))


def reminder_consumer(c: Components, infra: Infrastructure, topics: Topics) -> ReliableConsumer:
    """The consumer texting citizens whose next dose is due (once per citizen and dose)."""
    return _consumer(
        infra, c.settings.reminder_consumer_group, topics.reminders, reminder_handlers(c)
    )


def citizen_relay(infra: Infrastructure) -> OutboxRelay:
    """The relay publishing the citizens' pending events."""
    assert infra.producer is not None, "the relay needs the Kafka producer"
    s = infra.settings
    return OutboxRelay(
        infra.db,
        CITIZENS,
        infra.producer,
        RelaySettings(poll_interval_s=s.outbox_poll_interval_s, batch_size=s.outbox_batch_size),
    )
