"""Text messages to citizens' phones, behind one small interface.

Services depend on `SmsSender` and get the configured adapter from `sms_sender(settings)`. The
local default, `FileSmsSender`, appends each message as one JSON line (`to`, `text`, `sent_at`)
to `.stack/sms/outbox.jsonl`, so tests and the simulator read the codes and invitations there.
Appends are made under an exclusive lock in one `write`, so any number of tasks and processes
(identity, scheduling, several replicas) can share the file without tearing a line.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic_settings import BaseSettings, SettingsConfigDict

Clock = Callable[[], datetime]


class SmsSettings(BaseSettings):
    """Which SMS adapter runs, and where the local one writes (relative to the working folder)."""

    model_config = SettingsConfigDict(env_prefix="VAXFLOW_SMS_", extra="ignore", frozen=True)

    backend: Literal["file"] = "file"
    outbox_path: Path = Path(".stack/sms/outbox.jsonl")


@dataclass(frozen=True, slots=True)
class SmsMessage:
    """One message as sent: the recipient's number, the text, and when it left."""

    to: str
    text: str
    sent_at: datetime

    def to_json(self) -> str:
        """One JSON line, without the newline."""
        body = {"to": self.to, "text": self.text, "sent_at": self.sent_at.isoformat()}
        return json.dumps(body, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> SmsMessage:
        """Parse a line written by `to_json`."""
        body = json.loads(line)
        return cls(body["to"], body["text"], datetime.fromisoformat(body["sent_at"]))


class SmsSender(Protocol):
    """Sends one text message; raises if the message could not be handed over."""

    async def send(self, to: str, text: str) -> None: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FileSmsSender:
    """The local SMS gateway: one JSON line per message in an append-only file."""

    def __init__(self, path: Path, *, clock: Clock = _utc_now) -> None:
        self.path = path
        self._clock = clock

    async def send(self, to: str, text: str) -> None:
        """Append the message; returns once it is written."""
        message = SmsMessage(to=to, text=text, sent_at=self._clock())
        await asyncio.to_thread(self._append, (message.to_json() + "\n").encode())

    def _append(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
        finally:
            os.close(fd)  # closing releases the lock


def sms_sender(settings: SmsSettings) -> SmsSender:
    """The sender the settings choose."""
    return FileSmsSender(settings.outbox_path)


def read_outbox(path: Path) -> list[SmsMessage]:
    """Every message in a local outbox file, oldest first (none if the file does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [SmsMessage.from_json(line) for line in text.splitlines() if line.strip()]
