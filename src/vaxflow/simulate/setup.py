"""Before the day starts: the sites taking part, their staff logins and a lot of the run's own.

All through the gateway: the sites and today's sessions from the public availability, staff
accounts created by the demo admin (`vaxflow seed` wrote its login), stock received by each
site's manager. The lot is new for every run, so the stock check counts only this run's doses.
"""

from __future__ import annotations

import json
import math
import secrets
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from vaxflow.simulate.actors import DOSES_PER_VIAL, SimSite, Staff
from vaxflow.simulate.config import SimulationConfig
from vaxflow.simulate.gateway import Answer, Gateway, address

DEMO_SITES = ("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01", "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02")


class SetupError(RuntimeError):
    """The stack is not ready for a simulation (what is missing is in the message)."""


def demo_admin(config: SimulationConfig, role: str = "admin", index: int = 0) -> Staff:
    """A seeded demo login (from `vaxflow seed`'s credentials file): the admin by default."""
    if not config.credentials_path.exists():
        raise SetupError(f"{config.credentials_path} is missing: run `vaxflow seed` first")
    entries = json.loads(config.credentials_path.read_text("utf-8"))
    entry = next((e for e in entries if e["role"] == role), None)
    if entry is None:
        raise SetupError(f"no {role} in the demo credentials: run `vaxflow seed`")
    return Staff(entry["username"], entry["password"], address(3, index))


async def todays_sessions(gateway: Gateway, today: date) -> list[dict[str, Any]]:
    """Every session of today in the public availability, one per site, demo sites first."""
    found: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    source = address(0, 0)
    while True:
        params: dict[str, Any] = {"date": today.isoformat(), "limit": 100}
        if cursor:
            params["cursor"] = cursor

        async def send(params: dict[str, Any] = params) -> Answer:
            return await gateway.call(
                source, "GET /availability", "GET", "/availability", params=params
            )

        page = await gateway.until_ready(send, "GET /availability", 200, 30, not_yet=())
        if page is None:
            raise SetupError("GET /availability did not answer: is the stack up (`make up`)?")
        for item in page.body["items"]:
            found.setdefault(item["site_id"], item)
        cursor = page.body.get("next_cursor")
        if not cursor:
            break
    return sorted(found.values(), key=lambda i: (i["site_id"] not in DEMO_SITES, i["site_id"]))


def _staff_file(path: Path) -> dict[str, Any]:
    if path.exists():
        stored: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return stored
    return {"suffix": secrets.token_hex(3), "accounts": {}}


async def site_staff(
    gateway: Gateway, config: SimulationConfig, admin: Staff, site_ids: list[str]
) -> dict[str, tuple[Staff, Staff]]:
    """A vaccinator and a manager per site, created once by the admin and kept in a file."""
    stored = _staff_file(config.staff_path)
    accounts: dict[str, str] = stored["accounts"]
    staff: dict[str, tuple[Staff, Staff]] = {}
    for n, site_id in enumerate(site_ids):
        pair: list[Staff] = []
        for role, short in (("vaccinator", "vac"), ("site_manager", "mgr")):
            username = f"sim.{short}.{site_id.replace('-', '')}.{stored['suffix']}"
            if username not in accounts:
                password = secrets.token_urlsafe(16)
                body = {"username": username, "password": password, "role": role}
                body["site_id"] = site_id
                token = await admin.bearer(gateway)

                async def send(body: dict[str, Any] = body, token: str = token) -> Answer:
                    return await gateway.call(
                        admin.source,
                        "POST /auth/staff",
                        "POST",
                        "/auth/staff",
                        json=body,
                        token=token,
                    )

                created = await gateway.until_ready(send, "POST /auth/staff", 201, 30, not_yet=())
                if created is None:
                    raise SetupError(f"creating the staff account {username} was refused")
                accounts[username] = password
                config.staff_path.parent.mkdir(parents=True, exist_ok=True)
                config.staff_path.write_text(json.dumps(stored, indent=2), "utf-8")
                config.staff_path.chmod(0o600)
            pair.append(Staff(username, accounts[username], address(0, 1 + 2 * n + len(pair))))
        staff[site_id] = (pair[0], pair[1])
    return staff


async def receive(gateway: Gateway, site: SimSite, doses: int, today: date) -> None:
    """The site's manager receives doses of the run's lot."""
    body = {
        "receipt_id": str(uuid.uuid4()),  # the same receipt when a retry follows a timeout
        "site_id": site.site_id,
        "product_code": site.product_code,
        "lot_number": site.lot_number,
        "expiry_date": (today + timedelta(days=180)).isoformat(),
        "doses_per_vial": DOSES_PER_VIAL.get(site.product_code, 10),
        "doses_received": doses,
    }
    token = await site.manager.bearer(gateway)

    async def send() -> Answer:
        return await gateway.call(
            site.manager.source,
            "POST /stock/receipts",
            "POST",
            "/stock/receipts",
            json=body,
            token=token,
        )

    answer = await gateway.until_ready(send, "POST /stock/receipts", 201, 30, not_yet=())
    if answer is None:
        raise SetupError(f"stock receipt at {site.site_id} was refused (see the errors)")
    site.lot_id = str(answer.body["lot_id"])
    site.received += doses


def first_receipt(config: SimulationConfig, sites: int) -> int:
    """Doses each site receives at the start: its share of the day and a margin."""
    return math.ceil(config.citizens() / sites * 1.1) + 10
