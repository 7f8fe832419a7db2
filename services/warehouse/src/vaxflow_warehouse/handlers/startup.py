"""Start of a partition: finish interrupted batches, find missing ranges, choose the position."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vaxflow_warehouse.domain.layout import OffsetRange
from vaxflow_warehouse.domain.reconcile import PartitionState, reconcile
from vaxflow_warehouse.store.ranges import RangeStore

Partition = tuple[str, int]


@dataclass(frozen=True, slots=True)
class PartitionStart:
    """Where one partition resumes, and the ranges its files are missing."""

    topic: str
    partition: int
    position: int
    missing: tuple[OffsetRange, ...]


@dataclass(frozen=True, slots=True)
class StartPlan:
    """The start of every assigned partition, and the report written if ranges are missing."""

    partitions: tuple[PartitionStart, ...]
    report: Path | None

    @property
    def missing(self) -> list[PartitionStart]:
        """The partitions with missing ranges."""
        return [p for p in self.partitions if p.missing]


def plan_start(
    store: RangeStore,
    partitions: Sequence[Partition],
    *,
    committed: Mapping[Partition, int | None],
    log_start: Mapping[Partition, int],
) -> StartPlan:
    """Reconcile the files with Kafka's committed offsets; report missing ranges."""
    stored = store.recover(partitions)
    starts = []
    for topic, partition in sorted(partitions):
        held = stored[(topic, partition)]
        state = PartitionState(
            stored=held.complete,
            committed=committed.get((topic, partition)),
            log_start=log_start.get((topic, partition), 0),
            incomplete=held.incomplete,
        )
        outcome = reconcile(state)
        starts.append(PartitionStart(topic, partition, outcome.position, outcome.missing))
    missing = [s for s in starts if s.missing]
    report = store.report("missing-ranges", _report_body(missing)) if missing else None
    return StartPlan(tuple(starts), report)


def _report_body(missing: Sequence[PartitionStart]) -> dict[str, object]:
    return {
        "what": "offset ranges Kafka has delivered that the warehouse files do not hold",
        "repair": "vaxflow warehouse rebuild (replays every topic into a fresh directory)",
        "partitions": [
            {
                "topic": s.topic,
                "partition": s.partition,
                "missing": [{"first": r.first, "last": r.last} for r in s.missing],
                "resumes_at": s.position,
            }
            for s in missing
        ],
    }
