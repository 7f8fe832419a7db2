"""The site console's board across devices, and the dose by keyboard alone, in headless Chromium.

Two browser contexts are two devices of the same site (each its own IndexedDB): what one records
(a screening, a dose, the end of an observation) shows on the other's board, which reads the
site's day from injection (GET /api/v1/doses/board/{site_id}). Then a dose is recorded with the
keyboard only and the key presses counted. Screenshots under test-output/site-console/.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.e2e.gateway import STACK, gateway_client, seeded_staff
from tests.e2e.test_registration_flows import staff_headers
from tests.e2e.test_site_console import (
    CHROMIUM,
    HAVE_CHROMIUM,
    LOT,
    WAIT_MS,
    Console,
    _dose,
    _doses_of,
    _registered_citizen,
    _screen,
    _screenshot,
    _walk_in,
)
from vaxflow.seed import DEMO_SITE

pytestmark = pytest.mark.stack

# A trained vaccinator's dose: `d` opens the next cleared person's dose with the lot and body
# site remembered and the record button focused, Enter records it.
DOSE_KEYS_AT_MOST = 3


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(
        "registration", "scheduling", "injection", request_timeout_s=30
    ) as client:
        yield client


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (installs Debian's chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        await browser.close()


async def _staff(role: str) -> dict[str, str]:
    """A demo login of the site (the seed's file; the seed is run only when it is missing)."""
    kept = STACK.stack_dir / "demo-credentials.json"
    entries = json.loads(kept.read_text()) if kept.exists() else await seeded_staff()
    return next(e for e in entries if e["role"] == role and e.get("site_id") == DEMO_SITE.site_id)


async def _device(browser: Browser) -> Console:
    context = await browser.new_context(viewport={"width": 1400, "height": 1100})
    return Console(context)


async def test_a_second_device_sees_and_finishes_what_the_first_recorded(
    gateway: httpx.AsyncClient, browser: Browser
) -> None:
    vaccinator, manager = await _staff("vaccinator"), await _staff("site_manager")
    staff = await staff_headers(gateway, vaccinator)
    observed, _ = await _registered_citizen(gateway)
    screened, _ = await _registered_citizen(gateway)
    first, second = await _device(browser), await _device(browser)
    try:
        desk = await first.log_in(vaccinator)
        await _screen(desk, await _walk_in(desk, observed))
        await _dose(desk)
        await _screen(desk, await _walk_in(desk, screened))
        await desk.keyboard.press("Escape")  # the dose at the other table

        table = await second.log_in(manager)
        in_observation = table.locator(f'.observation li[data-citizen="{observed}"]')
        await expect(in_observation.locator("[data-countdown]")).to_have_text(
            re.compile(r"^(29|30):\d\d$"), timeout=WAIT_MS
        )
        ready = table.locator(f'.screening-list li[data-citizen="{screened}"]')
        await expect(ready).to_contain_text(re.compile("Eligible|Caution"), timeout=WAIT_MS)
        await _screenshot(table, "second-device.png")

        # The second device gives the dose the first one's doctor cleared, and closes the
        # observation of the dose the first one recorded.
        await ready.get_by_role("button", name=re.compile("^Dose for")).click()
        await _dose(table)
        await in_observation.get_by_role("button", name="No reaction: close").click()
        await expect(in_observation).to_have_count(0)

        # The first device's board follows (it polls the site's day).
        await expect(desk.locator(f'.observation li[data-citizen="{observed}"]')).to_have_count(
            0, timeout=WAIT_MS
        )
        await expect(desk.locator(f'.observation li[data-citizen="{screened}"]')).to_have_count(
            1, timeout=WAIT_MS
        )
        await expect(desk.locator(f'.screening-list li[data-citizen="{screened}"]')).to_have_count(
            0
        )
        await _screenshot(desk, "first-device-follows.png")
    finally:
        await first.context.close()
        await second.context.close()
    assert first.problems == second.problems == []

    [dose] = await _doses_of(gateway, observed, staff)
    again = await gateway.post(
        "/observations", json={"dose_id": dose["dose_id"], "observed_minutes": 30}, headers=staff
    )
    assert again.status_code == 409, again.text  # closed on the second device
    [given] = await _doses_of(gateway, screened, staff)
    assert given["lot_number"] == LOT


class Keys:
    """The page's keyboard, counting every key pressed."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.pressed: list[str] = []

    async def press(self, key: str) -> None:
        self.pressed.append(key)
        await self.page.keyboard.press(key)


async def test_a_dose_is_recorded_with_the_keyboard_alone_in_a_few_key_presses(
    gateway: httpx.AsyncClient, browser: Browser
) -> None:
    vaccinator = await _staff("vaccinator")
    staff = await staff_headers(gateway, vaccinator)
    citizen_id, _ = await _registered_citizen(gateway)
    device = await _device(browser)
    try:
        page = await device.log_in(vaccinator)
        # This device gave doses from lot FF2587 before (the console remembers the lot and body
        # site of the last dose; the shared stack's site may hold other lots of the product).
        await page.evaluate(
            "localStorage.setItem('vaxflow.site.prefs', JSON.stringify("
            "{lot_number: 'FF2587', body_site: 'left_deltoid', product_code: 'EU/1/20/1528'}))"
        )
        # The doctor's screening, then the dose later.
        await _screen(page, await _walk_in(page, citizen_id))
        await page.keyboard.press("Escape")
        await page.locator("body").click(position={"x": 5, "y": 5})  # nothing focused

        keys = Keys(page)
        await keys.press("d")
        form = page.locator("form.dose")
        await expect(form.get_by_label("Lot")).to_have_value(LOT)
        await expect(form.get_by_role("button", name=re.compile("^Record dose"))).to_be_focused()
        await keys.press("Enter")
        await expect(form).to_have_count(0)
        await expect(page.locator(f'.observation li[data-citizen="{citizen_id}"]')).to_have_count(1)
        await _screenshot(page, "keyboard-dose.png")
    finally:
        await device.context.close()
    assert device.problems == []

    assert len(keys.pressed) <= DOSE_KEYS_AT_MOST, keys.pressed
    [dose] = await _doses_of(gateway, citizen_id, staff)
    assert (dose["lot_number"], dose["body_site"]) == (LOT, "left_deltoid")
