"""The file protocol: a batch's parts and its range record, and what the disk says at start.

Writing a batch of one partition (offsets first..last):

1. every part is written under a temporary name, flushed and fsynced;
2. the range record (the list of parts) is written the same way and renamed into place: the
   batch is stored from this moment on;
3. every part is renamed to its final name;
4. only then does the caller commit the offsets to Kafka.

A crash before 2 leaves temporary files that the next start deletes; a crash after 2 leaves
a record whose parts the next start renames into place; a crash after 3 leaves offsets behind
the files, and the next start seeks past the stored ranges. Queries read final names only, so
they never see a part twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import pyarrow as pa

from vaxflow_warehouse.domain.layout import (
    RANGES_DIR,
    REPORTS_DIR,
    TMP_SUFFIX,
    OffsetRange,
    PartName,
    parse_record,
    record_path,
    temporary,
)
from vaxflow_warehouse.store.files import (
    fsync_dir,
    remove_quietly,
    rename_durably,
    walk_files,
    write_durably,
)
from vaxflow_warehouse.store.parquet import write_table


@dataclass(frozen=True, slots=True)
class StoredRanges:
    """A partition's ranges on disk: complete ones, and recorded ones whose parts are gone."""

    complete: tuple[OffsetRange, ...]
    incomplete: tuple[OffsetRange, ...]


class RangeStore:
    """The data directory of one warehouse: parts, range records and reports."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def store_batch(
        self,
        topic: str,
        partition: int,
        offsets: OffsetRange,
        parts: Mapping[PartName, pa.Table],
        *,
        dead_letters: int = 0,
    ) -> None:
        """Write a batch's parts and record durably (steps 1 to 3 above)."""
        for name, table in parts.items():
            write_durably(self._abs(temporary(name.path())), partial(_write_parquet, table))
        record = {
            "topic": topic,
            "partition": partition,
            "first": offsets.first,
            "last": offsets.last,
            "parts": [{"path": str(n.path()), "rows": t.num_rows} for n, t in parts.items()],
            "dead_letters": dead_letters,
            "stored_at": datetime.now(UTC).isoformat(),
        }
        self._write_json(record_path(topic, partition, offsets), record)
        self._finish(str(n.path()) for n in parts)

    def recover(self, partitions: Sequence[tuple[str, int]]) -> dict[tuple[str, int], StoredRanges]:
        """Finish or undo interrupted batches of these partitions; return what each holds."""
        # Recorded batches are finished first: their parts may still be temporary files.
        stored = {(topic, p): self._recorded(topic, p) for topic, p in partitions}
        self._remove_unrecorded(partitions)
        return stored

    def _recorded(self, topic: str, partition: int) -> StoredRanges:
        complete: list[OffsetRange] = []
        incomplete: list[OffsetRange] = []
        folder = self._abs(PurePosixPath(RANGES_DIR, topic, str(partition)))
        for path in sorted(folder.glob("*.json")) if folder.exists() else ():
            offsets = parse_record(path.name)
            if offsets is None:
                continue
            parts = [str(p["path"]) for p in json.loads(path.read_text())["parts"]]
            done = self._finish(parts)
            (complete if done else incomplete).append(offsets)
        return StoredRanges(tuple(complete), tuple(incomplete))

    def report(self, kind: str, body: Mapping[str, Any]) -> Path:
        """Write a report (e.g. missing ranges found at start) under _reports/."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        relative = PurePosixPath(REPORTS_DIR, f"{kind}-{stamp}.json")
        self._write_json(relative, dict(body))
        return self._abs(relative)

    def data_files(self) -> list[Path]:
        """Every part under its final name."""
        return sorted(
            p for p in walk_files(self.root) if p.suffix == ".parquet" and _is_data(p, self.root)
        )

    def _finish(self, parts: Sequence[str] | Any) -> bool:
        """Rename parts still under their temporary name; False if one is nowhere."""
        complete = True
        for relative in parts:
            final = self._abs(PurePosixPath(relative))
            pending = self._abs(temporary(PurePosixPath(relative)))
            if pending.exists():
                rename_durably(pending, final)
            elif not final.exists():
                complete = False
        return complete

    def _remove_unrecorded(self, partitions: Sequence[tuple[str, int]]) -> None:
        """Delete these partitions' temporary files: batches that never reached their record."""
        marks = tuple(f".{topic}+{p}+" for topic, p in partitions)
        folders = {self._abs(PurePosixPath(RANGES_DIR, t, str(p))) for t, p in partitions}
        for path in walk_files(self.root):
            if path.name.endswith(TMP_SUFFIX) and (
                path.name.startswith(marks) or path.parent in folders
            ):
                remove_quietly(path)

    def _write_json(self, relative: PurePosixPath, body: Mapping[str, Any]) -> None:
        target = self._abs(relative)
        pending = self._abs(temporary(relative))
        data = json.dumps(body, indent=1, sort_keys=True).encode()
        write_durably(pending, partial(_write_bytes, data))
        rename_durably(pending, target)
        fsync_dir(target.parent.parent)

    def _abs(self, relative: PurePosixPath) -> Path:
        return self.root.joinpath(*relative.parts)


def _is_data(path: Path, root: Path) -> bool:
    top = path.relative_to(root).parts[0]
    return not top.startswith("_") and not path.name.startswith(".")


def _write_parquet(table: pa.Table, f: BinaryIO) -> None:
    write_table(table, f)


def _write_bytes(data: bytes, f: BinaryIO) -> None:
    f.write(data)
