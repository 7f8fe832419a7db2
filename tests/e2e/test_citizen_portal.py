"""The citizen portal (/) in headless Chromium on a phone-sized screen, against the running stack.

A citizen logs in with the code the local SMS gateway wrote, registers, books a place in a demo
session and shows the check-in QR, which decodes (zxing, from a screenshot) to the appointment's
token and checks them in at the site. A family member is registered (a refusal first, named at
its field) and their appointment changed to another slot. After staff record a dose through the
API, the citizen (whose access token the API refuses, so the portal refreshes it) sees the
certificate with its level colour and a QR that verifies, downloads the PDF, finds the dose in
the health book, reports a reaction and reads the portal in English. Screenshots are saved under
test-output/citizen-portal/ (ignored by git).
"""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
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
    ConsoleMessage,
    Locator,
    Page,
    ViewportSize,
    async_playwright,
    expect,
)

from tests.e2e.axe import grave_violations
from tests.e2e.gateway import STACK, gateway_client, outbox_path, seeded_staff
from tests.e2e.test_registration_flows import CODE, staff_headers
from tests.integration.injection.conftest import NO_TO_EVERYTHING, NORMAL_VITALS
from tests.integration.registration.people import cccd, person
from vaxflow.seed import DEMO_SITE
from vaxflow_servicekit.sms import read_outbox
from vaxflow_servicekit.testing import poll_until

pytestmark = pytest.mark.stack

CHROMIUM = "/usr/bin/chromium"  # Debian's package (make setup installs it)
HAVE_CHROMIUM = Path(CHROMIUM).exists()
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "citizen-portal"
PHONE_SCREEN = ViewportSize(width=390, height=844)
COMIRNATY = "EU/1/20/1528"  # the seed stocks lot FF2587 of it at every demo site
# Waits for what crosses the services and Kafka on a busy machine.
STREAM_TIMEOUT_MS = 45_000
PAGE_TIMEOUT_MS = 20_000
SESSION_KEY = "vaxflow.portal.session"


@pytest_asyncio.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(
        "registration", "scheduling", "injection", "certificate", "monitoring",
        request_timeout_s=30,
    ) as client:  # fmt: skip
        yield client


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (installs Debian's chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        await browser.close()


@dataclass(frozen=True)
class Place:
    """A free slot of a session."""

    session_id: str
    slot: str
    date: str


@dataclass
class Citizen:
    """The portal on a phone, logged in with a new phone number."""

    page: Page
    phone: str
    problems: list[str]

    async def headers(self) -> dict[str, str]:
        """The bearer header of the page's own login (as the portal keeps it)."""
        session: dict[str, Any] = await self.page.evaluate(
            f"JSON.parse(localStorage.getItem('{SESSION_KEY}'))"
        )
        return {"Authorization": f"Bearer {session['access_token']}"}


@pytest_asyncio.fixture
async def citizen(browser: Browser) -> AsyncIterator[Citizen]:
    context = await browser.new_context(
        viewport=PHONE_SCREEN, device_scale_factor=2, is_mobile=True, has_touch=True,
        accept_downloads=True, timezone_id="Asia/Ho_Chi_Minh",
    )  # fmt: skip
    page = await context.new_page()
    # Each step waits on the services (through Kafka, on a shared machine): more than 5 s.
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    problems: list[str] = []
    # Script errors and refusals by the Content-Security-Policy fail the test.
    page.on("console", lambda m: problems.append(m.text) if _is_problem(m) else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    phone = "09" + f"{uuid.uuid4().int % 10**8:08d}"

    await page.goto(f"{STACK.gateway_url}/")
    await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    await page.get_by_label("Số điện thoại").fill(phone)
    started = time.time() - 1
    await page.get_by_role("button", name="Gửi mã").click()
    await expect(page.get_by_label("Mã đăng nhập")).to_be_visible(timeout=20_000)
    code = await poll_until(
        lambda: _code_sent(phone, started), timeout_s=30, interval_s=0.5, what="the SMS"
    )
    assert code is not None
    await page.get_by_label("Mã đăng nhập").fill(code)
    await page.get_by_label("Mã đăng nhập").press("Enter")  # the keyboard is enough
    await expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible(timeout=20_000)
    yield Citizen(page, phone, problems)
    expect.set_options(timeout=5_000)  # Playwright's default, for other modules
    await context.close()
    assert problems == []


async def _code_sent(phone: str, since: float) -> str | None:
    sent = [m for m in read_outbox(outbox_path())
            if m.to == "+84" + phone[1:] and m.sent_at.timestamp() >= since]  # fmt: skip
    return CODE.findall(sent[-1].text)[0] if sent else None


def _adult(relationship: str, **overrides: Any) -> dict[str, Any]:
    """A new person old enough for the demo sessions (18 and over)."""
    serial = uuid.uuid4().int % 10**6
    body = person(relationship=relationship, sex="female", date_of_birth="1990-05-20")
    return body | {"national_id": cccd(1990, "female", serial)} | overrides


def _is_problem(message: ConsoleMessage) -> bool:
    return message.type == "error" and not message.text.startswith("Failed to load resource")


async def _screenshot(page: Page, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=OUTPUT / name, full_page=True)


async def _decode_qr(canvas: Locator) -> str:
    """The text of the QR code on the screen, read back from a screenshot with zxing."""
    await expect(canvas).to_have_attribute("data-ready", "true")
    image = Image.open(io.BytesIO(await canvas.screenshot()))
    # zxing may report one dense code twice (found at two scales) or see a spurious
    # other format in its modules, so it looks for QR codes only and the screen must
    # hold exactly one distinct text.
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    [text] = {code.text for code in found}
    return text


async def _register_on_the_page(
    page: Page, body: dict[str, Any], *, forget_consent_first: bool = False
) -> None:
    if body["relationship"] == "self":
        link, heading = "Đăng ký thông tin của bạn", "Đăng ký thông tin cá nhân"
    else:
        link, heading = "Đăng ký người thân", "Đăng ký người thân"
    await page.get_by_role("link", name=link).first.click()
    await expect(page.get_by_role("heading", name=heading)).to_be_visible()
    await page.get_by_label("Họ và tên").fill(body["full_name"])
    await page.get_by_label("Số giấy tờ").fill(body["national_id"])
    await page.get_by_label("Ngày sinh").fill(body["date_of_birth"])
    await page.get_by_label({"male": "Nam", "female": "Nữ"}[body["sex"]], exact=True).check()
    await page.get_by_label("Tỉnh, thành phố").select_option(body["address"]["province_code"])
    await page.get_by_label("Phường, xã").select_option(body["address"]["ward_code"])
    await page.get_by_label("Số nhà, đường").fill(body["address"]["line"])
    if body["relationship"] != "self":
        await page.get_by_label("Số điện thoại liên hệ").fill(body["phone"])
    if forget_consent_first:  # refused, named at the field, nothing registered
        await page.get_by_role("button", name="Đăng ký", exact=True).click()
        await expect(page.locator("#consent-error")).to_have_text("Cần đồng ý để đăng ký")
        await expect(page.get_by_label("Tôi đồng ý")).to_have_attribute("aria-invalid", "true")
        await expect(page.get_by_role("alert")).to_contain_text("Đồng ý")
        await _screenshot(page, "register-refused.png")
    await page.get_by_label("Tôi đồng ý").check()
    await _screenshot(page, f"register-{body['relationship']}.png")
    await page.get_by_role("button", name="Đăng ký", exact=True).click()
    await expect(page.get_by_test_id("person-name")).to_have_text(body["full_name"])


async def _demo_places(gateway: httpx.AsyncClient) -> list[Place]:
    """Free slots still ahead in the sessions of the first demo site (at least two)."""
    answer = await gateway.get("/availability", params={"site_id": DEMO_SITE.site_id})
    assert answer.status_code == 200, answer.text
    now = time.time()
    places = [
        Place(session["session_id"], slot["slot"], session["date"])
        for session in answer.json()["items"]
        for slot in session["slots"]
        if slot["free"] > 0 and _epoch(slot["end"]) > now + 120
    ]
    assert len(places) >= 2, "the demo sessions have no free slots ahead (run `vaxflow seed`)"
    return places


async def _book_on_the_page(page: Page, place: Place, *, screenshot: str | None = None) -> None:
    """Pick the day, open the session and take the slot."""
    await page.get_by_label("Ngày").select_option(place.date)
    session = page.locator(f'li.session[data-session="{place.session_id}"]')
    await expect(session).to_be_visible(timeout=30_000)  # availability read
    await session.locator("summary").click()
    if screenshot:
        await _screenshot(page, screenshot)
    await session.locator(f'button[data-slot="{place.slot}"]').click()
    qr_page = page.get_by_role("heading", name="Mã QR check-in")
    await expect(qr_page).to_be_visible(timeout=30_000)  # a busy machine books slowly


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def _vaccinator() -> dict[str, str]:
    return next(
        e
        for e in await seeded_staff()
        if e["role"] == "vaccinator" and e.get("site_id") == DEMO_SITE.site_id
    )


async def test_a_citizen_registers_books_and_shows_a_check_in_qr_that_checks_them_in(
    gateway: httpx.AsyncClient, citizen: Citizen
) -> None:
    page = citizen.page
    body = _adult("self")

    await _register_on_the_page(page, body)
    book = page.get_by_role("link", name="Đặt lịch tiêm")
    await expect(book).to_be_visible(timeout=STREAM_TIMEOUT_MS)  # scheduling knows them
    await book.click()
    place = (await _demo_places(gateway))[0]
    await _book_on_the_page(page, place, screenshot="book.png")
    scanned = await _decode_qr(page.get_by_test_id("check-in-qr"))
    await _screenshot(page, "check-in-qr.png")

    mine = await gateway.get(
        "/appointments",
        params={"citizen_id": await _citizen_id(gateway, citizen)},
        headers=await citizen.headers(),
    )
    assert mine.status_code == 200, mine.text
    [appointment] = mine.json()["items"]
    assert (appointment["session_id"], appointment["slot"]) == (place.session_id, place.slot)
    assert appointment["status"] == "booked"
    assert scanned == appointment["check_in_token"]
    # The code on the screen is what staff scan at the site.
    vaccinator = await staff_headers(gateway, await _vaccinator())
    checked_in = await gateway.post(
        "/check-ins", json={"site_id": DEMO_SITE.site_id, "token": scanned}, headers=vaccinator
    )
    assert checked_in.status_code == 201, checked_in.text
    assert checked_in.json()["appointment_id"] == appointment["appointment_id"]


async def _citizen_id(gateway: httpx.AsyncClient, citizen: Citizen) -> str:
    me = await gateway.get("/citizens/me", headers=await citizen.headers())
    assert me.status_code == 200, me.text
    citizen_id: str = me.json()["citizen_id"]
    return citizen_id


async def _vaccinate(gateway: httpx.AsyncClient, citizen_id: str) -> str:
    """Staff check the citizen in, screen them and record a dose, all through the API."""
    vaccinator = await staff_headers(gateway, await _vaccinator())
    checked_in = await poll_until(
        lambda: gateway.post(
            "/check-ins",
            json={"site_id": DEMO_SITE.site_id, "citizen_id": citizen_id},
            headers=vaccinator,
        ),
        accept=lambda r: r.status_code == 201,
        timeout_s=30,
        what="the check-in, once scheduling knows the citizen",
    )
    assert checked_in.status_code == 201, checked_in.text
    screening = {
        "citizen_id": citizen_id,
        "product_code": COMIRNATY,
        "answers": NO_TO_EVERYTHING,
        "vitals": NORMAL_VITALS,
    }
    screened = await poll_until(
        lambda: gateway.post("/screenings", json=screening, headers=vaccinator),
        accept=lambda r: r.status_code == 201,
        timeout_s=30,
        what="the screening, once injection knows the citizen",
    )
    assert screened.json()["outcome"] == "eligible"
    dose = {
        "citizen_id": citizen_id,
        "product_code": COMIRNATY,
        "lot_number": "FF2587",
        "body_site": "left_deltoid",
    }
    recorded = await poll_until(
        lambda: gateway.post("/doses", json=dose, headers=vaccinator),
        accept=lambda r: r.status_code == 201,
        timeout_s=30,
        what="the dose, once injection knows the check-in and the lot",
    )
    dose_id: str = recorded.json()["dose_id"]
    return dose_id


async def test_after_the_dose_the_citizen_shows_the_certificate_and_reports_a_reaction(
    gateway: httpx.AsyncClient, citizen: Citizen
) -> None:
    page = citizen.page
    body = _adult("self", phone=citizen.phone)
    registered = await gateway.post("/citizens", json=body, headers=await citizen.headers())
    assert registered.status_code == 201, registered.text
    citizen_id = registered.json()["citizen_id"]

    dose_id = await _vaccinate(gateway, citizen_id)

    headers = await citizen.headers()
    await poll_until(  # the certificate service issues it from the dose's event
        lambda: gateway.get("/certificates/me", headers=headers),
        accept=lambda r: r.status_code == 200 and bool(r.json()["items"]),
        timeout_s=30,
        what="the certificate of the dose",
    )
    # An access token the API refuses: the portal rotates the refresh token and carries on.
    await page.evaluate(
        f"""() => {{
            const s = JSON.parse(localStorage.getItem('{SESSION_KEY}'));
            localStorage.setItem('{SESSION_KEY}', JSON.stringify({{...s, access_token: 'x.y.z'}}));
        }}"""
    )
    await page.reload()
    await page.get_by_role("link", name="Chứng nhận tiêm chủng").click()
    certificate = page.locator(".certificate[data-level]")
    await expect(certificate).to_have_attribute("data-level", "partial")
    await expect(certificate).to_contain_text("thẻ vàng")
    hc1 = await _decode_qr(page.get_by_test_id("certificate-qr"))
    verified = await gateway.post("/certificates/verify", json={"qr": hc1})
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True
    await _screenshot(page, "certificate.png")
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Tải chứng nhận PDF").click()
    pdf = Path(await (await downloading.value).path())
    assert (await asyncio.to_thread(pdf.read_bytes)).startswith(b"%PDF")

    await page.get_by_role("link", name="Quay lại").click()
    await page.get_by_role("link", name="Sổ tiêm chủng").click()
    dose = page.locator('li.entry[data-kind="dose_administered"]')
    await expect(dose).to_contain_text("FF2587")
    await _screenshot(page, "health-book.png")

    await page.get_by_role("link", name="Quay lại").click()
    await page.get_by_role("link", name="Báo phản ứng sau tiêm").click()
    await page.get_by_label("Sốt", exact=True).check()
    await page.get_by_label("Đau tại chỗ tiêm").check()
    await page.get_by_role("button", name="Gửi báo cáo").click()
    reported = page.locator("[data-aefi]")
    await expect(reported).to_be_visible()
    aefi_id = await reported.get_attribute("data-aefi")
    case = await gateway.get(f"/aefi/{aefi_id}", headers=await citizen.headers())
    assert case.status_code == 200, case.text
    assert case.json()["dose_id"] == dose_id
    assert sorted(case.json()["symptom_codes"]) == ["fever", "injection_site_pain"]
    assert case.json()["source"] == "citizen_report"
    await _screenshot(page, "reaction-reported.png")

    await page.get_by_role("button", name="Switch to English").click()
    await page.get_by_role("link", name="Back").click()
    await expect(page.get_by_role("link", name="Vaccination certificate")).to_be_visible()
    await expect(page.get_by_test_id("appointments")).to_have_text("No appointments yet.")
    assert await page.evaluate("document.documentElement.lang") == "en"
    await _screenshot(page, "home-english.png")


async def test_a_family_member_is_registered_booked_and_their_appointment_changed(
    gateway: httpx.AsyncClient, citizen: Citizen
) -> None:
    page = citizen.page
    holder = _adult("self", phone=citizen.phone)
    registered = await gateway.post("/citizens", json=holder, headers=await citizen.headers())
    assert registered.status_code == 201, registered.text
    await page.reload()
    child = _adult("family_member")

    await _register_on_the_page(page, child, forget_consent_first=True)
    await expect(page.get_by_label("Chọn người")).to_be_visible()  # two people now
    book = page.get_by_role("link", name="Đặt lịch tiêm")
    await expect(book).to_be_visible(timeout=STREAM_TIMEOUT_MS)
    await book.click()
    await expect(page.get_by_text(f"Cho: {child['full_name']}")).to_be_visible()
    first, second = (await _demo_places(gateway))[:2]
    await _book_on_the_page(page, first)
    await page.get_by_role("link", name="Quay lại").click()
    await page.get_by_role("link", name="Đổi lịch").click()
    await expect(page.get_by_role("heading", name="Đổi lịch tiêm")).to_be_visible()
    await _book_on_the_page(page, second)
    await expect(page.locator(".notice")).to_contain_text("Đã đổi lịch")
    scanned = await _decode_qr(page.get_by_test_id("check-in-qr"))
    await _screenshot(page, "changed-qr.png")

    people = await gateway.get("/citizens/me/people", headers=await citizen.headers())
    assert len(people.json()["items"]) == 2  # the refused attempt registered nobody
    [child_id] = [
        p["citizen_id"] for p in people.json()["items"] if p["relationship"] == "family_member"
    ]
    mine = await gateway.get(
        "/appointments", params={"citizen_id": child_id}, headers=await citizen.headers()
    )
    assert mine.status_code == 200, mine.text
    by_status = {a["status"]: a for a in mine.json()["items"]}
    assert sorted(by_status) == ["booked", "cancelled"]
    cancelled, booked = by_status["cancelled"], by_status["booked"]
    assert (cancelled["session_id"], cancelled["slot"]) == (first.session_id, first.slot)
    assert (booked["session_id"], booked["slot"]) == (second.session_id, second.slot)
    assert scanned == by_status["booked"]["check_in_token"]


async def _admin(gateway: httpx.AsyncClient) -> dict[str, str]:
    entry = next(e for e in await seeded_staff() if e["role"] == "admin")
    return await staff_headers(gateway, entry)


async def _session_for_elders(gateway: httpx.AsyncClient) -> tuple[str, str, list[str]]:
    """A two-slot session at a new site for people of 90 and over: its id, date and slots."""
    admin = await _admin(gateway)
    site = await gateway.post(
        "/sites",
        json={
            "name": f"Trạm Y tế thử {uuid.uuid4().hex[:8]}",
            "address": "2 Nguyễn Văn Trỗi, Phường 8",
            "area": {"province_code": "79", "district_code": "770", "ward_code": "27139"},
            "opens": "08:00",
            "closes": "10:00",
            "slot_minutes": 60,
            "daily_capacity": 50,
        },
        headers=admin,
    )
    assert site.status_code == 201, site.text
    site_id: str = site.json()["site_id"]
    day = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + timedelta(days=2)
    session = await gateway.post(
        f"/sites/{site_id}/sessions",
        json={
            "date": day.isoformat(),
            "product_code": "EU/1/21/1529",
            "doses": ["first"],
            "slot_capacity": 50,
            "min_age": 90,
        },
        headers=admin,
    )
    assert session.status_code == 201, session.text
    session_id: str = session.json()["session_id"]
    found = await gateway.get("/availability", params={"site_id": site_id})
    [listed] = [s for s in found.json()["items"] if s["session_id"] == session_id]
    return session_id, day.isoformat(), [slot["slot"] for slot in listed["slots"]]


async def test_an_invitation_shows_in_the_portal_and_is_changed_then_cancelled(
    gateway: httpx.AsyncClient, citizen: Citizen
) -> None:
    """Also: an access token the API refuses is replaced by the rotated refresh token, and the
    citizen stays logged in (the refresh token used is spent)."""
    page = citizen.page
    dialogs: list[str] = []

    async def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        await dialog.accept()

    page.on("dialog", accept)
    serial = uuid.uuid4().int % 10**6
    elder = _adult("self", phone=citizen.phone) | {
        "date_of_birth": "1931-05-17",
        "national_id": cccd(1931, "female", serial),
    }
    registered = await gateway.post("/citizens", json=elder, headers=await citizen.headers())
    assert registered.status_code == 201, registered.text
    citizen_id = registered.json()["citizen_id"]
    session_id, day, slots = await _session_for_elders(gateway)
    admin = await _admin(gateway)

    async def invite() -> httpx.Response:
        body = {"session_id": session_id, "count": 50}
        return await gateway.post("/invitations", json=body, headers=admin)

    def invites_them(response: httpx.Response) -> bool:
        given = response.json().get("appointments", []) if response.status_code == 201 else []
        return response.status_code != 201 or any(a["citizen_id"] == citizen_id for a in given)

    # Until scheduling learns the citizen from registration.citizen.v1.
    invited = await poll_until(invite, accept=invites_them, what="the elder invited")
    assert invited.status_code == 201, invited.text
    [invitation] = [a for a in invited.json()["appointments"] if a["citizen_id"] == citizen_id]

    # The access token has expired (the API refuses it): the portal refreshes, no new login.
    before: dict[str, Any] = await page.evaluate(
        f"JSON.parse(localStorage.getItem('{SESSION_KEY}'))"
    )
    await page.evaluate(
        f"""() => {{
            const s = JSON.parse(localStorage.getItem('{SESSION_KEY}'));
            localStorage.setItem('{SESSION_KEY}', JSON.stringify({{...s, access_token: 'x.y.z'}}));
        }}"""
    )
    await page.reload()
    card = page.locator(f'li.appointment[data-appointment="{invitation["appointment_id"]}"]')
    await expect(card.locator(".badge.invite")).to_have_text("Lời mời", timeout=STREAM_TIMEOUT_MS)
    await expect(card).to_contain_text("Đã đặt")
    await expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    after: dict[str, Any] = await page.evaluate(
        f"JSON.parse(localStorage.getItem('{SESSION_KEY}'))"
    )
    assert after["access_token"] not in ("x.y.z", before["access_token"])
    assert after["refresh_token"] != before["refresh_token"]
    spent = await gateway.post("/auth/refresh", json={"refresh_token": before["refresh_token"]})
    assert spent.status_code == 401, spent.text
    await _screenshot(page, "invitation.png")
    assert await grave_violations(page) == []

    # The citizen confirms the place by opening its check-in QR, then moves to the other slot.
    await card.get_by_role("link", name="Mã QR check-in").click()
    assert await _decode_qr(page.get_by_test_id("check-in-qr")) == invitation["check_in_token"]
    await page.get_by_role("link", name="Quay lại").click()
    await card.get_by_role("link", name="Đổi lịch").click()
    await expect(page.get_by_role("heading", name="Đổi lịch tiêm")).to_be_visible()
    other = next(slot for slot in slots if slot != invitation["slot"])
    await _book_on_the_page(page, Place(session_id, other, day))
    await expect(page.locator(".notice")).to_contain_text("Đã đổi lịch")
    await page.get_by_role("link", name="Quay lại").click()
    changed = page.locator("li.appointment.status-booked")
    await expect(changed).to_have_count(1)
    await expect(changed.locator(".badge.invite")).to_have_count(0)  # booked by the citizen
    await changed.get_by_role("button", name="Hủy lịch").click()
    await expect(page.locator(".notice")).to_have_text("Đã hủy lịch hẹn.")
    await expect(page.locator("li.appointment.status-booked")).to_have_count(0)
    assert dialogs == ["Hủy lịch hẹn này?"]
    await _screenshot(page, "invitation-changed-then-cancelled.png")

    mine = await gateway.get(
        "/appointments", params={"citizen_id": citizen_id}, headers=await citizen.headers()
    )
    assert mine.status_code == 200, mine.text
    by_channel = {a["channel"]: a for a in mine.json()["items"]}
    assert by_channel["invitation"]["status"] == "cancelled"
    assert by_channel["invitation"]["slot"] == invitation["slot"]
    [own] = [a for a in mine.json()["items"] if a["channel"] != "invitation"]
    assert (own["slot"], own["status"]) == (other, "cancelled")


async def test_the_portals_screens_have_no_serious_accessibility_violation(
    gateway: httpx.AsyncClient, browser: Browser, citizen: Citizen
) -> None:
    """axe-core (tests/e2e/axe.py) on the login, home, registration, booking, health book,
    certificate and reaction screens, in Vietnamese and the home screen in English."""
    found: dict[str, list[str]] = {}
    context = await browser.new_context(viewport=PHONE_SCREEN, is_mobile=True)
    login = await context.new_page()
    await login.goto(f"{STACK.gateway_url}/")
    await expect(login.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    found["login"] = await grave_violations(login)
    await context.close()

    page = citizen.page
    body = _adult("self", phone=citizen.phone)
    registered = await gateway.post("/citizens", json=body, headers=await citizen.headers())
    assert registered.status_code == 201, registered.text
    await page.reload()
    await expect(page.get_by_test_id("person-name")).to_have_text(body["full_name"])
    await expect(page.get_by_role("link", name="Đặt lịch tiêm")).to_be_visible(
        timeout=STREAM_TIMEOUT_MS
    )
    found["home"] = await grave_violations(page)
    screens = {
        "register": ("#/register?family=1", "Đăng ký người thân"),
        "book": ("#/book", "Đặt lịch tiêm"),
        "health": ("#/health", "Sổ tiêm chủng"),
        "certificate": ("#/certificate", "Chứng nhận tiêm chủng"),
        "reaction": ("#/reaction", "Báo phản ứng sau tiêm"),
    }
    for screen, (route, heading) in screens.items():
        await page.goto(f"{STACK.gateway_url}/{route}")
        await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        await page.wait_for_load_state("networkidle")
        found[screen] = await grave_violations(page)
        await _screenshot(page, f"phone-{screen}.png")
    await page.goto(f"{STACK.gateway_url}/#/")
    await page.get_by_role("button", name="Switch to English").click()
    await expect(page.get_by_role("link", name="Health book", exact=True)).to_be_visible()
    found["home in English"] = await grave_violations(page)
    await page.get_by_role("button", name="Chuyển sang tiếng Việt").click()

    assert {screen: v for screen, v in found.items() if v} == {}
