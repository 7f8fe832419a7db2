"""The site staff console (/site/) in headless Chromium, against the running stack.

A vaccinator logs in on the page and takes a citizen who booked through the API from check-in (the
appointment code typed) through screening and the dose to the end of observation. Then the
connection drops in the browser: two doses recorded meanwhile wait on the device (IndexedDB, a
visible pending count), survive the tab being closed, and are uploaded once when the connection
returns. Observation closed with coded reactions by keyboard, and check-in by scanning the QR
with Chromium's fake camera playing a video of the code. What the page recorded is read back
through the API. Screenshots of the page are saved
under test-output/site-console/ (ignored by git).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
import zxingcpp
from PIL import Image
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    async_playwright,
    expect,
)

from tests.e2e.gateway import STACK, gateway_client, seeded_staff
from tests.e2e.test_registration_flows import citizen_headers, staff_headers
from tests.integration.registration.people import person
from vaxflow.seed import DEMO_SITE
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

CHROMIUM = "/usr/bin/chromium"  # Debian's package (make setup installs it)
HAVE_CHROMIUM = Path(CHROMIUM).exists()
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "site-console"
COMIRNATY = "EU/1/20/1528"  # the seed stocks lot FF2587 of it at every demo site
LOT = "FF2587"
# Waits for what crosses the services and Kafka on a busy machine.
WAIT_MS = 45_000
NORMAL_VITALS = {
    "Temperature (°C)": "36.8",
    "Pulse (/min)": "82",
    "Systolic (mmHg)": "125",
    "Diastolic (mmHg)": "80",
}


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(
        "registration", "scheduling", "injection", request_timeout_s=30
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


async def _vaccinator() -> dict[str, str]:
    return next(
        e
        for e in await seeded_staff()
        if e["role"] == "vaccinator" and e.get("site_id") == DEMO_SITE.site_id
    )


def _is_problem(message: ConsoleMessage) -> bool:
    # Failed requests are expected while the connection is cut; script errors and CSP refusals
    # are not.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


class Console:
    """A page of the console, logged in as the demo site's vaccinator."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.problems: list[str] = []

    async def open(self) -> Page:
        page = await self.context.new_page()
        page.on("console", lambda m: self.problems.append(m.text) if _is_problem(m) else None)
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        await page.goto(f"{STACK.gateway_url}/site/")
        return page

    async def log_in(self, entry: dict[str, str]) -> Page:
        page = await self.open()
        await page.get_by_label("Username").fill(entry["username"])
        await page.get_by_label("Password").fill(entry["password"])
        await page.get_by_role("button", name="Log in").click()
        await expect(page.locator("[data-metric=waiting]")).to_contain_text(
            "waiting", timeout=WAIT_MS
        )
        return page


@pytest_asyncio.fixture
async def console(browser: Browser) -> AsyncIterator[Console]:
    context = await browser.new_context(viewport={"width": 1400, "height": 1100})
    console = Console(context)
    yield console
    await context.close()
    # Nothing was refused by the Content-Security-Policy and no script failed.
    assert console.problems == []


async def _screenshot(page: Page, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=OUTPUT / name, full_page=True)


async def _registered_citizen(gateway: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    headers = await citizen_headers(gateway)
    registered = await gateway.post("/citizens", json=person(relationship="self"), headers=headers)
    assert registered.status_code == 201, registered.text
    citizen_id: str = registered.json()["citizen_id"]
    return citizen_id, headers


async def _booked_token(
    gateway: httpx.AsyncClient, citizen_id: str, citizen: dict[str, str]
) -> str:
    """Book the latest free slot of tomorrow's demo session; the appointment's check-in code."""
    day = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=1)).isoformat()

    async def free() -> list[dict[str, Any]]:
        found = await gateway.get(
            "/availability", params={"site_id": DEMO_SITE.site_id, "date": day}
        )
        items: list[dict[str, Any]] = found.json()["items"]
        return items

    [session] = await poll_until(free, what="tomorrow's demo session")
    slot = next(slot for slot in reversed(session["slots"]) if slot["free"] > 0)
    body = {"citizen_id": citizen_id, "session_id": session["session_id"], "slot": slot["slot"]}
    booked = await poll_until(
        lambda: gateway.post("/appointments", json=body, headers=citizen),
        accept=lambda r: (
            r.status_code != 422 or r.json()["errors"][0]["rule"] != "registered_citizen"
        ),
        timeout_s=30,
        what="scheduling to learn the citizen from registration.citizen.v1",
    )
    assert booked.status_code == 201, booked.text
    token: str = booked.json()["check_in_token"]
    return token


async def _screen(page: Page, queue_number: str) -> None:
    """Open the person's screening, answer no to everything, normal vitals, doctor confirms."""
    await page.get_by_role("button", name=f"Screen #{queue_number}", exact=True).first.click()
    form = page.locator("form.screening")
    for label, value in NORMAL_VITALS.items():
        await form.get_by_label(label).fill(value)
    await form.get_by_label("Vaccine product").select_option(COMIRNATY)
    # Eligible, or caution for an older person (the rules look at the age): both clear the dose.
    await expect(form.locator("[data-outcome]")).to_have_attribute(
        "data-outcome", re.compile("^(eligible|caution)$"), timeout=WAIT_MS
    )
    await form.get_by_label("I am the doctor and confirm this outcome").check()
    await form.get_by_role("button", name="Confirm screening").click()
    await expect(page.locator("form.dose")).to_be_visible()


async def _dose(page: Page) -> None:
    form = page.locator("form.dose")
    await form.get_by_label("Lot").select_option(LOT)
    await form.get_by_label("Body site").select_option("left_deltoid")
    await form.get_by_role("button", name=re.compile("^Record dose")).click()
    await expect(form).to_have_count(0)


async def _queue_number(page: Page) -> str:
    message = page.locator(".message")
    await expect(message).to_contain_text(re.compile(r"queue number \d+"), timeout=WAIT_MS)
    found = re.search(r"queue number (\d+)", await message.inner_text())
    assert found
    return found.group(1)


async def _doses_of(
    gateway: httpx.AsyncClient, citizen_id: str, staff: dict[str, str]
) -> list[dict[str, Any]]:
    answer = await gateway.get(f"/citizens/{citizen_id}/doses", headers=staff)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_staff_check_in_by_code_screen_record_the_dose_and_close_observation(
    gateway: httpx.AsyncClient, console: Console
) -> None:
    entry = await _vaccinator()
    staff = await staff_headers(gateway, entry)
    citizen_id, citizen = await _registered_citizen(gateway)
    token = await _booked_token(gateway, citizen_id, citizen)
    page = await console.log_in(entry)
    await _screenshot(page, "board.png")

    await page.get_by_label("Appointment code").fill(token)
    await page.get_by_role("button", name="Check in", exact=True).click()
    number = await _queue_number(page)
    await _screen(page, number)
    await _screenshot(page, "dose-step.png")
    await _dose(page)

    watched = page.locator(f'.observation li[data-citizen="{citizen_id}"]')
    await expect(watched.locator("[data-countdown]")).to_have_text(re.compile(r"^(29|30):\d\d$"))
    await _screenshot(page, "observation.png")
    await watched.get_by_role("button", name="No reaction: close").click()
    await expect(watched).to_have_count(0)

    [dose] = await _doses_of(gateway, citizen_id, staff)
    assert (dose["lot_number"], dose["body_site"], dose["dose_number"]) == (LOT, "left_deltoid", 1)
    assert dose["captured_offline"] is False
    again = await gateway.post(
        "/observations", json={"dose_id": dose["dose_id"], "observed_minutes": 30}, headers=staff
    )
    assert again.status_code == 409, again.text  # the page closed the dose's observation
    await expect(page.locator("[data-pending]")).to_have_attribute("data-pending", "0")


async def _walk_in(page: Page, citizen_id: str) -> str:
    """Look the citizen up, check them in as a walk-in (once scheduling knows them); queue no."""
    await page.get_by_label("Walk-in: citizen id").fill(citizen_id)
    await page.get_by_role("button", name="Look up").click()
    button = page.get_by_role("button", name="Check in walk-in")
    message = page.locator(".message")
    for _ in range(30):
        before = await message.get_attribute("data-at") if await message.count() else None
        await button.click()
        await expect(message).not_to_have_attribute("data-at", before or "none")
        if re.search(r"queue number \d+", await message.inner_text()):
            break
        await page.wait_for_timeout(1000)  # scheduling has not yet learnt of the citizen
    return await _queue_number(page)


async def test_doses_recorded_offline_survive_the_tab_and_are_uploaded_once(
    gateway: httpx.AsyncClient, console: Console
) -> None:
    entry = await _vaccinator()
    staff = await staff_headers(gateway, entry)
    first, _ = await _registered_citizen(gateway)
    second, _ = await _registered_citizen(gateway)
    page = await console.log_in(entry)
    numbers = {}
    for citizen_id in (first, second):
        numbers[citizen_id] = await _walk_in(page, citizen_id)
        await _screen(page, numbers[citizen_id])
        await page.keyboard.press("Escape")  # the dose later
    await expect(page.locator("form.dose")).to_have_count(0)

    # The service worker keeps the page itself, for opening the console again offline.
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await console.context.set_offline(True)
    await page.get_by_role("button", name=f"Dose for #{numbers[first]}").click()
    await _dose(page)
    # The second by keyboard alone: `d` opens the next person's dose with the lot and body site
    # remembered, Enter records it.
    await page.keyboard.press("d")
    form = page.locator("form.dose")
    await expect(form).to_contain_text(numbers[second])
    await expect(form.get_by_label("Lot")).to_have_value(LOT)
    await page.keyboard.press("Enter")
    await expect(form).to_have_count(0)
    pending = page.locator("[data-pending]")
    await expect(pending).to_have_attribute("data-pending", "2")
    await expect(page.locator(".status")).to_contain_text("Offline")
    # The end of one observation waits for its dose's id.
    watched = page.locator(f'.observation li[data-citizen="{first}"]')
    await watched.get_by_role("button", name="No reaction: close").click()
    await expect(pending).to_have_attribute("data-pending", "3")
    await _screenshot(page, "offline.png")

    # The tab is closed and the console opened again, still without a connection.
    await page.close()
    page = await console.open()
    pending = page.locator("[data-pending]")
    await expect(pending).to_have_attribute("data-pending", "3")
    await expect(page.locator(f'.observation li[data-citizen="{second}"]')).to_contain_text(
        "offline"
    )
    await _screenshot(page, "reopened-offline.png")

    await console.context.set_offline(False)
    await expect(pending).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
    await _screenshot(page, "uploaded.png")

    for citizen_id in (first, second):
        [dose] = await _doses_of(gateway, citizen_id, staff)  # once each
        assert dose["captured_offline"] is True
        assert dose["client_id"].startswith("site-")
        assert dose["lot_number"] == LOT
    [dose] = await _doses_of(gateway, first, staff)
    again = await gateway.post(
        "/observations", json={"dose_id": dose["dose_id"], "observed_minutes": 30}, headers=staff
    )
    assert again.status_code == 409, again.text  # the observation closed offline was uploaded


async def test_observation_closed_with_coded_reactions_using_the_keyboard(
    gateway: httpx.AsyncClient, console: Console
) -> None:
    entry = await _vaccinator()
    staff = await staff_headers(gateway, entry)
    citizen_id, _ = await _registered_citizen(gateway)
    page = await console.log_in(entry)
    number = await _walk_in(page, citizen_id)
    await _screen(page, number)
    await _dose(page)

    await page.keyboard.press("o")  # the first observation's one-tap close has the focus
    watched = page.locator(f'.observation li[data-citizen="{citizen_id}"]')
    await expect(watched.get_by_role("button", name="No reaction: close")).to_be_focused()
    await watched.get_by_role("button", name="Reactions…").click()
    form = page.locator("form.reactions")
    await form.get_by_role("checkbox", name="injection site pain", exact=True).check()
    await form.get_by_label("Severity of injection site pain").select_option("moderate")
    await form.get_by_role("checkbox", name="headache", exact=True).check()
    await _screenshot(page, "reactions.png")
    await form.get_by_role("button", name="Close observation with these reactions").click()
    await expect(page.locator(".message")).to_contain_text("Observation closed with 2 reaction")
    await expect(watched).to_have_count(0)

    [dose] = await _doses_of(gateway, citizen_id, staff)
    again = await gateway.post(
        "/observations", json={"dose_id": dose["dose_id"], "observed_minutes": 30}, headers=staff
    )
    assert again.status_code == 409, again.text


def _camera_showing_qr(text: str, path: Path) -> Path:
    """A Y4M video (what Chromium's fake camera plays) of the QR code of `text` on white."""
    # zxing-cpp's image is an 8-bit grey buffer (its stub does not say it is one).
    code: Any = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=6)
    height, width = code.shape
    qr = Image.frombytes("L", (width, height), memoryview(code).tobytes())
    frame = Image.new("L", (640, 480), 255)
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    luma = bytes(16 + value * 219 // 255 for value in frame.tobytes())
    chroma = bytes([128]) * (320 * 240 * 2)
    header = b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n"
    path.write_bytes(header + b"FRAME\n" + luma + chroma)
    return path


async def test_staff_check_a_citizen_in_by_scanning_the_appointment_qr(
    gateway: httpx.AsyncClient, tmp_path: Path
) -> None:
    if not HAVE_CHROMIUM:
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (installs Debian's chromium)")
    entry = await _vaccinator()
    citizen_id, citizen = await _registered_citizen(gateway)
    token = await _booked_token(gateway, citizen_id, citizen)
    video = _camera_showing_qr(token, tmp_path / "qr.y4m")
    camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", *camera]
        )
        context = await browser.new_context(
            viewport={"width": 1400, "height": 1100}, permissions=["camera"]
        )
        console = Console(context)
        page = await console.log_in(entry)
        await page.get_by_role("button", name=re.compile("^Scan QR")).click()
        await expect(page.get_by_role("dialog", name="Scan the appointment QR")).to_be_visible()
        number = await _queue_number(page)
        await expect(page.get_by_role("dialog")).to_have_count(0)
        await expect(
            page.get_by_role("button", name=f"Screen #{number}", exact=True)
        ).to_have_count(1, timeout=WAIT_MS)
        await _screenshot(page, "scanned.png")
        await context.close()
        await browser.close()
    assert console.problems == []
