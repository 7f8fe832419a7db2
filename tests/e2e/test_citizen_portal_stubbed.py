"""The citizen portal (web/portal/dist) on a phone-sized screen with a stand-in API (no stack).

Each screen a citizen uses (home with an invitation, booking and changing a place, the check-in
QR, the health book, the certificate, reporting a reaction, registering a family member), in
Vietnamese and the home screen in English, passes axe-core with no serious or critical
violation. The same checks run against the stack in test_citizen_portal.py; this one needs
neither the stack nor time for the services to build the data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, ViewportSize, async_playwright, expect

from tests.e2e.axe import grave_violations
from tests.e2e.stubbed_pages import ORIGIN, serve

CHROMIUM = "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "citizen-portal-stubbed"
PHONE_SCREEN = ViewportSize(width=390, height=844)
SITE = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
CITIZEN = "11111111-2222-4333-8444-555555555555"
COMIRNATY = "EU/1/20/1528"


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def answers(now: datetime) -> dict[str, Any]:
    day = (now + timedelta(days=2)).date().isoformat()
    invitation = {
        "appointment_id": "a1",
        "citizen_id": CITIZEN,
        "site_id": SITE,
        "session_id": "s1",
        "slot": "s0800",
        "slot_start": f"{day}T01:00:00Z",
        "slot_end": f"{day}T02:00:00Z",
        "dose_number": 2,
        "dose_kind": "primary",
        "product_code": COMIRNATY,
        "channel": "invitation",
        "status": "booked",
        "check_in_token": "Wn0sHps_To6NbB8uPUxbaoRmZ2HtE7R1Ku8",
    }
    given = _iso(now - timedelta(days=30))
    dose = {
        "kind": "dose_administered",
        "occurred_at": given,
        "ref_id": "d1",
        "status": None,
        "details": {
            "site_id": SITE,
            "dose_number": 1,
            "product_code": COMIRNATY,
            "lot_number": "FF2587",
            "administered_at": given,
        },
    }
    issued = {
        "kind": "certificate_issued",
        "occurred_at": given,
        "ref_id": "c1",
        "status": None,
        "details": {"level": "partial", "dose_number": 1},
    }
    certificate = {
        "id": "c1",
        "citizen_id": CITIZEN,
        "status": "valid",
        "level": "partial",
        "dose_number": 1,
        "series_doses": 2,
        "issued_at": given,
        "expires_at": _iso(now + timedelta(days=335)),
        "uvci": "URN:UVCI:01:VN:VAXFLOW1234567890#K",
        "hc1": "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IPQ",
    }
    slots = [
        {"slot": slot, "start": f"{day}T0{h}:00:00Z", "end": f"{day}T0{h + 1}:00:00Z", "free": 10}
        for slot, h in (("s0800", 1), ("s0900", 2))
    ]
    session = {
        "session_id": "s1",
        "site_id": SITE,
        "date": day,
        "district": "760",
        "product_code": COMIRNATY,
        "min_age": 18,
        "free": 20,
        "slots": slots,
    }
    people = [
        {
            "citizen_id": CITIZEN,
            "full_name": "Nguyễn Thị Lan",
            "relationship": "self",
            "national_id": {"masked": "079******012"},
        },
        {
            "citizen_id": "22222222-2222-4333-8444-555555555555",
            "full_name": "Trần Văn Bình",
            "relationship": "family_member",
            "national_id": {"masked": "079******034"},
        },
    ]
    next_dose = {
        "dose_number": 2,
        "dose_kind": "primary",
        "product_code": COMIRNATY,
        "due_from": None,
        "due_until": None,
    }
    return {
        r"/citizens/me/people$": {"items": people, "next_cursor": None},
        r"/appointments/a1$": invitation,
        r"/appointments$": {"items": [invitation], "next_dose": next_dose, "next_cursor": None},
        r"/availability$": {"items": [session], "next_cursor": None, "read_at": _iso(now)},
        r"/sites/[^/]+$": {"site_id": SITE, "name": "Trạm Y tế Phường Bến Nghé"},
        r"/citizens/me/health-book$": {"items": [dose, issued], "next_cursor": None},
        r"/aefi/symptoms$": {"items": [{"code": "fever"}, {"code": "injection_site_pain"}]},
        r"/certificates/me$": {"items": [certificate], "next_cursor": None},
    }


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (installs Debian's chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        await browser.close()


async def test_every_screen_passes_axe_on_a_phone_in_both_languages(browser: Browser) -> None:
    context = await browser.new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True)
    await serve(context, answers(datetime.now(UTC)))
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    found: dict[str, list[str]] = {}
    await page.goto(f"{ORIGIN}/")
    await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    found["login"] = await grave_violations(page)
    await page.evaluate(
        "localStorage.setItem('vaxflow.portal.session',"
        " JSON.stringify({access_token: 'a.b.c', refresh_token: 'r'}))"
    )
    screens = {
        "home": ("#/", "li.appointment .badge.invite"),
        "book": ("#/book", "li.session"),
        "change": ("#/book?change=a1", "li.session"),
        "qr": ("#/qr/a1", "[data-testid=check-in-qr][data-ready=true]"),
        "health": ("#/health", 'li.entry[data-kind="dose_administered"]'),
        "certificate": ("#/certificate", ".certificate[data-level=partial]"),
        "reaction": ("#/reaction", "input[value=fever]"),
        "register": ("#/register?family=1", "form"),
    }
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for screen, (route, ready) in screens.items():
        await page.goto(f"{ORIGIN}/{route}")
        await page.reload()  # the hash route with the stored login
        await expect(page.locator(ready).first).to_be_visible()
        if screen in ("book", "change"):
            await page.locator("li.session summary").first.click()
        found[screen] = await grave_violations(page)
        await page.screenshot(path=OUTPUT / f"{screen}.png", full_page=True)
    await expect(page.get_by_role("button", name="Switch to English")).to_be_visible()
    await page.goto(f"{ORIGIN}/#/")
    await page.get_by_role("button", name="Switch to English").click()
    await expect(page.locator("li.appointment .badge.invite")).to_have_text("Invitation")
    found["home in English"] = await grave_violations(page)
    await context.close()

    assert {screen: v for screen, v in found.items() if v} == {}
    assert problems == []
