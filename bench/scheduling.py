"""Scheduling on this machine: availability reads and bookings, with zero overbooking checked.

Three parts, printed as one JSON document:

1. `gateway_reads`: `GET /api/v1/availability` through the gateway (:8080) of the running stack,
   from `--concurrency` clients each on its own loopback address: the gateway limits each client
   address (`VAXFLOW_STACK_GATEWAY_RATE_PER_SECOND` / `_BURST`, 50/s and 100 by default), and
   `gateway_reads_one_client` shows that limit from a single address (429s counted).
2. `direct_reads`: the same reads on the running scheduling service's own port (:8103).
3. `bookings` and `race`: a bench instance of the service (its real app under uvicorn, in a
   child process, on a fresh database and topics of its own, trusting a local token issuer so
   that citizen tokens can be minted) takes `--bookings` self-bookings of distinct citizens,
   then 1,000 bookings, 200 at a time, for the last 10 places of one slot; the session documents'
   counters and the appointments are then counted: booked never exceeds capacity.

`gateway_reads` and `bookings` also carry their CPU cost per request by part of the system
(`bench/cpu.py`: every process's CPU time over the run, the load generator apart) and the
ceiling it sets: the machine's cores divided by that cost.

The load generator runs in this process and shares the machine's 2 cores with the service,
so the figures are a floor. Everything the bench creates is removed.

    uv run python bench/scheduling.py [--reads 5000] [--bookings 3000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cpu
import httpx

GATEWAY = os.environ.get("VAXFLOW_GATEWAY_URL", "http://127.0.0.1:8080")
SERVICE = "http://127.0.0.1:8103"
BENCH_PORT = 18103
AZ = "EU/1/21/1529"


def summary(latencies: list[float], statuses: dict[int, int], elapsed: float) -> dict[str, Any]:
    """Throughput, latency percentiles (ms) and status counts of one run."""
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


async def load(
    client: httpx.AsyncClient,
    requests: list[tuple[str, str, Any, dict[str, str]]],
    concurrency: int,
) -> tuple[dict[str, Any], list[httpx.Response]]:
    """Send requests with at most `concurrency` in flight; the summary and the responses."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    responses: list[httpx.Response] = []
    queue = iter(requests)

    async def worker() -> None:
        for method, url, body, headers in queue:
            started = time.perf_counter()
            try:
                response = await client.request(method, url, json=body, headers=headers)
            except httpx.HTTPError:  # counted as status 0: the connection failed
                statuses[0] = statuses.get(0, 0) + 1
                continue
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            responses.append(response)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return summary(latencies, statuses, time.perf_counter() - started), responses


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


async def reads(base: str, count: int, concurrency: int, *, spread: bool = False) -> dict[str, Any]:
    """Availability reads of the demo district for today.

    With `spread`, each of the `concurrency` clients sends from its own loopback address, as
    separate people would, so that the gateway's per-client limit applies to each of them.
    """
    url = f"{base}/api/v1/availability?district=760&date={_today().isoformat()}"
    clients = [
        httpx.AsyncClient(
            timeout=30,
            transport=httpx.AsyncHTTPTransport(
                local_address=f"127.0.{1 + i // 250}.{1 + i % 250}" if spread else None
            ),
        )
        for i in range(concurrency if spread else 1)
    ]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    per_client = count // len(clients)

    async def run(client: httpx.AsyncClient, n: int) -> None:
        for _ in range(n):
            started = time.perf_counter()
            try:
                response = await client.get(url)
            except httpx.HTTPError:
                statuses[0] = statuses.get(0, 0) + 1
                continue
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    try:
        await clients[0].get(url)
        started = time.perf_counter()
        if spread:
            await asyncio.gather(*(run(c, per_client) for c in clients))
        else:
            share = [count // concurrency] * concurrency
            await asyncio.gather(*(run(clients[0], n) for n in share))
        return summary(latencies, statuses, time.perf_counter() - started)
    finally:
        for client in clients:
            await client.aclose()


# ---------------------------------------------------------------- the bench instance (child)


async def serve(spec_path: Path, database: str, bookings: int) -> None:
    """Child process: the service on a fresh database, a session, citizens and their tokens."""
    import uvicorn
    from vaxflow_scheduling.consumers import ReadTopics
    from vaxflow_scheduling.handlers.components import Topics
    from vaxflow_scheduling.main import build_app
    from vaxflow_scheduling.settings import SchedulingSettings
    from vaxflow_scheduling.store.citizens import details_of

    from vaxflow_servicekit.auth_testing import LocalTokenIssuer
    from vaxflow_servicekit.kafka import ensure_topics
    from vaxflow_servicekit.logging import configure_logging

    configure_logging("scheduling-bench", "warning")
    settings = SchedulingSettings(
        environment="test",
        mongo_database=database,
        port=BENCH_PORT,
        consumer_group=f"bench-{database}",
        redis_prefix=f"bench-{database[-8:]}",
    )
    names = [f"bench.{database[-8:]}.{s}.v1" for s in ("appointment", "stock", "c", "d", "l")]
    await ensure_topics(settings.kafka, names, partitions=1)
    issuer = LocalTokenIssuer(settings.auth)
    app = build_app(
        settings,
        "all",
        topics=Topics(names[0], names[1]),
        reads=ReadTopics(tuple(names[2:])),
        verifier=issuer.verifier(),
    )
    config = uvicorn.Config(
        app, host="127.0.0.1", port=BENCH_PORT, log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110  (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.05)
    c = app.state.components
    admin = issuer.bearer(subject="bench-admin", role="admin")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{BENCH_PORT}", timeout=60) as http:
        site = (
            await http.post(
                "/api/v1/sites",
                headers=admin,
                json={
                    "name": "Bench site",
                    "area": {"province_code": "79", "district_code": "760", "ward_code": "26740"},
                    "opens": "07:00",
                    "closes": "19:00",
                    "slot_minutes": 15,
                    "daily_capacity": 1,
                },
            )
        ).json()
        day = (c.today() + timedelta(days=1)).isoformat()
        big = (
            await http.post(
                f"/api/v1/sites/{site['site_id']}/sessions",
                headers=admin,
                json={
                    "date": day,
                    "product_code": AZ,
                    "doses": ["first"],
                    "slot_capacity": bookings // 48 + 1,
                },
            )
        ).json()
        race = (
            await http.post(
                f"/api/v1/sites/{site['site_id']}/sessions",
                headers=admin,
                json={
                    "date": day,
                    "product_code": AZ,
                    "doses": ["first"],
                    "slot_capacity": 10,
                },
            )
        ).json()
    people = [(f"acc_bench_{i}", str(uuid.uuid4())) for i in range(bookings + 1000)]
    born = date(1980, 1, 1)
    docs = [
        {"_id": cid, **details_of(acc, born, None, {}), "registered": True} for acc, cid in people
    ]
    for start in range(0, len(docs), 1000):
        await app.state.infra.db["citizens"].insert_many(docs[start : start + 1000])
    spec = {
        "big": big["session_id"],
        "race": race["session_id"],
        "slots": [s["slot"] for s in big["slots"]],
        "people": [
            [cid, issuer.token(subject=acc, role="citizen", ttl_s=3600)] for acc, cid in people
        ],
        "topics": names,
    }
    temporary = spec_path.with_suffix(".tmp")
    await asyncio.to_thread(temporary.write_text, json.dumps(spec))
    await asyncio.to_thread(temporary.replace, spec_path)
    await task


# ---------------------------------------------------------------- bookings (parent)


async def bookings(count: int, concurrency: int) -> dict[str, Any]:
    """Start the bench instance, book, race, count; remove everything."""
    database = f"bench_sched_{uuid.uuid4().hex[:8]}"
    spec_path = Path(tempfile.mkdtemp()) / "spec.json"
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        str(spec_path),
        "--database",
        database,
        "--bookings",
        str(count),
    )
    try:
        spec = await _wait_for(spec_path, child)
        return await _book_all(spec, count, concurrency, database) | {"database": "dropped"}
    finally:
        with contextlib.suppress(ProcessLookupError):
            child.terminate()
        try:
            await asyncio.wait_for(child.wait(), timeout=30)
        except TimeoutError:
            child.kill()
            await child.wait()
        await _cleanup(database, spec_path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data


async def _wait_for(path: Path, child: asyncio.subprocess.Process) -> dict[str, Any]:
    for _ in range(1200):
        spec = await asyncio.to_thread(_read_json, path)
        if spec is not None:
            return spec
        if child.returncode is not None:
            raise RuntimeError("the bench instance stopped")
        await asyncio.sleep(0.25)
    raise TimeoutError("the bench instance did not start")


async def _book_all(
    spec: dict[str, Any], count: int, concurrency: int, database: str
) -> dict[str, Any]:
    base = f"http://127.0.0.1:{BENCH_PORT}/api/v1/appointments"
    people, slots = spec["people"], spec["slots"]
    requests = [
        (
            "POST",
            base,
            {"citizen_id": cid, "session_id": spec["big"], "slot": slots[i % len(slots)]},
            {"Authorization": f"Bearer {token}"},
        )
        for i, (cid, token) in enumerate(people[:count])
    ]
    racers = [
        (
            "POST",
            base,
            {"citizen_id": cid, "session_id": spec["race"], "slot": "s0700"},
            {"Authorization": f"Bearer {token}"},
        )
        for cid, token in people[count:]
    ]
    limits = httpx.Limits(max_connections=max(concurrency, 200))
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        before = cpu.snapshot()
        booked, _ = await load(client, requests, concurrency)
        booked = cpu.attach(booked, before, booked["requests"])
        raced, _ = await load(client, racers, 200)
    return {"bookings": booked, "race_1000_for_10": raced, **await _count(spec, database)}


async def _count(spec: dict[str, Any], name: str) -> dict[str, Any]:
    from vaxflow_servicekit.mongo import create_mongo_client
    from vaxflow_servicekit.settings import MongoSettings

    client = create_mongo_client(MongoSettings())
    try:
        sessions = {d["_id"]: d async for d in client[name]["sessions"].find({})}
        overbooked = sum(
            1
            for s in sessions.values()
            for slot in s["slots"]
            if s["booked"][slot["key"]] > slot["capacity"] or s["free"][slot["key"]] < 0
        )
        race = sessions[spec["race"]]
        return {
            "overbooked_slots": overbooked,
            "race_booked": race["booked"]["s0700"],
            "race_capacity": 10,
            "appointments": await client[name]["appointments"].count_documents({}),
        }
    finally:
        await client.close()


async def _cleanup(database: str, spec_path: Path) -> None:
    from aiokafka.admin import AIOKafkaAdminClient
    from redis.asyncio import Redis

    from vaxflow_servicekit.mongo import create_mongo_client
    from vaxflow_servicekit.settings import KafkaSettings, MongoSettings, RedisSettings

    spec = await asyncio.to_thread(_read_json, spec_path) or {"topics": []}
    client = create_mongo_client(MongoSettings())
    await client.drop_database(database)
    await client.close()
    redis = Redis.from_url(RedisSettings().url)
    keys = [k async for k in redis.scan_iter(match=f"bench-{database[-8:]}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()
    admin = AIOKafkaAdminClient(bootstrap_servers=KafkaSettings().bootstrap)
    await admin.start()
    with contextlib.suppress(Exception):
        existing = set(await admin.list_topics())
        doomed = [t for t in spec["topics"] if t in existing]
        doomed += [t for t in existing if t == f"bench-{database}.dlq"]
        if doomed:
            await admin.delete_topics(doomed)
    await admin.close()
    await asyncio.to_thread(spec_path.unlink, missing_ok=True)


async def main(args: argparse.Namespace) -> None:
    """Run the parts and print one JSON document."""
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "gateway_reads_one_client": await reads(GATEWAY, min(args.reads, 1000), 20),
    }
    before = cpu.snapshot()
    gateway = await reads(GATEWAY, args.reads, args.concurrency, spread=True)
    result["gateway_reads"] = cpu.attach(gateway, before, gateway["requests"])
    result["direct_reads"] = await reads(SERVICE, args.reads, args.concurrency)
    result |= await bookings(args.bookings, args.concurrency)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=5000)
    parser.add_argument("--bookings", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.serve:
        asyncio.run(serve(parsed.serve, parsed.database, parsed.bookings))
    else:
        asyncio.run(main(parsed))
