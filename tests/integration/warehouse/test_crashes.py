"""Exactly once across crashes: the sink process is SIGKILLed at random points of a stream.

The real process (`python -m vaxflow_warehouse.main --role worker`) runs on topics, a group and
a data directory of the test's own, with small batches so that kills land everywhere: while
reconciling at start, while writing parts, between the range record and the renames, and
between the renames and the commit. After the last restart the rows are exactly the events
sent: none lost, none twice, and no range reported missing.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.warehouse.conftest import Streams, event_ids
from tests.unit.warehouse.factory import KEY, envelopes
from vaxflow_servicekit.testing import poll_until

pytestmark = [pytest.mark.stack, pytest.mark.slow]

EVENTS = 2000
KILLS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SPREADS = {
    # Shaping in worker processes: a kill takes the sink's process, its workers end with it.
    "2-shaping-workers": {"VAXFLOW_WAREHOUSE_SHAPING_PROCESSES": "2"},
    # Two members of the group in two processes: the kill takes the first, the other ends
    # with it, and both members' partitions are stored again by the next start.
    "2-sink-processes": {"VAXFLOW_WAREHOUSE_SINK_PROCESSES": "2"},
}


def _start(
    streams: Streams, root: Path, log: Path, spread: dict[str, str]
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VAXFLOW_PORT": str(_free_port()),
        "VAXFLOW_WAREHOUSE_DATA_DIR": str(root),
        "VAXFLOW_WAREHOUSE_GROUP": streams.group,
        "VAXFLOW_WAREHOUSE_TOPICS": json.dumps(list(streams.topics)),
        "VAXFLOW_WAREHOUSE_PSEUDONYM_KEY": KEY.decode(),
        "VAXFLOW_WAREHOUSE_BATCH_MAX_ROWS": "150",
        "VAXFLOW_WAREHOUSE_BATCH_MAX_SECONDS": "0.2",
        "VAXFLOW_WAREHOUSE_FETCH_MAX_RECORDS": "50",
        "VAXFLOW_WAREHOUSE_LOG_LEVEL": "warning",
        **spread,
        # A killed member holds its partitions until its session expires: keep that short.
        "VAXFLOW_KAFKA_SESSION_TIMEOUT_MS": "6000",
        "VAXFLOW_KAFKA_HEARTBEAT_INTERVAL_MS": "1000",
        "VAXFLOW_KAFKA_MAX_POLL_INTERVAL_MS": "10000",
    }
    command = [sys.executable, "-m", "vaxflow_warehouse.main", "--role", "worker"]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


async def _produce(streams: Streams, sent: list[str]) -> None:
    """Send the events in small bursts over several seconds, with two that do not parse."""
    stream = list(envelopes(EVENTS, seed=31))
    for i in range(0, EVENTS, 100):
        chunk = stream[i : i + 100]
        await streams.send(chunk)
        sent.extend(str(e.event_id) for e in chunk)
        if i in (500, 1500):
            await streams.send_raw(b"this is not an event")
        await asyncio.sleep(0.6)


def _ranges(root: Path) -> int:
    return len(list((root / "_ranges").rglob("*.json")))


async def _kill_at_a_random_point(
    process: subprocess.Popen[bytes], root: Path, rng: random.Random, *, during_start: bool
) -> None:
    """Kill during start-up, or at a random moment once the process is writing ranges."""
    if during_start:
        await asyncio.sleep(rng.uniform(0.5, 3.0))
    else:
        before = _ranges(root)

        async def written() -> int:
            return _ranges(root)

        await poll_until(written, accept=lambda n: n > before, timeout_s=40, what="a new range")
        await asyncio.sleep(rng.uniform(0.0, 0.8))
    children = _children(process.pid)
    if not during_start:
        assert children, "the sink's workers or members run beside it"
    process.send_signal(signal.SIGKILL)
    process.wait()
    await _gone(children)


def _children(pid: int) -> set[int]:
    """The processes a process started (the sink's shaping workers or further members)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


async def _gone(pids: set[int]) -> None:
    """Wait until these processes have ended; a worker must not outlive its killed sink."""

    async def alive() -> set[int]:
        return _alive(pids)

    await poll_until(alive, accept=lambda left: not left, timeout_s=10, what="workers ending")


@pytest.mark.parametrize("spread", sorted(SPREADS))
async def test_random_sigkills_neither_lose_nor_duplicate_a_row(
    streams: Streams, tmp_path: Path, spread: str
) -> None:
    rng = random.Random()
    root, log = tmp_path / "data", tmp_path / "sink.log"
    sent: list[str] = []
    producing = asyncio.create_task(_produce(streams, sent))
    rows_before_last_start = 0
    for kill in range(KILLS):
        process = _start(streams, root, log, SPREADS[spread])
        await _kill_at_a_random_point(process, root, rng, during_start=kill == 1)
        rows_before_last_start = len(event_ids(root))
    await producing

    process = _start(streams, root, log, SPREADS[spread])
    try:

        async def rows() -> int:
            return len(event_ids(root))

        await poll_until(rows, accept=lambda n: n >= EVENTS, timeout_s=45, what="every row")
        await asyncio.sleep(1.0)  # a duplicate written late would show now
        children = _children(process.pid)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        await _gone(children)  # workers and members end with the sink's process
    finally:
        if process.poll() is None:
            process.kill()

    stored = event_ids(root)
    twice = [event for event, n in Counter(stored).items() if n > 1]
    assert twice == []
    assert sorted(stored) == sorted(sent)
    assert 0 < rows_before_last_start < EVENTS  # the kills really interrupted the stream
    assert not (root / "_reports").exists(), "a crash must never look like tampering"
    assert not [p for p in root.rglob("*.tmp")]
