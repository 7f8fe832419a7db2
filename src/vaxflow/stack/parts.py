"""What every part of the stack (Kafka, FerretDB, Redis, the gateway, a service) provides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Program:
    """How the supervisor runs one part."""

    name: str
    command: tuple[str, ...]
    directory: Path
    priority: int
    stopsignal: str = "TERM"
    stopwaitsecs: int = 10
    startsecs: int = 1
    environment: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tool:
    """An executable a part needs on this machine, and how to tell the user to get it."""

    command: str
    hint: str
    check: Callable[[], str | None] | None = None


class LogWindow:
    """The part of a log file written since we started the process.

    For a process that was already running, `started_here` is False: its start-up lines may
    be long gone (rotated), so readiness must rely on asking the process itself.
    """

    def __init__(self, path: Path, *, started_here: bool = True) -> None:
        self.path = path
        self.started_here = started_here
        self.offset = path.stat().st_size if path.exists() else 0

    def text(self) -> str:
        """Return what was written since the window opened (all of it after a rotation)."""
        if not self.path.exists():
            return ""
        with self.path.open("rb") as f:
            if f.seek(0, 2) >= self.offset:
                f.seek(self.offset)
            else:
                f.seek(0)
            return f.read().decode("utf-8", "replace")


def tail(path: Path, lines: int = 30) -> str:
    """Return the last lines of a log file, or a note that there is none."""
    if not path.exists():
        return f"(no log at {path})"
    with path.open("rb") as f:
        f.seek(max(0, f.seek(0, 2) - 64_000))
        text = f.read().decode("utf-8", "replace")
    return "\n".join(text.splitlines()[-lines:])


class Part(Protocol):
    """One process of the local stack."""

    name: str

    def ports(self) -> tuple[int, ...]:
        """Return the TCP ports this part listens on."""
        ...

    def tools(self) -> tuple[Tool, ...]:
        """Return the tools needed to prepare and run the part."""
        ...

    def prepare(self) -> None:
        """Fetch, build and configure everything the part needs before it starts."""
        ...

    def program(self) -> Program:
        """Return how the supervisor runs the part."""
        ...

    def check_ready(self, log: LogWindow) -> str | None:
        """Return None when the part answers, otherwise why it does not (yet)."""
        ...

    def describe(self) -> str:
        """Return where the part can be reached, for people."""
        ...
