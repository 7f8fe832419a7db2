"""An outbox re-publish (the same event at a new offset) counts once, across a restart too;
Kafka's redelivery (the same offset again) is let through for the high-water marks to judge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from vaxflow_monitoring.live.folding import Consumed
from vaxflow_monitoring.live.workers import RecentEvents

from tests.unit.monitoring.test_live_folding import check_in
from vaxflow_events import Envelope, Event


def _at(envelope: Envelope[Event], tp: str, offset: int) -> Consumed:
    return Consumed(tp, offset, envelope)


def _envelope() -> Envelope[Event]:
    return Envelope.new(check_in(uuid.uuid4()), producer="test", occurred_at=datetime.now(UTC))


def test_a_copy_at_another_offset_is_dropped_and_a_redelivery_passes() -> None:
    first, second = _envelope(), _envelope()
    recent = RecentEvents(1000)
    batch = [_at(first, "t~0", 1), _at(second, "t~0", 2), _at(first, "t~0", 3)]

    fresh = recent.fresh(batch)
    recent.remember(fresh)

    assert [c.offset for c in fresh] == [1, 2]
    assert recent.fresh([_at(first, "t~0", 1)]) == [_at(first, "t~0", 1)]
    assert recent.fresh([_at(first, "t~1", 7)]) == []


def test_the_stored_entries_restore_what_a_restart_forgot() -> None:
    envelope = _envelope()
    before = RecentEvents(1000)
    stored = RecentEvents.entries(before.fresh([_at(envelope, "t~0", 5)]))

    after = RecentEvents(1000)
    after.load(stored)

    assert after.fresh([_at(envelope, "t~2", 9)]) == []
    assert after.fresh([_at(envelope, "t~0", 5)]) == [_at(envelope, "t~0", 5)]


def test_the_oldest_are_forgotten_beyond_capacity() -> None:
    recent = RecentEvents(1000)
    envelopes = [_envelope() for _ in range(1001)]
    recent.remember([_at(e, "t~0", i) for i, e in enumerate(envelopes)])

    assert recent.fresh([_at(envelopes[0], "t~0", 5000)]) != []
    assert recent.fresh([_at(envelopes[-1], "t~0", 5000)]) == []
