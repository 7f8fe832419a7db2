"""Fault points: places where the fault suite (`vaxflow faults`) may crash or slow a process.

Off unless configured, and then nearly free: `hit(name)` returns at once when no fault is set.
Two ways to configure them, both read once per second at most:

    VAXFLOW_FAULT_POINTS="consumer.after_effect=crash:0.01,relay.after_publish=crash:0.01"
    VAXFLOW_FAULT_POINTS_FILE=.stack/faults/points   # the same text, in a file that may change

`crash:P` ends the process with `os._exit(137)` (like a SIGKILL: nothing is flushed or closed)
with probability P each time the point is passed; `delay:S` sleeps S seconds there (a slow
consumer). The points:

- `relay.after_publish`: Kafka acknowledged a batch, the outbox entries are not removed yet;
- `consumer.after_effect`: a handler's effect is durable, the offset is not committed yet;
- `consumer.before_effect`: before each message's handler (use `delay:` for a slow consumer).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

POINTS_ENV = "VAXFLOW_FAULT_POINTS"
POINTS_FILE_ENV = "VAXFLOW_FAULT_POINTS_FILE"
CRASH_STATUS = 137
RELOAD_S = 1.0
KNOWN_POINTS = frozenset({"relay.after_publish", "consumer.after_effect", "consumer.before_effect"})


@dataclass(frozen=True, slots=True)
class Fault:
    """What a point does: crash with a probability, or sleep a while."""

    action: str  # "crash" | "delay"
    value: float


def parse(text: str) -> dict[str, Fault]:
    """Read `point=crash:P,point=delay:S`; unknown points or actions raise ValueError."""
    faults: dict[str, Fault] = {}
    for item in (part.strip() for part in text.replace("\n", ",").split(",")):
        if not item or item.startswith("#"):
            continue
        point, _, spec = item.partition("=")
        action, _, value = spec.partition(":")
        point, action = point.strip(), action.strip()
        if point not in KNOWN_POINTS or action not in ("crash", "delay"):
            raise ValueError(f"fault point {item!r}: expected <point>=crash:<p> or delay:<s>")
        faults[point] = Fault(action, float(value))
    return faults


class _Points:
    """The configured faults, from the environment or re-read from the file when it changes."""

    def __init__(self, static: dict[str, Fault], path: Path | None) -> None:
        self._static = static
        self._path = path
        self._from_file: dict[str, Fault] = {}
        self._checked = 0.0
        self._mtime: float | None = None
        self._random = random.Random()  # nosec B311  # chance of an injected fault, not a secret

    def current(self) -> dict[str, Fault]:
        if self._path is not None and time.monotonic() - self._checked > RELOAD_S:
            self._checked = time.monotonic()
            self._reload(self._path)
        return {**self._static, **self._from_file} if self._from_file else self._static

    def _reload(self, path: Path) -> None:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            self._from_file, self._mtime = {}, None
            return
        if mtime != self._mtime:
            self._mtime = mtime
            try:
                self._from_file = parse(path.read_text("utf-8"))
            except (OSError, ValueError):
                self._from_file = {}

    def crashes(self, fault: Fault) -> bool:
        return self._random.random() < fault.value


def _configured() -> _Points | None:
    static = os.environ.get(POINTS_ENV, "")
    path = os.environ.get(POINTS_FILE_ENV, "")
    if not static and not path:
        return None
    return _Points(parse(static), Path(path) if path else None)


_points = _configured()


def configure(text: str | None = None, path: Path | None = None) -> None:
    """Set the faults in this process (tests); `configure()` turns them all off."""
    global _points
    _points = _Points(parse(text or ""), path) if text or path else None


async def hit(name: str) -> None:
    """Pass the fault point `name`: crash or sleep here if the configuration says so."""
    if _points is None:
        return
    fault = _points.current().get(name)
    if fault is None:
        return
    if fault.action == "delay":
        await asyncio.sleep(fault.value)
    elif _points.crashes(fault):
        os._exit(CRASH_STATUS)
