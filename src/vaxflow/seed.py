"""`vaxflow seed`: the demo data of the local stack, in steps, each safe to run again.

`make up` runs it once the stack is up. Today it has one step, the demo staff; later issues add
their steps (demo sites, campaigns) to `STEPS`, reusing the demo places below.

Demo places, fixed so every service and test names the same ones (Ho Chi Minh City, province
code 79, with its 2021 district-level units, as in the 2021 campaign):

| site id                              | district | name   | what                              |
| ------------------------------------ | -------- | ------ | --------------------------------- |
| 3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01 | 760      | Quận 1 | the main site (its staff first)   |
| 3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02 | 770      | Quận 3 | a second site, for "other site"   |

Scheduling creates the sites themselves with these ids and districts.

The demo staff's credentials go to `.stack/demo-credentials.json`: a JSON list of
{"username", "password", "role", "site_id" or "district"}, the staff of the main demo site first. A
rerun creates nobody twice and keeps the passwords already in the file (an account whose password
no longer matches the file, for example after the file was deleted, is given the file's one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaxflow_identity.domain.staff import StaffRole

from vaxflow.stack.config import StackSettings

PROVINCE_CODE = "79"


@dataclass(frozen=True, slots=True)
class DemoSite:
    """An injection site of the demo, by the id every service uses."""

    site_id: str
    district: str
    district_name: str


DEMO_SITE = DemoSite("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01", district="760", district_name="Quận 1")
OTHER_DEMO_SITE = DemoSite(
    "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02", district="770", district_name="Quận 3"
)
DEMO_SITES = (DEMO_SITE, OTHER_DEMO_SITE)


@dataclass(frozen=True, slots=True)
class DemoStaff:
    """One demo account; `password` is filled in by the seed."""

    username: str
    role: StaffRole
    site_id: str | None = None
    district: str | None = None

    def credentials(self, password: str) -> dict[str, str]:
        """The entry of the credentials file."""
        scope = {"site_id": self.site_id, "district": self.district}
        entry = {"username": self.username, "password": password, "role": self.role}
        return entry | {key: value for key, value in scope.items() if value is not None}


DEMO_STAFF = (
    DemoStaff("vaccinator.hcm0001", "vaccinator", site_id=DEMO_SITE.site_id),
    DemoStaff("manager.hcm0001", "site_manager", site_id=DEMO_SITE.site_id),
    DemoStaff("vaccinator.hcm0002", "vaccinator", site_id=OTHER_DEMO_SITE.site_id),
    DemoStaff("district.760", "district_admin", district=DEMO_SITE.district),
    DemoStaff("mcc.operator", "mcc_operator"),
    DemoStaff("admin.demo", "admin"),
)


@dataclass(frozen=True, slots=True)
class SeedContext:
    """Where the stack runs and where the seed writes; tests name databases of their own."""

    stack: StackSettings
    identity_database: str = ""
    scheduling_database: str = ""

    @property
    def credentials_path(self) -> Path:
        """The demo credentials file."""
        return self.stack.stack_dir / "demo-credentials.json"


SeedStep = Callable[[SeedContext], Awaitable[str]]


def _known_passwords(path: Path) -> dict[str, str]:
    try:
        entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {str(e["username"]): str(e["password"]) for e in entries if "password" in e}


def _write_private(path: Path, entries: list[dict[str, str]]) -> None:
    """Replace the file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(entries, file, indent=2, ensure_ascii=False)
        file.write("\n")
    temporary.replace(path)


async def seed_staff(context: SeedContext) -> str:
    """Create the demo staff in identity and write their credentials."""
    # Imported here so the stack commands do not load the service's dependencies.
    from vaxflow_identity.admin import opened
    from vaxflow_identity.handlers.staff import NewStaff, ensure_staff
    from vaxflow_identity.settings import IdentitySettings

    from vaxflow_servicekit.settings import MongoSettings, RedisSettings

    stack = context.stack
    settings = IdentitySettings(
        mongo=MongoSettings(url=stack.mongo_url),
        redis=RedisSettings(url=stack.redis_url),
        mongo_database=context.identity_database,
    )
    if settings.environment == "production":
        raise RuntimeError("demo staff are for development only")
    known = _known_passwords(context.credentials_path)
    entries, created = [], 0
    async with opened(settings) as identity:
        for demo in DEMO_STAFF:
            password = known.get(demo.username) or secrets.token_urlsafe(12)
            new = NewStaff(demo.username, password, demo.role, demo.site_id, demo.district)
            created += await ensure_staff(identity, new, created_by="seed")
            entries.append(demo.credentials(password))
    _write_private(context.credentials_path, entries)
    return f"{created} created, {len(entries) - created} already there; {context.credentials_path}"


async def seed_campaign(context: SeedContext) -> str:
    """Create the demo campaign in scheduling: sites, sessions from today, stock at every site."""
    from vaxflow_scheduling.admin import DemoPlace, opened, seed_demo_campaign
    from vaxflow_scheduling.settings import SchedulingSettings

    from vaxflow_servicekit.settings import MongoSettings, RedisSettings

    stack = context.stack
    settings = SchedulingSettings(
        mongo=MongoSettings(url=stack.mongo_url),
        redis=RedisSettings(url=stack.redis_url),
        mongo_database=context.scheduling_database,
    )
    if settings.environment == "production":
        raise RuntimeError("the demo campaign is for development only")
    named = [
        DemoPlace(DEMO_SITE.site_id, DEMO_SITE.district, "Trạm Y tế Phường Bến Nghé"),
        DemoPlace(OTHER_DEMO_SITE.site_id, OTHER_DEMO_SITE.district, "Trường THCS Lê Quý Đôn"),
    ]
    async with opened(settings) as components:
        return await seed_demo_campaign(components, named, days=7)


STEPS: tuple[tuple[str, SeedStep], ...] = (
    ("demo staff", seed_staff),
    ("demo campaign", seed_campaign),
)


async def run_steps(context: SeedContext, steps: Sequence[tuple[str, SeedStep]] = STEPS) -> None:
    """Run every step in order, printing what each did."""
    for name, step in steps:
        print(f"seed {name}: {await step(context)}")


def _seed(args: argparse.Namespace) -> int:
    from vaxflow_servicekit.logging import configure_logging

    configure_logging("seed", "warning")  # the summary lines below say what happened
    try:
        asyncio.run(run_steps(SeedContext(StackSettings())))
    except Exception as error:  # a clear line for `make up`, not a traceback
        print(f"seed failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


def register(subparsers: Any) -> None:
    """Add the `seed` command."""
    command = subparsers.add_parser("seed", help="create the demo data (idempotent)")
    command.set_defaults(handler=_seed)
