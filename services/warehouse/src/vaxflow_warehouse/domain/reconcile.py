"""Reconciliation at start: what the files hold against what Kafka says was committed.

A partition's range records must be contiguous, start where the partition's log starts (or
before it, once retention removed old messages) and reach the committed offset. Anything else
is a missing range: files were removed or the directory is not the one the group wrote to.
It is reported, never skipped silently. Consumption resumes after the last stored range, or
at the committed offset when that is further on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vaxflow_warehouse.domain.layout import OffsetRange


@dataclass(frozen=True, slots=True)
class PartitionState:
    """What is known of one partition at start."""

    stored: Sequence[OffsetRange]
    committed: int | None
    log_start: int
    incomplete: Sequence[OffsetRange] = ()


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Where to resume, and which ranges are missing from the files."""

    position: int
    missing: tuple[OffsetRange, ...]


def reconcile(state: PartitionState) -> Reconciliation:
    """Decide the resume position and the missing ranges of one partition."""
    stored = sorted(state.stored)
    missing: list[OffsetRange] = list(state.incomplete)
    expected = state.log_start
    for offsets in stored:
        if offsets.first > expected:
            missing.append(OffsetRange(expected, offsets.first - 1))
        expected = max(expected, offsets.next_offset)
    if state.committed is not None and state.committed > expected:
        missing.append(OffsetRange(expected, state.committed - 1))
    position = max(expected, state.committed or 0)
    return Reconciliation(position=position, missing=tuple(sorted(set(missing))))
