"""Receiving an import file: streamed to a spool file, checked whole before anything is stored.

While the body streams in, its size is limited, its SHA-256 computed and its UTF-8 checked; then
its CSV structure is read once (header, quoting, row count). A file that fails any of these is
refused with a problem and leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import csv
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

from vaxflow_registration.domain.imports import HEADER_EXAMPLE, HeaderProblem, check_header
from vaxflow_registration.settings import RegistrationSettings
from vaxflow_servicekit.problems import ProblemError

CSV_MEDIA_TYPE = "text/csv"
_BOM = codecs.BOM_UTF8


@dataclass(frozen=True)
class Upload:
    """A received, structurally sound CSV file waiting in the spool."""

    path: Path
    sha256: str
    size_bytes: int
    rows: int
    columns: tuple[str, ...]

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each data row with the line it starts on (the header is line 1); blank lines skipped."""
        with self.path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, strict=True)
            next(reader)
            line = reader.line_num + 1
            for cells in reader:
                if cells:
                    yield line, _cells_by_column(self.columns, cells)
                line = reader.line_num + 1

    def discard(self) -> None:
        """Remove the spool file."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def _cells_by_column(columns: tuple[str, ...], cells: list[str]) -> dict[str, str]:
    row = dict(zip(columns, cells, strict=False))
    if len(cells) != len(columns):
        row["__columns__"] = str(len(cells))
    return row


def check_content_type(value: str | None) -> None:
    """Refuse anything but `text/csv` (UTF-8) with 415."""
    media, _, params = (value or "").partition(";")
    charset = params.strip().lower().removeprefix("charset=").strip('"') if params else "utf-8"
    if media.strip().lower() != CSV_MEDIA_TYPE or charset not in ("utf-8", "utf8"):
        raise ProblemError(
            415,
            "Send the file as the raw request body with Content-Type: text/csv (UTF-8).",
            slug="unsupported-media-type",
        )


async def receive_upload(chunks: AsyncIterator[bytes], settings: RegistrationSettings) -> Upload:
    """Spool and check a CSV body; on any problem nothing is left behind."""
    fd, name = tempfile.mkstemp(prefix="import-", suffix=".csv", dir=settings.import_spool_dir)
    path = Path(name)
    try:
        digest, size = await _spool(chunks, fd, settings.import_max_bytes)
        rows, columns = await asyncio.to_thread(_structure, path, settings.import_max_rows)
    except BaseException:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    return Upload(path, digest, size, rows, columns)


async def _spool(chunks: AsyncIterator[bytes], fd: int, max_bytes: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    with os.fdopen(fd, "wb") as out:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise ProblemError(413, f"An import file has at most {max_bytes} bytes.")
            _check_utf8(decoder, chunk, size - len(chunk))
            digest.update(chunk)
            out.write(chunk)
        _check_utf8(decoder, b"", size, final=True)
    if size == 0:
        raise _malformed("The file is empty; it needs a header line.")
    return digest.hexdigest(), size


def _check_utf8(
    decoder: codecs.IncrementalDecoder, chunk: bytes, offset: int, *, final: bool = False
) -> None:
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError as error:
        raise _malformed(f"The file is not UTF-8 (byte {offset + error.start}).") from None


def _structure(path: Path, max_rows: int) -> tuple[int, tuple[str, ...]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            columns = check_header(next(reader, []))
            rows = sum(1 for cells in reader if cells)
        except HeaderProblem as problem:
            raise _malformed(str(problem)) from None
        except csv.Error as error:
            raise _malformed(f"The CSV is malformed at line {reader.line_num}: {error}.") from None
    if rows == 0:
        raise _malformed(f"The file has a header but no rows. Expected header: {HEADER_EXAMPLE}")
    if rows > max_rows:
        raise ProblemError(413, f"An import file has at most {max_rows} rows; split the file.")
    return rows, columns


def _malformed(detail: str) -> ProblemError:
    return ProblemError(422, detail, title="Malformed CSV file", slug="malformed-csv")
