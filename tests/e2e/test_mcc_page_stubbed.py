"""The /mcc/ page in headless Chromium against a small stand-in server (no stack needed): the
real files of web/mcc, served with the gateway's page policy, a fake login and a dashboard stream
the test feeds. It checks what the stack cannot make happen on demand: a burst of summaries is
parsed and drawn once per animation frame, only the sections whose data changed re-render, an
expired token is refreshed, a refused refresh asks for a new login, and nothing breaks the
Content-Security-Policy."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from vaxflow.stack.gateway import PAGE_CSP
from vaxflow_servicekit.testing import poll_until

CHROMIUM = "/usr/bin/chromium"
PAGE_DIR = Path(__file__).resolve().parents[2] / "web" / "mcc"
USERNAME, PASSWORD = "mcc.operator", "correct-horse-battery"
SITE = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
END = object()  # ends a stream, as a server restart would

HAVE_CHROMIUM = Path(CHROMIUM).exists()


def summary(doses_today: int = 5, *, alerts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A dashboard summary in the shape of the contract."""
    return {
        "as_of": f"2026-11-26T02:{doses_today // 60 % 60:02d}:{doses_today % 60:02d}.000Z",
        "date": "2026-11-26",
        "doses": {
            "today": doses_today,
            "total": 1000 + doses_today,
            "by_hour": [
                {"hour": "2026-11-26T08:00:00+07:00", "doses": 3},
                {"hour": "2026-11-26T09:00:00+07:00", "doses": doses_today - 3},
            ],
            "by_area": [
                {
                    "province_code": "79",
                    "district_code": "760",
                    "district_name": "Quận 1",
                    "doses_today": 4,
                    "doses_total": 700,
                    "waiting": 7,
                    "sites": 2,
                },
                {
                    "province_code": "79",
                    "district_code": "770",
                    "district_name": "Quận 3",
                    "doses_today": 1,
                    "doses_total": 300,
                    "waiting": 0,
                    "sites": 1,
                },
            ],
        },
        "coverage": [
            {
                "campaign_id": "c1",
                "name": "Tiêm chủng COVID-19 TP.HCM",
                "target": 930000,
                "doses": 1000,
                "ratio": 0.0011,
            }
        ],
        "appointments": {"booked_today": 40, "capacity_today": 50, "checked_in_today": 15},
        "sites": [
            {
                "site_id": SITE,
                "name": "Trạm y tế phường Bến Nghé",
                "district_code": "760",
                "waiting": 7,
                "longest_wait_s": 840,
                "doses_today": 4,
                "days_of_supply": 1.5,
            }
        ],
        "aefi": {"reported_today": 1, "serious_today": 0, "open_cases": 1, "open_signals": []},
        "certificates": {"issued_today": 4, "lag_p50_s": 0.4, "lag_p95_s": 0.9, "lag_p99_s": 1.3},
        "pipeline": {
            "consumer_lag": [{"group": "certificate.issuer", "lag": 0}],
            "dead_letters": [{"topic": "certificate.issuer.dlq", "count": 0}],
        },
        "alerts": alerts or [],
    }


def crowding_alert(status: str = "open") -> dict[str, Any]:
    return {
        "alert_id": "al-1",
        "rule": "crowding",
        "subject": SITE,
        "subject_name": "Trạm y tế phường Bến Nghé",
        "status": status,
        "opened_at": "2026-11-26T02:00:00Z",
        "acknowledged_at": None,
        "acknowledged_by": None,
        "message": "23 people waiting (threshold 20)",
        "value": 23,
        "threshold": 20,
    }


def fake_token(serial: int, role: str) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'sub': 'staff-1', 'role': role})}.sig{serial}"


@dataclass
class Stub:
    """What the stand-in server knows and records."""

    role: str = "mcc_operator"
    expires_in: int = 900
    refresh_ok: bool = True
    tokens: set[str] = field(default_factory=set)
    serial: int = 0
    streams: list[asyncio.Queue[Any]] = field(default_factory=list)
    latest: dict[str, Any] = field(default_factory=summary)
    refreshes: int = 0
    stream_statuses: list[int] = field(default_factory=list)
    acknowledged: list[tuple[str, str]] = field(default_factory=list)

    def issue(self) -> dict[str, Any]:
        self.serial += 1
        token = fake_token(self.serial, self.role)
        self.tokens.add(token)
        return {
            "access_token": token,
            "refresh_token": f"refresh-{self.serial}",
            "token_type": "bearer",
            "expires_in": self.expires_in,
        }

    def push(self, *summaries: dict[str, Any]) -> None:
        """Send summaries to every open stream, all at once."""
        self.latest = summaries[-1]
        text = "".join(f"event: summary\ndata: {json.dumps(s)}\n\n" for s in summaries)
        for queue in self.streams:
            queue.put_nowait(text)

    def end_streams(self) -> None:
        for queue in self.streams:
            queue.put_nowait(END)

    def reset(self) -> None:
        fresh = Stub()
        for name in ("role", "expires_in", "refresh_ok", "latest", "refreshes"):
            setattr(self, name, getattr(fresh, name))
        self.tokens.clear()
        self.stream_statuses.clear()
        self.acknowledged.clear()
        self.end_streams()


def problem(status: int, detail: str) -> JSONResponse:
    body = {"type": "about:blank", "title": "Refused", "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


class StandIn:
    """The identity and dashboard endpoints the page calls, answered from a Stub."""

    def __init__(self, stub: Stub) -> None:
        self.stub = stub
        self.app = Starlette(
            routes=[
                Route("/api/v1/auth/staff/login", self.login, methods=["POST"]),
                Route("/api/v1/auth/refresh", self.refresh, methods=["POST"]),
                Route("/api/v1/auth/logout", self.logout, methods=["POST"]),
                Route("/api/v1/dashboard/stream", self.stream),
                Route("/api/v1/alerts/{alert_id}/acknowledge", self.acknowledge, methods=["POST"]),
                Mount("/mcc", StaticFiles(directory=PAGE_DIR, html=True)),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Every answer carries the gateway's page policy, so the browser enforces it."""

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                policy = (b"content-security-policy", PAGE_CSP.strip('"').encode())
                message = {**message, "headers": [*message.get("headers", []), policy]}
            await send(message)

        await self.app(scope, receive, send_with_policy)

    async def login(self, request: Request) -> Response:
        body = await request.json()
        if body.get("username") != USERNAME or body.get("password") != PASSWORD:
            return problem(401, "Invalid credentials.")
        return JSONResponse(self.stub.issue())

    async def refresh(self, request: Request) -> Response:
        self.stub.refreshes += 1
        if not self.stub.refresh_ok:
            return problem(401, "The refresh token is not valid; log in again.")
        return JSONResponse(self.stub.issue())

    async def logout(self, request: Request) -> Response:
        return Response(status_code=204)

    def authorised(self, request: Request) -> bool:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        return token in self.stub.tokens

    async def stream(self, request: Request) -> Response:
        stub = self.stub
        if not self.authorised(request):
            stub.stream_statuses.append(401)
            return problem(401, "Not authenticated.")
        if stub.role not in ("mcc_operator", "admin"):
            stub.stream_statuses.append(403)
            return problem(403, "Forbidden.")
        stub.stream_statuses.append(200)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stub.streams.append(queue)
        queue.put_nowait(f"event: summary\ndata: {json.dumps(stub.latest)}\n\n")

        async def events() -> AsyncIterator[str]:
            try:
                while (item := await queue.get()) is not END:
                    yield item
            finally:
                stub.streams.remove(queue)

        return StreamingResponse(events(), media_type="text/event-stream")

    async def acknowledge(self, request: Request) -> Response:
        if not self.authorised(request):
            return problem(401, "Not authenticated.")
        alert_id = request.path_params["alert_id"]
        self.stub.acknowledged.append((alert_id, request.headers["authorization"]))
        done = {"acknowledged_by": USERNAME, "acknowledged_at": "2026-11-26T02:01:00Z"}
        return JSONResponse(crowding_alert("acknowledged") | done)


@dataclass
class Site:
    url: str
    stub: Stub


@pytest_asyncio.fixture(scope="module")
async def site() -> AsyncIterator[Site]:
    stub = Stub()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(StandIn(stub), host="127.0.0.1", port=port, log_config=None)
    )
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await poll_until(started, timeout_s=10, what="the stand-in server")
    yield Site(f"http://127.0.0.1:{port}", stub)
    stub.end_streams()
    server.should_exit = True
    await asyncio.wait_for(task, timeout=10)


@pytest_asyncio.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (installs Debian's chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        await browser.close()


@pytest_asyncio.fixture
async def page(browser: Browser, site: Site) -> AsyncIterator[Page]:
    site.stub.reset()
    context = await browser.new_context()
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    await page.goto(f"{site.url}/mcc/")
    yield page
    await context.close()
    # Nothing was refused by the Content-Security-Policy and no script failed.
    assert [p for p in problems if "status of 401" not in p and "status of 403" not in p] == []


async def log_in(page: Page, password: str = PASSWORD) -> None:
    await page.get_by_label("Username").fill(USERNAME)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()


async def stats(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(
        "() => JSON.parse(JSON.stringify(window.mccStats))"
    )
    return result


async def test_a_wrong_password_is_refused_and_the_right_one_shows_the_live_numbers(
    page: Page,
) -> None:
    await log_in(page, password="wrong")
    await expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")

    await log_in(page)

    await expect(page.locator('[data-metric="doses-today"]')).to_have_text("5")
    await expect(page.locator('[data-metric="doses-total"]')).to_have_text("1,005")
    await expect(page.get_by_role("row", name="Quận 1 4 700")).to_contain_text("700")
    await expect(page.get_by_role("row", name="Trạm y tế phường Bến Nghé")).to_contain_text(
        "14 min 0 s"
    )
    await expect(page.locator(".status")).to_contain_text("Live")
    assert await page.locator("figure.chart canvas").count() == 2
    # The token is kept for this tab only.
    stored = await page.evaluate("() => sessionStorage.getItem('vaxflow.mcc.session')")
    assert "access_token" in stored


async def test_a_burst_of_summaries_is_drawn_once_per_frame_and_only_where_it_changed(
    page: Page, site: Site
) -> None:
    await log_in(page)
    await expect(page.locator('[data-metric="doses-today"]')).to_have_text("5")
    before = await stats(page)

    site.stub.push(*(summary(doses_today=n) for n in range(6, 506)))

    await expect(page.locator('[data-metric="doses-today"]')).to_have_text("505")
    await page.wait_for_timeout(300)  # a few more frames: nothing more to draw
    after = await stats(page)
    messages = after["messages"] - before["messages"]
    parses = after["parses"] - before["parses"]
    frames = after["frames"] - before["frames"]
    assert messages == 500
    assert parses <= frames < 50  # at most one parse and one render per frame, few frames
    renders = {
        name: after["renders"].get(name, 0) - before["renders"].get(name, 0)
        for name in after["renders"]
    }
    assert 1 <= renders["numbers"] <= parses
    assert renders["hours"] <= parses  # doses of the current hour changed too
    # Districts, sites, alerts and lag never changed: not drawn again.
    assert renders["areas"] == renders["sites"] == renders["alerts"] == renders["lag"] == 0


async def test_an_alert_is_acknowledged_with_its_button(page: Page, site: Site) -> None:
    site.stub.latest = summary(alerts=[crowding_alert()])
    await log_in(page)
    button = page.get_by_role(
        "button", name="Acknowledge the crowding alert at Trạm y tế phường Bến Nghé"
    )

    await button.focus()
    await page.keyboard.press("Enter")

    alert = page.locator('[data-alert="al-1"]')
    await expect(alert).to_have_attribute("data-status", "acknowledged")
    await expect(alert).to_contain_text(f"acknowledged by {USERNAME}")
    await expect(button).to_have_count(0)
    ((alert_id, authorization),) = site.stub.acknowledged
    assert alert_id == "al-1"
    assert authorization.startswith("Bearer ")


async def test_an_expired_token_is_refreshed_and_the_stream_reconnects(
    page: Page, site: Site
) -> None:
    await log_in(page)
    await expect(page.locator('[data-metric="doses-today"]')).to_have_text("5")

    site.stub.tokens.clear()  # every access token has expired
    site.stub.latest = summary(doses_today=42)
    site.stub.end_streams()

    await expect(page.locator('[data-metric="doses-today"]')).to_have_text("42", timeout=15_000)
    assert site.stub.refreshes == 1
    assert site.stub.stream_statuses == [200, 401, 200]


async def test_a_token_about_to_expire_is_refreshed_before_it_does(page: Page, site: Site) -> None:
    site.stub.expires_in = 61  # the page refreshes a minute before expiry: at once

    await log_in(page)

    await expect(page.locator('[data-metric="doses-today"]')).to_have_text("5")
    for _ in range(50):
        if site.stub.refreshes:
            break
        await asyncio.sleep(0.1)
    assert site.stub.refreshes >= 1
    await expect(page.locator(".status")).to_contain_text("Live")


async def test_a_refused_refresh_asks_for_a_new_login(page: Page, site: Site) -> None:
    await log_in(page)
    await expect(page.locator('[data-metric="doses-today"]')).to_have_text("5")

    site.stub.refresh_ok = False
    site.stub.tokens.clear()
    site.stub.end_streams()

    await expect(page.get_by_text("Your session has expired; log in again.")).to_be_visible(
        timeout=15_000
    )
    await expect(page.get_by_label("Username")).to_be_visible()
    assert await page.evaluate("() => sessionStorage.length") == 0


async def test_an_account_without_the_operator_role_is_told_so(page: Page, site: Site) -> None:
    site.stub.role = "vaccinator"

    await log_in(page)

    await expect(page.get_by_role("alert")).to_contain_text("mcc_operator or admin role")


async def test_a_reload_keeps_the_login_of_the_tab(page: Page) -> None:
    await log_in(page)
    await expect(page.locator('[data-metric="doses-today"]')).to_have_text("5")

    await page.reload()

    await expect(page.locator('[data-metric="doses-today"]')).to_have_text("5")
    await expect(page.get_by_label("Password")).to_have_count(0)
