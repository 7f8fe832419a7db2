"""The garbage collector as a process that ingests runs it: start-up objects frozen, the young
generation collected less often, cycles still freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from vaxflow_warehouse.handlers.ingest import YOUNG_COLLECTION_THRESHOLD, settle_collector


@pytest.fixture
def collector() -> Iterator[None]:
    """The test process's collector as it was, afterwards."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_what_exists_at_start_is_frozen_and_young_objects_wait_longer(collector: None) -> None:
    made_at_start = [_Node() for _ in range(1000)]
    settle_collector()
    assert gc.get_freeze_count() >= len(made_at_start)
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD > 700
    assert gc.isenabled()


def test_cycles_made_after_are_still_freed(collector: None) -> None:
    settle_collector()
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    del first, second
    assert gone() is not None  # a cycle: reference counting alone does not free it
    gc.collect()
    assert gone() is None
