"""Durable file writes: a temporary name, flushed and fsynced, then renamed into place."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a file whose bytes are on disk when this returns (the caller renames it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())


def rename_durably(source: Path, target: Path) -> None:
    """Rename and make the rename durable."""
    os.replace(source, target)
    fsync_dir(target.parent)


def remove_quietly(path: Path) -> None:
    """Remove a file that may already be gone."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def walk_files(root: Path) -> Iterator[Path]:
    """Every file under `root` (nothing when it does not exist)."""
    if not root.exists():
        return
    for folder, _, names in os.walk(root):
        for name in names:
            yield Path(folder, name)
