"""File names, batching, and reconciliation of stored ranges with committed offsets."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

import pytest
from vaxflow_warehouse.domain.batching import BatchPolicy
from vaxflow_warehouse.domain.layout import (
    OffsetRange,
    PartName,
    parse_part,
    parse_record,
    record_path,
    temporary,
)
from vaxflow_warehouse.domain.reconcile import PartitionState, reconcile


def test_a_part_name_carries_event_type_day_topic_partition_and_range() -> None:
    part = PartName(
        "DoseAdministered", date(2021, 8, 10), "injection.dose.v1", 4, OffsetRange(7, 99)
    )

    path = part.path()

    assert str(path) == (
        "DoseAdministered/day=2021-08-10/"
        "injection.dose.v1+4+00000000000000000007-00000000000000000099.parquet"
    )
    assert parse_part(path) == part
    assert parse_part(temporary(path)) is None
    assert temporary(path).name.startswith(".")
    assert temporary(path).name.endswith(".tmp")


def test_range_records_sort_in_offset_order() -> None:
    paths = [record_path("t.s.v1", 0, OffsetRange(a, b)) for a, b in ((100, 199), (9, 99))]

    names = sorted(p.name for p in paths)

    assert [parse_record(n) for n in names] == [OffsetRange(9, 99), OffsetRange(100, 199)]
    assert parse_record("notes.json") is None
    assert parse_part(PurePosixPath("x.parquet")) is None


def test_an_empty_or_backwards_range_is_refused() -> None:
    with pytest.raises(ValueError, match="bad offset range"):
        OffsetRange(5, 4)


def test_a_batch_is_written_when_full_or_old_enough() -> None:
    policy = BatchPolicy(max_rows=100, max_seconds=2.0)

    assert policy.due(100, 0.0)
    assert policy.due(1, 2.0)
    assert not policy.due(99, 1.9)
    assert not policy.due(0, 60.0)


def test_contiguous_ranges_resume_after_the_last_one() -> None:
    state = PartitionState(
        stored=[OffsetRange(50, 99), OffsetRange(0, 49)], committed=100, log_start=0
    )

    assert reconcile(state).position == 100
    assert reconcile(state).missing == ()


def test_files_ahead_of_the_committed_offset_win_a_crash_before_the_commit() -> None:
    state = PartitionState(
        stored=[OffsetRange(0, 49), OffsetRange(50, 99)], committed=50, log_start=0
    )

    outcome = reconcile(state)

    assert outcome.position == 100
    assert outcome.missing == ()


def test_a_new_partition_starts_at_the_beginning_of_its_log() -> None:
    assert reconcile(PartitionState(stored=[], committed=None, log_start=30)).position == 30


def test_a_hole_between_ranges_is_missing() -> None:
    state = PartitionState(
        stored=[OffsetRange(0, 49), OffsetRange(100, 149)], committed=150, log_start=0
    )

    outcome = reconcile(state)

    assert outcome.missing == (OffsetRange(50, 99),)
    assert outcome.position == 150


def test_committed_offsets_beyond_the_files_are_missing() -> None:
    state = PartitionState(stored=[OffsetRange(0, 49)], committed=120, log_start=0)

    outcome = reconcile(state)

    assert outcome.missing == (OffsetRange(50, 119),)
    assert outcome.position == 120


def test_a_missing_first_range_is_found_against_the_start_of_the_log() -> None:
    state = PartitionState(stored=[OffsetRange(50, 99)], committed=100, log_start=0)

    assert reconcile(state).missing == (OffsetRange(0, 49),)


def test_ranges_older_than_the_log_start_are_not_missing() -> None:
    state = PartitionState(stored=[OffsetRange(0, 49)], committed=50, log_start=400)

    outcome = reconcile(state)

    assert outcome.missing == ()
    assert outcome.position == 400


def test_a_recorded_range_whose_parts_are_gone_is_missing() -> None:
    state = PartitionState(
        stored=[OffsetRange(0, 49)],
        committed=100,
        log_start=0,
        incomplete=[OffsetRange(50, 99)],
    )

    outcome = reconcile(state)

    assert outcome.missing == (OffsetRange(50, 99),)
    assert outcome.position == 100
