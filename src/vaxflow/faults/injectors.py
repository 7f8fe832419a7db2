"""The faults themselves: signals to the stack's processes, Kafka messages, fault points.

Processes are found through the stack's supervisor (each program runs as the leader of its
own process group, so a signal to the group reaches everything it started). The supervisor
restarts a killed program (`autorestart=true`); a watchdog here starts again any program the
supervisor gave up on (FATAL after quick failures), as Kubernetes would keep restarting a pod.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from vaxflow.faults.config import FaultsConfig
from vaxflow.faults.drain import group_offsets, idle_groups, partitions
from vaxflow.faults.schedule import Planned
from vaxflow.simulate.runner import LOCAL
from vaxflow.stack.config import StackSettings
from vaxflow.stack.routes import load_routes
from vaxflow.stack.supervisor import Supervisor

POISON_PREFIX = b"poison:"
REPLAY_TOPICS = ("injection.dose.v1", "scheduling.appointment.v1")
DOWN_STATES = ("FATAL", "EXITED", "STOPPED", "BACKOFF")
# A probe of the API while a dependency is down: a path that needs it, no login needed.
PROBES = {
    "redis": "/api/v1/availability",  # availability is served from Redis
    "ferretdb": "/api/v1/revocations",  # the certificate service reads its database
}
PROBED_SERVICE = {"redis": "scheduling", "ferretdb": "certificate"}

Record = dict[str, Any]


class Stack:
    """The running stack's processes, through its supervisor, and readiness of each part."""

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.supervisor = Supervisor(settings)
        routes = load_routes(settings.deploy_dir / "gateway" / "routes.toml")
        self.ready_urls = {
            r.name: f"http://{settings.host}:{r.port}{r.ready_path}" for r in routes.service
        }
        self.points_file = settings.stack_dir / "faults" / "points"
        self.held_down: set[str] = set()  # stopped on purpose: the watchdog leaves them
        self.paused: set[int] = set()
        self.watchdog_starts: list[Record] = []

    async def pid(self, name: str) -> int:
        """The running pid of a part (0 when it does not run)."""
        info = await asyncio.to_thread(self.supervisor.info, name)
        return int(info["pid"]) if info and info["statename"] == "RUNNING" else 0

    async def states(self) -> dict[str, str]:
        """Every part's supervisor state."""
        rows = await asyncio.to_thread(self.supervisor.all_info)
        return {row["name"]: row["statename"] for row in rows}

    async def signal(self, name: str, sig: signal.Signals) -> int:
        """Send a signal to a part's whole process group; the pid signalled (0: not running)."""
        pid = await self.pid(name)
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, sig)
        return pid

    async def ready(self, name: str) -> bool:
        """Whether a part answers: a service's ready path, the infrastructure's own probe."""
        if name in self.ready_urls:
            try:
                async with httpx.AsyncClient(timeout=2) as client:
                    return (await client.get(self.ready_urls[name])).status_code == 200
            except httpx.HTTPError:
                return False
        return await _infrastructure_ready(name, self.settings)

    async def wait_ready(self, name: str, timeout_s: float, *, old_pid: int = 0) -> float | None:
        """Seconds until the part runs (under a new pid, if given) and answers; None: not."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            pid = await self.pid(name)
            if pid and pid != old_pid and await self.ready(name):
                return round(time.monotonic() - started, 2)
            await asyncio.sleep(0.5)
        return None

    async def watchdog(self, names: tuple[str, ...], started: float) -> None:
        """Start again any part the supervisor gave up on, until cancelled."""
        while True:
            await asyncio.sleep(2.0)
            with contextlib.suppress(Exception):  # the supervisor itself may be slow to answer
                for name, state in (await self.states()).items():
                    if name in names and name not in self.held_down and state in DOWN_STATES:
                        await asyncio.to_thread(self.supervisor.start, name)
                        at = round(time.monotonic() - started, 1)
                        self.watchdog_starts.append({"at_s": at, "part": name, "state": state})

    def write_points(self, text: str) -> None:
        """Turn fault points on in every service (they re-read the file within a second)."""
        self.points_file.parent.mkdir(parents=True, exist_ok=True)
        self.points_file.write_text(text + "\n", "utf-8")

    def clear_points(self) -> None:
        """Turn every fault point off."""
        self.points_file.unlink(missing_ok=True)

    async def restore(self, names: tuple[str, ...], timeout_s: float) -> dict[str, float | None]:
        """Undo every fault still in effect, start what is down, wait until all answer."""
        self.clear_points()
        for pid in list(self.paused):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGCONT)
        self.paused.clear()
        self.held_down.clear()
        states = await self.states()
        for name in names:
            if states.get(name) != "RUNNING":
                await asyncio.to_thread(self.supervisor.start, name)
        return {name: await self.wait_ready(name, timeout_s) for name in names}


async def _infrastructure_ready(name: str, settings: StackSettings) -> bool:
    try:
        if name == "kafka":
            admin = AIOKafkaAdminClient(
                bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=3000
            )
            await asyncio.wait_for(admin.start(), 5)
            try:
                await asyncio.wait_for(admin.list_topics(), 5)
            finally:
                await admin.close()
        elif name == "ferretdb":
            client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
                settings.mongo_url, serverSelectionTimeoutMS=2000
            )
            try:
                await client.admin.command("ping")
            finally:
                await client.close()
        elif name == "redis":
            from redis.asyncio import Redis

            redis = Redis.from_url(settings.redis_url, socket_timeout=2)
            try:
                await redis.ping()
            finally:
                await redis.aclose()
    except Exception:
        return False
    return True


class Injector:
    """Injects one planned fault at a time and records what it did and how long parts took."""

    def __init__(self, stack: Stack, config: FaultsConfig, started: float) -> None:
        self.stack = stack
        self.config = config
        self.started = started
        self.poison: list[Record] = []
        self.probes: list[Record] = []
        self.waiting: list[asyncio.Task[None]] = []  # restarts still being timed
        self._record: Record = {}

    def time_restart(self, name: str, old_pid: int = 0) -> None:
        """Time, in the background, until the part answers again (the fault's `restart_s`)."""
        record = self._record

        async def wait() -> None:
            record["restart_s"] = await self.stack.wait_ready(
                name, self.config.recover_timeout_s, old_pid=old_pid
            )

        self.waiting.append(asyncio.create_task(wait()))

    async def finish(self) -> None:
        """Wait until every restart being timed has answered (or timed out)."""
        await asyncio.gather(*self.waiting, return_exceptions=True)

    def now(self) -> float:
        """Seconds since the day started."""
        return round(time.monotonic() - self.started, 2)

    async def inject(self, planned: Planned) -> Record:
        """Inject one fault; its record (kind, target, start and end, what it measured)."""
        kinds: dict[str, Callable[[Planned], Awaitable[Record]]] = {
            "kill": self._kill,
            "pause": self._pause,
            "kafka": self._kill,
            "ferretdb": self._ferretdb,
            "redis": self._redis,
            "poison": self._poison,
            "replay": self._replay,
            "rewind": self._rewind,
            "crash_points": self._crash_points,
            "slow": self._slow,
        }
        record: Record = {"kind": planned.kind, "target": planned.target, "start_s": self.now()}
        self._record = record  # where a restart timed in the background writes its figure
        try:
            record.update(await kinds[planned.kind](planned))
        except Exception as error:  # a fault that could not be injected is reported, not fatal
            record["error"] = f"{type(error).__name__}: {error}"
        record["end_s"] = self.now()
        return record

    async def _kill(self, planned: Planned) -> Record:
        pid = await self.stack.signal(planned.target, signal.SIGKILL)
        if not pid:
            return {"skipped": "not running"}
        record: Record = {"pid": pid}
        self.time_restart(planned.target, old_pid=pid)
        return record

    async def _pause(self, planned: Planned) -> Record:
        pid = await self.stack.signal(planned.target, signal.SIGSTOP)
        if not pid:
            return {"skipped": "not running"}
        self.stack.paused.add(pid)
        try:
            await asyncio.sleep(self.config.pause_s)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGCONT)
            self.stack.paused.discard(pid)
        record: Record = {"pid": pid, "paused_s": self.config.pause_s}
        self.time_restart(planned.target)
        return record

    async def _ferretdb(self, planned: Planned) -> Record:
        # The probe should see FerretDB down, not a service still restarting after a kill.
        await self.stack.wait_ready(PROBED_SERVICE["ferretdb"], self.config.recover_timeout_s)
        pid = await self.stack.signal("ferretdb", signal.SIGKILL)
        record: Record = {"pid": pid, "probe": await self._probe("ferretdb")}
        self.time_restart("ferretdb", old_pid=pid)
        return record

    async def _redis(self, planned: Planned) -> Record:
        await self.stack.wait_ready(PROBED_SERVICE["redis"], self.config.recover_timeout_s)
        self.stack.held_down.add("redis")
        try:
            await asyncio.to_thread(self.stack.supervisor.stop, "redis")
            probe = await self._probe("redis")
            await asyncio.sleep(max(0.0, self.config.redis_down_s - probe["seconds"]))
        finally:
            self.stack.held_down.discard("redis")
            await asyncio.to_thread(self.stack.supervisor.start, "redis")
        record: Record = {"down_s": self.config.redis_down_s, "probe": probe}
        self.time_restart("redis")
        return record

    async def _probe(self, dependency: str) -> Record:
        """One public request that needs the dependency, while it is down: how it answered."""
        # The campaign's today (Viet Nam's), which scheduling checks dates against: from 17:00
        # UTC the UTC date is already yesterday there, and a past date is a 422.
        today = datetime.now(LOCAL).date()
        params = {"site_id": str(uuid.uuid4()), "date": today.isoformat()}
        url = self.config.gateway_url.rstrip("/") + PROBES[dependency]
        started = time.monotonic()
        probe: Record = {"dependency": dependency, "path": PROBES[dependency]}
        try:
            # A request still unanswered at the timeout is a hang: it ends as a transport error
            # (status 0), never as the 503 the API owes.
            async with httpx.AsyncClient(timeout=self.config.api_timeout_s) as client:
                answer = await client.get(url, params=params)
            probe["status"] = answer.status_code
            probe["retry_after"] = answer.headers.get("retry-after")
            probe["content_type"] = answer.headers.get("content-type")
            with contextlib.suppress(ValueError):
                body = answer.json()
                probe["named"] = body.get("dependency") if isinstance(body, dict) else None
        except httpx.HTTPError as error:
            probe["status"] = 0
            probe["error"] = type(error).__name__
        probe["seconds"] = round(time.monotonic() - started, 2)
        self.probes.append(probe)
        return probe

    async def _poison(self, planned: Planned) -> Record:
        from vaxflow.stack.topics import registry_names

        producer = AIOKafkaProducer(bootstrap_servers=self.stack.settings.kafka_bootstrap)
        await producer.start()
        sent = []
        try:
            for topic in registry_names():
                marker = f"{self.config.seed}:{len(self.poison)}:{uuid.uuid4().hex[:8]}"
                value = POISON_PREFIX + marker.encode() + b" {not json"
                meta = await producer.send_and_wait(
                    topic, value=value, key=b"poison-" + marker.encode()
                )
                row = {"topic": topic, "partition": meta.partition, "offset": meta.offset}
                self.poison.append(row | {"at_s": self.now()})
                sent.append(row)
        finally:
            await producer.stop()
        return {"messages": len(sent)}

    async def _replay(self, planned: Planned) -> Record:
        bootstrap = self.stack.settings.kafka_bootstrap
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
        await consumer.start()
        await producer.start()
        replayed: dict[str, int] = {}
        try:
            layout = await partitions(bootstrap, list(REPLAY_TOPICS))
            for topic in REPLAY_TOPICS:
                tps = [TopicPartition(topic, p) for p in layout.get(topic, [])]
                messages = await _last_messages(consumer, tps, self.config.replay_count)
                for m in messages:
                    await producer.send(topic, value=m.value, key=m.key, headers=list(m.headers))
                replayed[topic] = len(messages)
            await producer.flush()
        finally:
            await consumer.stop()
            await producer.stop()
        return {"replayed": replayed}

    async def _rewind(self, planned: Planned) -> Record:
        """Stop a service, move its groups' committed offsets back, start it: it reads again.

        Kafka accepts offsets for a group only while no member holds it, so the service is
        stopped (its consumers leave the group) until every one of its groups is empty.
        """
        bootstrap = self.stack.settings.kafka_bootstrap
        service = planned.target
        self.stack.held_down.add(service)
        rewound: dict[str, int] = {}
        try:
            await asyncio.to_thread(self.stack.supervisor.stop, service)
            committed = {
                g: o
                for g, o in (await group_offsets(bootstrap)).items()
                if g == service or g.startswith(f"{service}.")
            }
            deadline = time.monotonic() + 60
            while set(committed) - await idle_groups(bootstrap):
                if time.monotonic() > deadline:
                    return {"skipped": "the service's groups did not empty"}
                await asyncio.sleep(1.0)
            for group, offsets in committed.items():
                rewound[group] = await _rewind_group(
                    bootstrap, group, offsets, self.config.replay_count
                )
        finally:
            self.stack.held_down.discard(service)
            await asyncio.to_thread(self.stack.supervisor.start, service)
        self.time_restart(service)
        return {"rewound": rewound}

    async def _crash_points(self, planned: Planned) -> Record:
        p = self.config.crash_probability
        return await self._points(
            f"consumer.after_effect=crash:{p}\nrelay.after_publish=crash:{p}", planned
        )

    async def _slow(self, planned: Planned) -> Record:
        return await self._points(
            f"consumer.before_effect=delay:{self.config.slow_delay_s}", planned
        )

    async def _points(self, text: str, planned: Planned) -> Record:
        before = {name: await self.stack.pid(name) for name in self.config.services}
        self.stack.write_points(text)
        try:
            await asyncio.sleep(self.config.window_s)
        finally:
            self.stack.clear_points()
        await asyncio.sleep(2.0)
        after = {name: await self.stack.pid(name) for name in self.config.services}
        crashed = sorted(n for n in before if before[n] and after[n] != before[n])
        return {
            "points": text.replace("\n", ","),
            "window_s": self.config.window_s,
            "crashed": crashed,
        }


async def _rewind_group(
    bootstrap: str, group: str, offsets: dict[TopicPartition, int], count: int
) -> int:
    """Commit the group's offsets `count` messages back (spread over its partitions); how many
    messages it will read again."""
    if not offsets:
        return 0
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        tps = list(offsets)
        consumer.assign(tps)
        starts = await consumer.beginning_offsets(tps)
        share = max(1, count // len(tps))
        back = {tp: max(starts[tp], offsets[tp] - share) for tp in tps}
        await consumer.commit(back)
        return sum(offsets[tp] - back[tp] for tp in tps)
    finally:
        await consumer.stop()


async def _last_messages(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], count: int
) -> list[Any]:
    """The last `count` messages of a topic (spread over its partitions), skipping poison."""
    if not tps:
        return []
    consumer.assign(tps)
    ends = await consumer.end_offsets(tps)
    starts = await consumer.beginning_offsets(tps)
    share = max(1, count // len(tps))
    wanted = {tp: max(starts[tp], ends[tp] - share) for tp in tps}
    for tp, offset in wanted.items():
        consumer.seek(tp, offset)
    found: list[Any] = []
    deadline = time.monotonic() + 20
    while any(wanted[tp] < ends[tp] for tp in tps) and time.monotonic() < deadline:
        batch = await consumer.getmany(timeout_ms=1000)
        for tp, messages in batch.items():
            for m in messages:
                if m.offset < ends[tp]:
                    wanted[tp] = m.offset + 1
                    if not (m.key or b"").startswith(b"poison-"):
                        found.append(m)
    return found
