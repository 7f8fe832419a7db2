"""Topic-to-handler wiring: the core consumer, the signal consumer and the outbox relays."""

from __future__ import annotations

from dataclasses import dataclass, field

from vaxflow_events import REGISTRY, AefiClassified, AefiReported, topic_for
from vaxflow_monitoring.handlers.components import AEFI_TOPIC, LOT_TOPIC, Components
from vaxflow_monitoring.handlers.readmodels import (
    CORE_EVENTS,
    Reaction,
    bind_all,
    core_handlers,
)
from vaxflow_monitoring.handlers.signals import on_case
from vaxflow_monitoring.store import AGGREGATES
from vaxflow_servicekit.consumer import ReliableConsumer, RetryPolicy
from vaxflow_servicekit.outbox import OutboxRelay, RelaySettings
from vaxflow_servicekit.runtime import Infrastructure


def _core_topics() -> tuple[str, ...]:
    return tuple(sorted({topic_for(event).name for event in CORE_EVENTS}))


@dataclass(frozen=True)
class Topics:
    """The Kafka topics the service writes and reads (tests use topics of their own)."""

    aefi: str = AEFI_TOPIC.name
    lot: str = LOT_TOPIC.name
    core: tuple[str, ...] = field(default_factory=_core_topics)


def core_consumer(c: Components, infra: Infrastructure, topics: Topics) -> ReliableConsumer:
    """Accounts, doses and lots into the read models; serious observations into cases.

    To rebuild the read models, drop `core_citizens` and `core_doses` and start under a new
    `core_group` (cases opened from observations are keyed by the observation: none doubles).
    """
    return ReliableConsumer(
        settings=infra.settings.kafka,
        group=c.settings.core_group,
        topics=list(topics.core),
        parser=REGISTRY,
        handlers=core_handlers(c),
        retry=RetryPolicy(),
    )


def signal_consumer(c: Components, infra: Infrastructure, topics: Topics) -> ReliableConsumer:
    """Every case on monitoring's own AEFI stream, checked against the lot signal rules."""
    reactions: dict[str, Reaction] = {
        AefiReported.event_type: on_case,
        AefiClassified.event_type: on_case,
    }
    return ReliableConsumer(
        settings=infra.settings.kafka,
        group=c.settings.signals_group,
        topics=[topics.aefi],
        parser=REGISTRY,
        handlers=bind_all(reactions, c),
        retry=RetryPolicy(),
    )


def relays(infra: Infrastructure) -> list[OutboxRelay]:
    """One relay per collection whose documents carry pending events."""
    assert infra.producer is not None, "the relays need the Kafka producer"
    s = infra.settings
    settings = RelaySettings(
        poll_interval_s=s.outbox_poll_interval_s, batch_size=s.outbox_batch_size
    )
    return [OutboxRelay(infra.db, name, infra.producer, settings) for name in AGGREGATES]
