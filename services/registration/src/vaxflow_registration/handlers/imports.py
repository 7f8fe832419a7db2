"""Bulk registration: start an import of a received file, run it in batches, report each row.

Every row is checked; valid rows become citizens, each document carrying its own
`CitizenRegistered` in its outbox, written with unordered bulk inserts. The blind index's unique
index makes a national ID register once, whichever file or form it comes from; the file's
SHA-256 makes a re-uploaded file answer with its first import instead of running again (unless
that one failed or its runner went silent, in which case it is run again, harmlessly).

Batches are prepared (checked, encrypted, events built) in a worker thread while the previous
batch is being written, so the database and the CPU work at the same time.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from pymongo.errors import ConnectionFailure

from vaxflow_events import RegistrationChannel
from vaxflow_registration.domain.citizen import Citizen, NationalId, PersonDetails, registered_event
from vaxflow_registration.domain.imports import Issue, parse_row
from vaxflow_registration.handlers.citizens import protect
from vaxflow_registration.handlers.components import Components
from vaxflow_registration.handlers.uploads import Upload
from vaxflow_registration.metrics import CITIZENS_REGISTERED
from vaxflow_registration.store.citizens import to_document
from vaxflow_registration.store.imports import Counts, ImportRecord, ImportState
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.logging import get_logger
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.outbox import new_document_with_events

log = get_logger(__name__)
Row = tuple[int, dict[str, str]]
# A lost connection (the local store stalls under a concurrent relay scan) is retried; rows
# written before the loss come back as duplicates of this import and count as registered.
_WRITE_ATTEMPTS = 4


async def start_import(
    upload: Upload, staff: Principal, c: Components
) -> tuple[ImportRecord, bool]:
    """The import of this file and whether it must run now (False: it ran or runs already)."""
    now = c.now()
    record = ImportRecord(
        import_id=uuid4(),
        file_sha256=upload.sha256,
        size_bytes=upload.size_bytes,
        total_rows=upload.rows,
        state=ImportState.QUEUED,
        counts=Counts(),
        created_by={"subject": staff.subject, "role": staff.role, "district": staff.scope.district},
        created_at=now,
        updated_at=now,
    )
    if await c.imports.create(record):
        return record, True
    existing = await c.imports.by_file(upload.sha256)
    assert existing is not None, "a file hash refused as duplicate has its import"
    stale_after = timedelta(seconds=c.settings.import_stale_after_s)
    restarted = await c.imports.take_over(existing.import_id, now, stale_after)
    current = await c.imports.get(existing.import_id)
    assert current is not None
    return current, restarted


@dataclass
class _Batch:
    """One batch, checked and ready to write."""

    documents: list[Document] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rows: int = 0
    rejected: int = 0
    duplicate_in_file: int = 0


class _Preparer:
    """Checks rows and builds citizen documents; remembers national IDs seen in this file."""

    def __init__(self, import_id: UUID, c: Components) -> None:
        self._import_id = import_id
        self._c = c
        self._today: date = c.today()
        self._seen: dict[str, int] = {}

    def prepare(self, rows: list[Row]) -> _Batch:
        batch = _Batch(rows=len(rows))
        now = self._c.now()
        for line, row in rows:
            parsed = _parse(line, row, self._today)
            if isinstance(parsed, list):
                batch.issues.extend(parsed)
                batch.rejected += 1
                continue
            self._add(batch, line, parsed[0], parsed[1], now)
        return batch

    def _add(
        self, batch: _Batch, line: int, nid: NationalId, details: PersonDetails, now: datetime
    ) -> None:
        c = self._c
        index = c.protector.blind_index(nid)
        if index in self._seen:
            batch.duplicate_in_file += 1
            reason = f"The same national ID is on line {self._seen[index]}"
            batch.issues.append(Issue(line, "national_id", "duplicate_in_file", reason))
            return
        self._seen[index] = line
        citizen = _imported(self._import_id, nid, details, now)
        protected = protect(nid, citizen.citizen_id, c)
        event = c.outbox(registered_event(citizen), correlation_id=str(self._import_id))
        document = to_document(citizen, protected)
        batch.documents.append(new_document_with_events(document, [event], now))
        batch.lines.append(line)
        batch.indexes.append(protected.index)


def _parse(
    line: int, row: dict[str, str], today: date
) -> tuple[NationalId, PersonDetails] | list[Issue]:
    if "__columns__" in row:
        reason = f"The row has {row['__columns__']} values; the header has {len(row) - 1} columns"
        return [Issue(line, "row", "column_count", reason)]
    return parse_row(row, line, today)


def _imported(import_id: UUID, nid: NationalId, details: PersonDetails, now: datetime) -> Citizen:
    return Citizen(
        citizen_id=uuid4(),
        account_id=None,
        relationship=None,
        channel=RegistrationChannel.BULK_IMPORT,
        import_id=import_id,
        id_type=nid.id_type,
        id_last4=nid.last4,
        id_country=nid.country,
        details=details,
        registered_at=now,
        updated_at=now,
    )


async def run_import(import_id: UUID, upload: Upload, c: Components) -> Counts:
    """Register every valid row of the file; the record shows progress, then the outcome."""
    counts = Counts()
    try:
        await c.imports.progress(import_id, ImportState.PROCESSING, counts, c.now())
        await _run_batches(import_id, upload, counts, c)
        await c.imports.progress(import_id, ImportState.COMPLETED, counts, c.now())
        log.info("import_completed", import_id=str(import_id), **vars(counts))
    except Exception as exc:
        log.exception("import_failed", import_id=str(import_id))
        await c.imports.failed(
            import_id,
            f"The import stopped ({type(exc).__name__}); upload the same file again to resume.",
            c.now(),
        )
    return counts


async def _run_batches(import_id: UUID, upload: Upload, counts: Counts, c: Components) -> None:
    preparer = _Preparer(import_id, c)
    writer = _Writer(import_id, counts, c)
    rows = upload.records()
    writing: set[asyncio.Task[None]] = set()
    try:
        while chunk := await asyncio.to_thread(_take, rows, c.settings.import_batch_size):
            batch = await asyncio.to_thread(preparer.prepare, chunk)
            if len(writing) >= c.settings.import_writes_in_flight:
                done, writing = await asyncio.wait(writing, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
            writing.add(asyncio.create_task(writer.write(batch)))
        await asyncio.gather(*writing)
    finally:
        for task in writing:
            task.cancel()


def _take(rows: Iterator[Row], size: int) -> list[Row]:
    return list(itertools.islice(rows, size))


async def _insert(batch: _Batch, c: Components) -> set[int]:
    """Insert the batch; a lost connection is retried, the unique index absorbing repeats."""
    for attempt in range(_WRITE_ATTEMPTS):
        try:
            return await c.citizens.add_many(batch.documents) if batch.documents else set()
        except ConnectionFailure:
            if attempt == _WRITE_ATTEMPTS - 1:
                raise
            log.warning("import_batch_retried", attempt=attempt + 1)
            await asyncio.sleep(2**attempt)
    raise AssertionError("unreachable")


class _Writer:
    """Writes prepared batches, several at a time, and keeps the import's progress current."""

    def __init__(self, import_id: UUID, counts: Counts, c: Components) -> None:
        self._import_id = import_id
        self._counts = counts
        self._c = c
        self._progress = asyncio.Lock()

    async def write(self, batch: _Batch) -> None:
        """Insert the batch, report its refused rows, and record the progress."""
        refused = await _insert(batch, self._c)
        mine = await self._registered_by_this_import(batch, refused)
        known = sorted(refused - mine)
        issues = batch.issues + [_already_registered(batch.lines[i]) for i in known]
        counts = self._counts
        counts.registered += len(batch.documents) - len(refused) + len(mine)
        CITIZENS_REGISTERED.labels(channel=RegistrationChannel.BULK_IMPORT.value).inc(
            len(batch.documents) - len(refused)
        )
        counts.already_registered += len(known)
        counts.rows += batch.rows
        counts.rejected += batch.rejected
        counts.duplicate_in_file += batch.duplicate_in_file
        await self._c.imports.add_issues(self._import_id, sorted(issues, key=lambda i: i.line))
        async with self._progress:  # in order, so that progress never goes back
            await self._c.imports.progress(
                self._import_id, ImportState.PROCESSING, counts, self._c.now()
            )
        self._c.events_written()

    async def _registered_by_this_import(self, batch: _Batch, refused: set[int]) -> set[int]:
        """Refused rows that an earlier run of this same import had registered."""
        if not refused:
            return set()
        owners = await self._c.citizens.imports_of([batch.indexes[i] for i in refused])
        return {i for i in refused if owners.get(batch.indexes[i]) == str(self._import_id)}


def _already_registered(line: int) -> Issue:
    return Issue(
        line, "national_id", "already_registered", "This national ID is already registered"
    )


class ImportRunner:
    """Runs imports in the background of the API process, a few at a time."""

    def __init__(self, c: Components) -> None:
        self._c = c
        self._tasks: set[asyncio.Task[Counts]] = set()

    def has_room(self) -> bool:
        """True when one more import may start now."""
        return len(self._tasks) < self._c.settings.import_max_running

    def submit(self, import_id: UUID, upload: Upload) -> asyncio.Task[Counts]:
        """Run the import; the spool file is removed when it ends."""
        task = asyncio.create_task(
            run_import(import_id, upload, self._c), name=f"import-{import_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: upload.discard())
        return task

    async def aclose(self) -> None:
        """Stop running imports; they resume when the same file is uploaded again."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
