"""axe-core on the site console's screens: no serious or critical accessibility violation.

Login, the board, the screening form, the dose step and the reactions form (tests/e2e/axe.py
explains where axe comes from). A vaccinator uses the console all day with keyboard and screen:
labels, names, contrast and landmarks matter as much as on the citizen portal.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.axe import grave_violations, locked_version, vendored_version
from tests.e2e.test_site_console import NORMAL_VITALS, _registered_citizen, _walk_in
from tests.e2e.test_site_console_board import _device, _staff, browser, gateway

pytestmark = pytest.mark.stack

__all__ = ["browser", "gateway"]  # the module's fixtures, shared with the board's tests


def test_axe_is_the_locked_version() -> None:
    assert vendored_version() == locked_version()


async def test_the_consoles_screens_have_no_serious_accessibility_violation(
    gateway: httpx.AsyncClient, browser: Browser
) -> None:
    vaccinator = await _staff("vaccinator")
    citizen_id, _ = await _registered_citizen(gateway)
    device = await _device(browser)
    found: dict[str, list[str]] = {}
    try:
        page = await device.open()
        await expect(page.get_by_label("Username")).to_be_visible()
        found["login"] = await grave_violations(page)
        await page.close()

        page = await device.log_in(vaccinator)
        number = await _walk_in(page, citizen_id)
        found["board"] = await grave_violations(page)

        await page.get_by_role("button", name=f"Screen #{number}", exact=True).first.click()
        form = page.locator("form.screening")
        for label, value in NORMAL_VITALS.items():
            await form.get_by_label(label).fill(value)
        await expect(form.locator("[data-outcome]")).to_have_attribute(
            "data-outcome", re.compile("^(eligible|caution)$"), timeout=45_000
        )
        found["screening"] = await grave_violations(page)
        await form.get_by_label("I am the doctor and confirm this outcome").check()
        await form.get_by_role("button", name="Confirm screening").click()
        await expect(page.locator("form.dose")).to_be_visible()
        found["dose"] = await grave_violations(page)
        await (
            page.locator("form.dose").get_by_role("button", name=re.compile("^Record dose")).click()
        )

        watched = page.locator(f'.observation li[data-citizen="{citizen_id}"]')
        await watched.get_by_role("button", name="Reactions…").click()
        await expect(page.locator("form.reactions")).to_be_visible()
        found["reactions"] = await grave_violations(page)
        await (
            page.locator("form.reactions")
            .get_by_role("button", name="Close observation with these reactions")
            .click()
        )
        await expect(watched).to_have_count(0)
    finally:
        await device.context.close()

    assert {screen: v for screen, v in found.items() if v} == {}
    assert device.problems == []
