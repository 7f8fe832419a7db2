"""The local SMS outbox: one intact JSON line per message, whoever writes concurrently."""

from __future__ import annotations

import asyncio
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

from vaxflow_servicekit.sms import FileSmsSender, SmsSettings, read_outbox, sms_sender

FIXED = datetime(2026, 1, 15, 8, 30, tzinfo=UTC)


async def test_a_message_is_one_json_line_with_recipient_text_and_time(tmp_path: Path) -> None:
    path = tmp_path / "sms" / "outbox.jsonl"
    sender = FileSmsSender(path, clock=lambda: FIXED)

    await sender.send("+84912345678", "Mã xác thực: 123456")

    assert path.read_text(encoding="utf-8") == (
        '{"to": "+84912345678", "text": "Mã xác thực: 123456", '
        '"sent_at": "2026-01-15T08:30:00+00:00"}\n'
    )


async def test_the_configured_path_is_used(tmp_path: Path) -> None:
    settings = SmsSettings(outbox_path=tmp_path / "outbox.jsonl")

    await sms_sender(settings).send("+84912345678", "hello")

    assert [m.text for m in read_outbox(settings.outbox_path)] == ["hello"]


def test_no_outbox_file_means_no_messages(tmp_path: Path) -> None:
    assert read_outbox(tmp_path / "missing.jsonl") == []


async def test_concurrent_tasks_never_tear_a_line(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    sender = FileSmsSender(path)
    long_text = "x" * 5000

    await asyncio.gather(*(sender.send(f"+8491234{i:04d}", long_text) for i in range(200)))

    messages = read_outbox(path)
    assert len(messages) == 200
    assert {m.text for m in messages} == {long_text}


def _write_many(path: str, writer: int) -> None:
    sender = FileSmsSender(Path(path))
    for i in range(50):
        asyncio.run(sender.send(f"+849{writer:02d}{i:06d}", "y" * 3000))


def test_concurrent_processes_never_tear_a_line(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(str(path), w)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    messages = read_outbox(path)
    assert len(messages) == 200
    assert len({m.to for m in messages}) == 200
