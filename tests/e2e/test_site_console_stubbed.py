"""The site console (web/site/dist) in headless Chromium with a stand-in API (no stack needed).

A console opened on another device of the site shows what the site's day holds (injection's
`GET /doses/board/{site_id}`, answered here): the person in observation with the countdown from
the dose's time, the person another device's doctor cleared (whose dose this device then
records), and the site's dose count. axe-core finds no serious or critical violation on the
board, the screening form, the dose step or the reactions form.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Request, async_playwright, expect

from tests.e2e.axe import grave_violations
from tests.e2e.stubbed_pages import ORIGIN, serve

CHROMIUM = "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
SITE = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
OBSERVED = "11111111-2222-4333-8444-555555555555"
CLEARED = "66666666-2222-4333-8444-555555555555"
ARRIVED = "77777777-2222-4333-8444-555555555555"
COMIRNATY = "EU/1/20/1528"


def _part(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def answers(now: datetime) -> dict[str, Any]:
    claims = {"sub": "stf_1", "role": "vaccinator", "site_id": SITE, "exp": 4102444800}
    token = f"{_part({'alg': 'ES256'})}.{_part(claims)}.signature"
    today = now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    dosed_at = now - timedelta(minutes=3)
    board = {
        "site_id": SITE,
        "date": today,
        "observation_minutes": 30,
        "limit": 200,
        "screened": [
            {
                "citizen_id": CLEARED,
                "queue_number": 4,
                "screening_id": CLEARED,
                "appointment_id": None,
                "product_code": COMIRNATY,
                "outcome": "eligible",
                "proposed_outcome": "eligible",
                "cleared": True,
                "screened_at": _iso(now),
            }
        ],
        "screened_total": 1,
        "doses": [
            {
                "dose_id": OBSERVED,
                "citizen_id": OBSERVED,
                "product_code": COMIRNATY,
                "lot_number": "FF2587",
                "dose_number": 1,
                "administered_at": _iso(dosed_at),
                "observation": "open",
            }
        ],
        "doses_total": 5,
        "observations_open": [
            {
                "dose_id": OBSERVED,
                "citizen_id": OBSERVED,
                "queue_number": 2,
                "started_at": _iso(dosed_at),
                "due_at": _iso(dosed_at + timedelta(minutes=30)),
            }
        ],
        "observations_open_total": 1,
        "observations_closed": [],
        "observations_closed_total": 4,
    }
    lot = {
        "lot_number": "FF2587",
        "product_code": COMIRNATY,
        "balance": 100,
        "expiry_date": "2027-12-31",
        "usable": True,
        "suspended": False,
        "expired": False,
    }
    queue = {
        "site_id": SITE,
        "date": today,
        "waiting": 1,
        "longest_wait_s": 60,
        "minutes_per_person": 3.0,
        "expected_wait_s": 180,
        "people": [
            {"queue_number": 3, "method": "walk_in", "checked_in_at": _iso(now), "waiting_s": 60}
        ],
    }
    check_in = {
        "check_in_id": ARRIVED,
        "site_id": SITE,
        "citizen_id": ARRIVED,
        "appointment_id": None,
        "method": "qr_code",
        "queue_number": 3,
        "checked_in_at": _iso(now),
    }
    dose = {
        "dose_id": CLEARED,
        "citizen_id": CLEARED,
        "lot_number": "FF2587",
        "dose_number": 1,
        "administered_at": _iso(now),
    }
    proposal = {
        "proposed_outcome": "eligible",
        "reasons": [],
        "postponed_until": None,
        "postpone_condition": None,
    }
    return {
        r"/auth/staff/login$": {"access_token": token, "refresh_token": "r", "expires_in": 900},
        r"/sites/[^/]+/queue$": queue,
        r"/sites/[^/]+/stock$": {"site_id": SITE, "items": [lot]},
        rf"/doses/board/{SITE}$": board,
        r"/sites/[^/]+$": {"site_id": SITE, "name": "Trạm Y tế Phường Bến Nghé"},
        r"/screenings/proposal$": proposal,
        r"/check-ins$": (201, check_in),
        r"/doses$": (201, dose),
    }


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (installs Debian's chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        await browser.close()


async def test_another_devices_records_show_and_the_screens_pass_axe(browser: Browser) -> None:
    context = await browser.new_context(
        viewport={"width": 1400, "height": 1100},
        service_workers="block",
        # A device whose clock is set far from the site (UTC-11): most hours of the day its own
        # date is not the site's, and the board is still the site's day.
        timezone_id="Pacific/Pago_Pago",
    )
    asked = await serve(context, answers(datetime.now(UTC)))
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    posted: list[Any] = []

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/doses"):
            posted.append(request.post_data_json)

    page.on("request", on_request)
    found: dict[str, list[str]] = {}
    await page.goto(f"{ORIGIN}/site/")
    found["login"] = await grave_violations(page)
    await page.get_by_label("Username").fill("vaccinator.hcm0001")
    await page.get_by_label("Password").fill("a password")
    await page.get_by_role("button", name="Log in").click()

    observed = page.locator(f'.observation li[data-citizen="{OBSERVED}"]')
    await expect(observed.locator("[data-countdown]")).to_have_text(re.compile(r"^2[67]:\d\d$"))
    await expect(observed).to_contain_text("#2")  # the queue number given at check-in
    cleared = page.locator(f'.screening-list li[data-citizen="{CLEARED}"]')
    await expect(cleared).to_contain_text("Eligible")
    await expect(page.locator("[data-metric=doses-today]")).to_have_text("5")
    found["board"] = await grave_violations(page)

    await cleared.get_by_role("button", name="Dose for #4", exact=True).click()
    form = page.locator("form.dose")
    await expect(form.get_by_label("Lot")).to_have_value("FF2587")
    found["dose"] = await grave_violations(page)
    await form.get_by_role("button", name=re.compile("^Record dose")).click()
    await expect(form).to_have_count(0)
    assert posted == [
        {
            "citizen_id": CLEARED,
            "product_code": COMIRNATY,
            "lot_number": "FF2587",
            "body_site": "left_deltoid",
        }
    ]

    await observed.get_by_role("button", name="Reactions…").click()
    await expect(page.locator("form.reactions")).to_be_visible()
    found["reactions"] = await grave_violations(page)
    await page.keyboard.press("Escape")

    await page.get_by_label("Appointment code").fill("a-check-in-token")
    await page.get_by_role("button", name="Check in", exact=True).click()
    await page.get_by_role("button", name="Screen #3", exact=True).first.click()
    screening = page.locator("form.screening")
    vitals = {"Temperature (°C)": "36.8", "Pulse (/min)": "82"}
    vitals |= {"Systolic (mmHg)": "125", "Diastolic (mmHg)": "80"}
    for label, value in vitals.items():
        await screening.get_by_label(label).fill(value)
    await expect(screening.locator("[data-outcome]")).to_have_attribute("data-outcome", "eligible")
    found["screening"] = await grave_violations(page)
    await context.close()

    assert {screen: v for screen, v in found.items() if v} == {}
    assert f"GET /api/v1/doses/board/{SITE}" in asked
    assert problems == []
