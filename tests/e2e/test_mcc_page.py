"""The response centre's dashboard page (/mcc/) in headless Chromium, against the running stack.

An operator logs in on the page; a dose recorded through the API raises the doses-today number;
check-ins at a site of the test's own (crowding threshold 2 for that site alone) open a crowding
alert that the operator acknowledges with its button. Screenshots of the page are saved under
test-output/mcc-page/ (ignored by git).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright, expect

from tests.e2e.gateway import STACK, gateway_client, seeded_staff, vaccinate_walk_in
from tests.e2e.test_registration_flows import citizen_headers, staff_headers
from tests.integration.registration.people import person
from vaxflow.seed import DEMO_SITE
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

CHROMIUM = "/usr/bin/chromium"  # Debian's package (make setup installs it)
HAVE_CHROMIUM = Path(CHROMIUM).exists()
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "mcc-page"
# Waits for what crosses the services, Kafka and the dashboard's consumers on a busy machine.
LIVE_TIMEOUT_MS = 45_000


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(
        "registration", "scheduling", "injection", "monitoring", request_timeout_s=30
    ) as client:
        yield client


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (installs Debian's chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        await browser.close()


async def _entry(role: str, site_id: str | None = None) -> dict[str, str]:
    return next(
        e
        for e in await seeded_staff()
        if e["role"] == role and (site_id is None or e.get("site_id") == site_id)
    )


async def _citizen(gateway: httpx.AsyncClient) -> str:
    headers = await citizen_headers(gateway)
    registered = await gateway.post("/citizens", json=person(relationship="self"), headers=headers)
    assert registered.status_code == 201, registered.text
    citizen_id: str = registered.json()["citizen_id"]
    return citizen_id


async def _record_a_dose(gateway: httpx.AsyncClient) -> None:
    """A walk-in at the first demo site: check-in, screening, dose, all through the gateway."""
    vaccinator = await staff_headers(gateway, await _entry("vaccinator", DEMO_SITE.site_id))
    await vaccinate_walk_in(gateway, vaccinator, await _citizen(gateway))


async def _crowd_a_site_of_our_own(gateway: httpx.AsyncClient, operator: dict[str, str]) -> str:
    """A new site with a crowding threshold of 2, then two people checked in there."""
    admin = await staff_headers(gateway, await _entry("admin"))
    site_id = str(uuid.uuid4())
    site = {
        "site_id": site_id,
        "name": f"Trạm thử nghiệm {site_id[:8]}",
        "area": {"province_code": "79", "district_code": "770", "ward_code": "27139"},
        "opens": "00:00",
        "closes": "23:59",
        "slot_minutes": 30,
        "daily_capacity": 100,
    }
    created = await gateway.post("/sites", json=site, headers=admin)
    assert created.status_code == 201, created.text
    override = await gateway.put(
        "/alert-rules/crowding", json={"threshold": 2, "site_id": site_id}, headers=operator
    )
    assert override.status_code == 200, override.text
    for citizen_id in [await _citizen(gateway), await _citizen(gateway)]:

        async def check_in(citizen_id: str = citizen_id) -> httpx.Response:
            body = {"site_id": site_id, "citizen_id": citizen_id}
            return await gateway.post("/check-ins", json=body, headers=admin)

        checked_in = await poll_until(
            check_in,
            accept=lambda r: r.status_code == 201,
            what="the check-in, once scheduling knows the citizen",
        )
        assert checked_in.status_code == 201, checked_in.text
    return site_id


@dataclass
class Operator:
    """The page, logged in as the seeded MCC operator, and that operator's API headers."""

    page: Page
    headers: dict[str, str]
    problems: list[str]


@pytest_asyncio.fixture
async def operator(gateway: httpx.AsyncClient, browser: Browser) -> AsyncIterator[Operator]:
    entry = await _entry("mcc_operator")
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    # Script errors and refusals by the Content-Security-Policy; failed requests (a service
    # restarting) are the stream's to ride out, not problems of the page.
    page.on("console", lambda m: problems.append(m.text) if _is_problem(m) else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    await page.goto(f"{STACK.gateway_url}/mcc/")
    await page.get_by_label("Username").fill(entry["username"])
    await page.get_by_label("Password").fill(entry["password"])
    await page.get_by_role("button", name="Log in").click()

    doses = page.locator('[data-metric="doses-today"]')
    await expect(doses).to_have_text(re.compile(r"^[0-9,]+$"), timeout=LIVE_TIMEOUT_MS)
    await expect(page.locator(".status")).to_contain_text("Live")
    yield Operator(page, await staff_headers(gateway, entry), problems)
    # Nothing was refused by the Content-Security-Policy and no script failed.
    assert problems == []


def _is_problem(message: ConsoleMessage) -> bool:
    return message.type == "error" and not message.text.startswith("Failed to load resource")


async def _doses_today(page: Page) -> int:
    text = await page.locator('[data-metric="doses-today"]').inner_text()
    return int(text.replace(",", ""))


async def _screenshot(page: Page, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=OUTPUT / name, full_page=True)


async def test_a_dose_recorded_through_the_api_raises_the_doses_today_on_the_page(
    gateway: httpx.AsyncClient, operator: Operator
) -> None:
    page = operator.page
    before = await _doses_today(page)

    await _record_a_dose(gateway)

    await page.wait_for_function(
        "before => Number(document.querySelector('[data-metric=\"doses-today\"]')"
        ".textContent.replace(/,/g, '')) > before",
        arg=before,
        timeout=LIVE_TIMEOUT_MS,
    )
    assert await _doses_today(page) > before
    await _screenshot(page, "after-dose.png")


async def test_an_operator_acknowledges_a_crowding_alert_with_its_button(
    gateway: httpx.AsyncClient, operator: Operator
) -> None:
    page = operator.page

    site_id = await _crowd_a_site_of_our_own(gateway, operator.headers)

    alert = page.locator(f'li.alert[data-subject="{site_id}"][data-rule="crowding"]')
    await expect(alert).to_have_attribute("data-status", "open", timeout=LIVE_TIMEOUT_MS)
    await expect(alert).to_contain_text("2 people waiting")
    await alert.get_by_role("button", name=re.compile("^Acknowledge the crowding alert")).click()
    await expect(alert).to_have_attribute("data-status", "acknowledged", timeout=LIVE_TIMEOUT_MS)
    await expect(alert.get_by_role("button")).to_have_count(0)
    summary = await gateway.get("/dashboard/summary", headers=operator.headers)
    ours: list[dict[str, Any]] = [a for a in summary.json()["alerts"] if a["subject"] == site_id]
    assert [(a["rule"], a["status"]) for a in ours] == [("crowding", "acknowledged")]
    await _screenshot(page, "dashboard.png")
