"""Operations run outside the HTTP API: the demo campaign of `vaxflow seed`.

The seed writes through the service's own handlers on its database (the running service's outbox
relays publish the events), with ids derived from names, so a rerun creates nothing twice.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from redis.asyncio import Redis

from vaxflow_scheduling.domain.doses import DoseSlot
from vaxflow_scheduling.domain.products import catalogue
from vaxflow_scheduling.domain.sessions import SessionPlan
from vaxflow_scheduling.domain.sites import Area, Site, SiteKind
from vaxflow_scheduling.handlers import sites, stock
from vaxflow_scheduling.handlers.components import Components
from vaxflow_scheduling.settings import SchedulingSettings
from vaxflow_scheduling.store import INDEXES
from vaxflow_servicekit.auth import Principal
from vaxflow_servicekit.mongo import create_mongo_client, ensure_indexes
from vaxflow_servicekit.problems import ProblemError

SEED_NAMESPACE = uuid.UUID("0e4f9a52-7b1c-4d3e-8a6f-2c5b9d1e7f30")
PROVINCE = "79"
AZ, PFIZER = "EU/1/21/1529", "EU/1/20/1528"
SEED_ADMIN = Principal(subject="seed", role="admin", token_id="seed-run")  # noqa: S106  # nosec B106  # a run label, not a secret

# Ho Chi Minh City's 2021 district-level units with one of their wards (codes from the official
# lists; the ward codes kept by the 2025 units), for the demo sites spread over the city.
HCM_WARDS: dict[str, tuple[str, str]] = {
    "760": ("26740", "Quận 1"),
    "761": ("26782", "Quận 12"),
    "764": ("26884", "Quận Gò Vấp"),
    "765": ("26929", "Quận Bình Thạnh"),
    "766": ("27004", "Quận Tân Bình"),
    "767": ("27031", "Quận Tân Phú"),
    "768": ("27073", "Quận Phú Nhuận"),
    "769": ("26824", "Thành phố Thủ Đức"),
    "770": ("27139", "Quận 3"),
    "771": ("27169", "Quận 10"),
    "772": ("27211", "Quận 11"),
    "773": ("27265", "Quận 4"),
    "774": ("27301", "Quận 5"),
    "775": ("27343", "Quận 6"),
    "776": ("27418", "Quận 8"),
    "777": ("27442", "Quận Bình Tân"),
    "778": ("27478", "Quận 7"),
    "783": ("27553", "Huyện Củ Chi"),
    "784": ("27559", "Huyện Hóc Môn"),
    "785": ("27637", "Huyện Bình Chánh"),
    "786": ("27655", "Huyện Nhà Bè"),
    "787": ("27664", "Huyện Cần Giờ"),
}


@dataclass(frozen=True, slots=True)
class DemoPlace:
    """A demo site to create: its id (fixed for the named demo sites), district and name."""

    site_id: str
    district: str
    name: str


def demo_places(named: Sequence[DemoPlace]) -> list[DemoPlace]:
    """The named demo sites, then one more site in every other district of the city."""
    taken = {p.district for p in named}
    more = [
        DemoPlace(str(uuid.uuid5(SEED_NAMESPACE, f"site:{d}")), d, f"Điểm tiêm {name}")
        for d, (_, name) in HCM_WARDS.items()
        if d not in taken
    ]
    return [*named, *more]


@contextlib.asynccontextmanager
async def opened(settings: SchedulingSettings) -> AsyncIterator[Components]:
    """The service's components on its database and Redis, for a command-line operation."""
    mongo = create_mongo_client(settings.mongo)
    redis = Redis.from_url(settings.redis.url, socket_timeout=settings.redis.socket_timeout_s)
    try:
        db = mongo[settings.database_name]
        await ensure_indexes(db, INDEXES)
        yield Components.on(db, redis, settings)
    finally:
        await redis.aclose()
        await mongo.close()


async def seed_demo_campaign(c: Components, named: Sequence[DemoPlace], *, days: int) -> str:
    """Sites over the city, sessions from today for `days` days, stock at every site, a campaign."""
    places = demo_places(named)
    through = (c.today() + timedelta(days=days - 1)).isoformat()
    existing = await c.campaigns.get(_id("campaign", "hcm"))
    if existing is not None and existing.get("seeded_through", "") >= through:
        return f"{len(places)} sites, sessions through {through} and stock already there"
    new_sites = sum([await _site(p, c) for p in places])
    new_sessions = sum([await _sessions(p, c, days) for p in places])
    for p in places:
        await _stock(p, c)
    campaign = await _campaign(places, c, days)
    await c.campaigns.mark(_id("campaign", "hcm"), {"seeded_through": through})
    return (
        f"{len(places)} sites ({new_sites} new), {new_sessions} new sessions over {days} days, "
        f"stock at every site, campaign {'created' if campaign else 'already there'}"
    )


def _id(*parts: object) -> str:
    return str(uuid.uuid5(SEED_NAMESPACE, "|".join(str(p) for p in parts)))


async def _site(p: DemoPlace, c: Components) -> int:
    ward, _ = HCM_WARDS.get(p.district, ("26740", ""))
    site = Site(
        site_id=p.site_id,
        name=p.name,
        kind=SiteKind.FIXED,
        area=Area(PROVINCE, p.district, ward),
        address=None,
        opens=time(7, 30),
        closes=time(17, 0),
        slot_minutes=30,
        daily_capacity=600,
        latitude=None,
        longitude=None,
        created_at=c.now(),
    )
    try:
        await sites.create_site(site, SEED_ADMIN, c)
    except ProblemError as error:
        if error.status != 409:
            raise
        return 0
    return 1


async def _sessions(p: DemoPlace, c: Components, days: int) -> int:
    created = 0
    for offset in range(days):
        day = c.today() + timedelta(days=offset)
        product = AZ if offset % 3 else PFIZER
        session_id = _id("session", p.site_id, day, product)
        if await c.sessions.get(session_id) is not None:
            continue
        plan = SessionPlan(
            day,
            product,
            (DoseSlot.FIRST, DoseSlot.SECOND, DoseSlot.BOOSTER),
            None,
            _id("campaign", "hcm"),
            18,
        )
        await sites.create_session(sites.CreateSession(p.site_id, plan, session_id), SEED_ADMIN, c)
        created += 1
    return created


async def _stock(p: DemoPlace, c: Components) -> None:
    for product, lot in ((AZ, "ABV5300"), (PFIZER, "FF2587")):
        rules = catalogue()[product]
        receipt = stock.ReceiveStock(
            _id("receipt", p.site_id, lot),
            p.site_id,
            product,
            None,
            lot,
            date(c.today().year + 1, 12, 31),
            rules.doses_per_vial,
            2000,
            _id("seed"),
        )
        await stock.receive_stock(receipt, SEED_ADMIN, c)


async def _campaign(places: Sequence[DemoPlace], c: Components, days: int) -> bool:
    return await c.campaigns.add(
        {
            "_id": _id("campaign", "hcm"),
            "name": "Chiến dịch tiêm chủng COVID-19 TP. Hồ Chí Minh (demo)",
            "starts_on": c.today().isoformat(),
            "ends_on": (c.today() + timedelta(days=max(days, 30))).isoformat(),
            "dose_target": 930_000,
            "site_ids": [p.site_id for p in places],
            "priority_groups": list(range(1, 17)),
            "min_age": 18,
            "max_age": None,
            "created_by": "seed",
            "created_at": c.now(),
        }
    )
