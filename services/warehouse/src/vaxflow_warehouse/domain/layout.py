"""Where things live in the data directory, and what a file's name says.

    <event_type>/day=<YYYY-MM-DD>/<topic>+<partition>+<first>-<last>.parquet   data parts
    _ranges/<topic>/<partition>/<first>-<last>.json                          range records
    _reports/tampering-<time>.json                                           reports at start

A batch of one partition covers the offset range first..last (both included) and becomes one
part per event type and day, each named by that range; its range record lists the parts and
is the batch's commit point. Offsets are zero-padded so names sort in offset order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

TMP_SUFFIX = ".tmp"
RANGES_DIR = "_ranges"
REPORTS_DIR = "_reports"
_WIDTH = 20
_PART = re.compile(
    r"^(?P<topic>[A-Za-z0-9._-]+)\+(?P<partition>[0-9]+)\+(?P<first>[0-9]{20})-(?P<last>[0-9]{20})"
    r"\.parquet$"
)
_RECORD = re.compile(r"^(?P<first>[0-9]{20})-(?P<last>[0-9]{20})\.json$")


@dataclass(frozen=True, slots=True, order=True)
class OffsetRange:
    """Offsets first..last of one partition, both included."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.first < 0 or self.last < self.first:
            raise ValueError(f"bad offset range {self.first}..{self.last}")

    @property
    def next_offset(self) -> int:
        """The offset after the range: what the consumer commits once the range is stored."""
        return self.last + 1

    def label(self) -> str:
        """The range as written in file names."""
        return f"{self.first:0{_WIDTH}d}-{self.last:0{_WIDTH}d}"


@dataclass(frozen=True, slots=True)
class PartName:
    """What a data part's path says: event type, day, topic, partition and offset range."""

    event_type: str
    day: date
    topic: str
    partition: int
    range: OffsetRange

    def path(self) -> PurePosixPath:
        """The part's path relative to the data directory."""
        file = f"{self.topic}+{self.partition}+{self.range.label()}.parquet"
        return PurePosixPath(self.event_type, f"day={self.day.isoformat()}", file)


def parse_part(path: PurePosixPath) -> PartName | None:
    """Read a part's path back; None when it is not a part's name."""
    match = _PART.match(path.name)
    if match is None or len(path.parts) < 3 or not path.parent.name.startswith("day="):
        return None
    return PartName(
        event_type=path.parent.parent.name,
        day=date.fromisoformat(path.parent.name.removeprefix("day=")),
        topic=match["topic"],
        partition=int(match["partition"]),
        range=OffsetRange(int(match["first"]), int(match["last"])),
    )


def record_path(topic: str, partition: int, offsets: OffsetRange) -> PurePosixPath:
    """The range record of one batch, relative to the data directory."""
    return PurePosixPath(RANGES_DIR, topic, str(partition), f"{offsets.label()}.json")


def parse_record(name: str) -> OffsetRange | None:
    """The offset range of a range record's file name; None when it is not one."""
    match = _RECORD.match(name)
    return None if match is None else OffsetRange(int(match["first"]), int(match["last"]))


def temporary(path: PurePosixPath) -> PurePosixPath:
    """The name a file is written under before it is complete."""
    return path.with_name(f".{path.name}{TMP_SUFFIX}")
