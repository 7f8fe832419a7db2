"""Recording doses through the gateway on this machine: doses per second and latency.

Runs against the running stack (`make up`): logs in as the main demo site's vaccinator, writes
the scene for N citizens straight into injection's read models (registered, checked in today,
screened eligible, the site holding an unexpired lot: what its consumer would have built from
the topics), then records one dose per citizen with `POST /api/v1/doses` through the gateway
(http://127.0.0.1:8080) from `--clients` concurrent clients. The gateway limits each client
address to its per-client rate, so each client sends from its own loopback address (as each
site would from its own), like many sites at once. Prints one JSON document, with the CPU
cost per dose by part of the system over the run (`bench/cpu.py`; the consumers downstream
work meanwhile and count too) and the ceiling it sets on the machine's cores.

The doses stay in injection's database and their DoseAdministered events go out on
injection.dose.v1 like any other (the downstream flow is measured by the campaign benchmark).

    uv run python bench/injection.py [--doses 5000] [--clients 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cpu
import httpx
from vaxflow_injection.settings import InjectionSettings
from vaxflow_injection.store.readmodels import check_in_key

from vaxflow_events import lot_id_for
from vaxflow_servicekit.mongo import create_mongo_client
from vaxflow_servicekit.settings import MongoSettings

ROOT = Path(__file__).resolve().parents[1]
SITE = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
PRODUCT = "EU/1/20/1528"
HOLDER = {
    "family_name": "Nguyễn",
    "given_name": "Văn An",
    "family_name_icao": "NGUYEN",
    "given_name_icao": "VAN<AN",
    "date_of_birth": "1985-03-14",
}
AREA = {"province_code": "79", "district_code": "760", "ward_code": "26734"}


def _gateway() -> str:
    return os.environ.get("VAXFLOW_GATEWAY_URL", "http://127.0.0.1:8080")


def staff_token() -> str:
    entries = json.loads((ROOT / ".stack" / "demo-credentials.json").read_text("utf-8"))
    vaccinator = next(e for e in entries if e.get("site_id") == SITE and e["role"] == "vaccinator")
    response = httpx.post(
        f"{_gateway()}/api/v1/auth/staff/login",
        json={"username": vaccinator["username"], "password": vaccinator["password"]},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


async def scene(count: int, lot_number: str) -> list[str]:
    """Citizens registered, checked in, screened, and the lot at the site: in the read models."""
    settings = InjectionSettings(mongo_database=os.environ.get("BENCH_DB", "injection"))
    client = create_mongo_client(MongoSettings())
    db = client[settings.database_name]
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(settings.local_timezone)).date()
    citizens = [str(uuid.uuid4()) for _ in range(count)]
    residence = {"province_code": "79", "district_code": None, "ward_code": "26740"}
    await db["citizens"].insert_many(
        [
            {"_id": c, "holder": HOLDER, "residence": residence, "account_id": None, "as_of": now}
            for c in citizens
        ]
    )
    await db["check_ins"].insert_many(
        [
            {"_id": check_in_key(uuid.UUID(c), uuid.UUID(SITE), today), "appointment_id": None}
            for c in citizens
        ]
    )
    await db["screenings"].insert_many(
        [
            {
                "_id": str(uuid.uuid4()),
                "citizen_id": c,
                "site_id": SITE,
                "local_date": today.isoformat(),
                "screened_at": now,
                "outcome": "eligible",
                "product_code": PRODUCT,
                "contraindicated_products": [],
            }
            for c in citizens
        ]
    )
    lot = {
        "product_code": PRODUCT,
        "manufacturer_code": "ORG-100030215",
        "lot_number": lot_number,
        "expiry_date": (date.today() + timedelta(days=90)).isoformat(),
    }
    await db["site_lots"].update_one(
        {"_id": f"{SITE}|{lot_id_for(PRODUCT, lot_number)}"}, {"$set": lot}, upsert=True
    )
    await db["site_areas"].update_one({"_id": SITE}, {"$set": AREA}, upsert=True)
    await client.close()
    return citizens


async def _client_loop(
    index: int,
    queue: asyncio.Queue[str],
    token: str,
    lot: str,
    latencies: list[float],
    statuses: dict[int, int],
) -> None:
    transport = httpx.AsyncHTTPTransport(
        local_address=f"127.0.{1 + index // 250}.{1 + index % 250}"
    )
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url=_gateway(), timeout=30) as client:
        while True:
            try:
                citizen = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            body = {
                "citizen_id": citizen,
                "product_code": PRODUCT,
                "lot_number": lot,
                "body_site": "left_deltoid",
            }
            started = time.perf_counter()
            response = await client.post("/api/v1/doses", json=body, headers=headers)
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(doses: int, clients: int) -> dict[str, Any]:
    """Record `doses` doses through the gateway and measure."""
    token = staff_token()
    # One call first, so the service has fetched identity's keys before the clock starts.
    async with httpx.AsyncClient(base_url=_gateway(), timeout=10) as warm_up:
        await warm_up.get(
            f"/api/v1/citizens/{uuid.uuid4()}/doses",
            headers={"Authorization": f"Bearer {token}"},
        )
    lot = f"BENCH{uuid.uuid4().hex[:6].upper()}"
    citizens = await scene(doses, lot)
    queue: asyncio.Queue[str] = asyncio.Queue()
    for citizen in citizens:
        queue.put_nowait(citizen)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    before = cpu.snapshot()
    started = time.perf_counter()
    await asyncio.gather(
        *(_client_loop(i, queue, token, lot, latencies, statuses) for i in range(clients))
    )
    elapsed = time.perf_counter() - started
    figures = {
        "benchmark": "injection: POST /api/v1/doses through the gateway",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "doses": doses,
        "clients": clients,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(elapsed, 2),
        "doses_per_second": round(statuses.get(201, 0) / elapsed, 1),
        "latency_ms": {
            "p50": round(statistics.median(latencies) * 1000, 1),
            "p95": round(_percentile(latencies, 0.95) * 1000, 1),
            "p99": round(_percentile(latencies, 0.99) * 1000, 1),
            "max": round(max(latencies) * 1000, 1),
        },
    }
    return cpu.attach(figures, before, statuses.get(201, 0))


def main() -> None:
    """Parse the arguments, run, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doses", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.doses, args.clients)), indent=2))


if __name__ == "__main__":
    main()
