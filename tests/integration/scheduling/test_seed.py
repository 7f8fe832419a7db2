"""The demo campaign seed: sites over the city, sessions from today, stock everywhere, once."""

from __future__ import annotations

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from vaxflow_scheduling.admin import DemoPlace, opened, seed_demo_campaign

from tests.integration.scheduling.conftest import settings_for
from vaxflow_servicekit.mongo import Document

pytestmark = pytest.mark.stack

MAIN = DemoPlace("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01", "760", "Trạm Y tế Phường Bến Nghé")
OTHER = DemoPlace("3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02", "770", "Trường THCS Lê Quý Đôn")


async def test_seed_creates_the_demo_campaign_once(mongo_db: AsyncDatabase[Document]) -> None:
    settings = settings_for(mongo_db.name)

    async with opened(settings) as c:
        first = await seed_demo_campaign(c, [MAIN, OTHER], days=1)
        again = await seed_demo_campaign(c, [MAIN, OTHER], days=1)
        main_site = await c.sites.get(MAIN.site_id)
        main_sessions = await c.sessions.of_site(MAIN.site_id, since=c.today(), after=None, limit=5)
        main_lots = await c.stock.lots_of(MAIN.site_id)

    assert first.startswith("22 sites (22 new), 22 new sessions")
    assert "already there" in again
    assert main_site is not None
    assert (main_site.area.district_code, main_site.area.province_code) == ("760", "79")
    assert [s.session.day for s in main_sessions] == [c.today()]
    assert sorted(lot["on_hand"] for lot in main_lots) == [2000, 2000]
    assert await mongo_db["sites"].count_documents({"area.district_code": "770"}) == 1
    assert await mongo_db["campaigns"].count_documents({}) == 1
