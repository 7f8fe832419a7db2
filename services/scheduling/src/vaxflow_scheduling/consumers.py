"""Topic-to-handler wiring: the reactions consumer and the outbox relays."""

from __future__ import annotations

from dataclasses import dataclass, field

from vaxflow_events import REGISTRY, CitizenRegistered, DoseAdministered, LotSuspended, topic_for
from vaxflow_scheduling.handlers.components import Components
from vaxflow_scheduling.handlers.reactions import reaction_handlers
from vaxflow_scheduling.store import OUTBOX_COLLECTIONS
from vaxflow_servicekit.consumer import ReliableConsumer, RetryPolicy
from vaxflow_servicekit.outbox import OutboxRelay, RelaySettings
from vaxflow_servicekit.runtime import Infrastructure


def _read_topics() -> tuple[str, ...]:
    return tuple(topic_for(e).name for e in (CitizenRegistered, DoseAdministered, LotSuspended))


@dataclass(frozen=True)
class ReadTopics:
    """The topics the service reads: citizens, doses, lots (tests use topics of their own)."""

    names: tuple[str, ...] = field(default_factory=_read_topics)


def reactions_consumers(
    c: Components, infra: Infrastructure, topics: ReadTopics
) -> list[ReliableConsumer]:
    """Two groups: citizens apart, so that a backlog of doses never delays a first booking."""
    citizens, *others = topics.names
    handlers = reaction_handlers(c)
    return [
        ReliableConsumer(
            settings=infra.settings.kafka,
            group=group,
            topics=names,
            parser=REGISTRY,
            handlers=handlers,
            retry=RetryPolicy(),
        )
        for group, names in (
            (f"{c.settings.consumer_group}.citizens", [citizens]),
            (c.settings.consumer_group, others),
        )
    ]


def relays(infra: Infrastructure) -> list[OutboxRelay]:
    """One relay per collection whose documents carry events."""
    assert infra.producer is not None, "the relays need the Kafka producer"
    s = infra.settings
    relay_settings = RelaySettings(
        poll_interval_s=s.outbox_poll_interval_s, batch_size=s.outbox_batch_size
    )
    return [
        OutboxRelay(infra.db, name, infra.producer, relay_settings) for name in OUTBOX_COLLECTIONS
    ]
