"""The one-time codes the local SMS gateway wrote to its outbox, read as they arrive.

The outbox is one JSON line per message (`vaxflow_servicekit.sms`); the reader follows the file
from where it stood when the run began, so a run of thousands of logins reads each line once.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from vaxflow_servicekit.sms import SmsMessage

CODE = re.compile(r"\b(\d{6})\b")


class OtpInbox:
    """Codes by phone number (+84 form) from the SMS outbox."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = path.stat().st_size if path.exists() else 0
        self._codes: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def _read_new(self) -> None:
        async with self._lock:
            data = await asyncio.to_thread(self._read_from, self._offset)
            complete = data[: data.rfind(b"\n") + 1]
            self._offset += len(complete)
            for line in complete.decode("utf-8").splitlines():
                if not line.strip():
                    continue
                message = SmsMessage.from_json(line)
                found = CODE.findall(message.text)
                if found and "ma xac thuc" in message.text.lower():
                    self._codes[message.to] = found[0]

    def _read_from(self, offset: int) -> bytes:
        if not self._path.exists():
            return b""
        with self._path.open("rb") as file:
            if file.seek(0, 2) < offset:  # the outbox was emptied: read it from the start
                self._offset = offset = 0
            file.seek(offset)
            return file.read()

    async def code_for(self, phone: str, timeout_s: float = 15.0) -> str | None:
        """The newest code sent to this national number (0...), waiting for it to arrive."""
        to = "+84" + phone[1:]
        loop = asyncio.get_running_loop()
        give_up = loop.time() + timeout_s
        while True:
            code = self._codes.pop(to, None)
            if code is not None:
                return code
            if loop.time() > give_up:
                return None
            await self._read_new()
            if to not in self._codes:
                await asyncio.sleep(0.1)
