"""HTTP through the gateway, each actor from its own loopback address, every call recorded.

The gateway limits each client address (50 requests a second, bursts of 100), as it should for
real phones and sites; the simulator, like `bench/injection.py`, gives every site's staff and
every group of phones its own address in 127.0.0.0/8 so the limit applies per actor, not to the
whole simulated city.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from vaxflow.simulate.metrics import Recorder

API = "/api/v1"


class NotReady(Exception):
    """A step kept answering "not yet" until its deadline."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A response, or status 0 with no body when the request failed in transport."""

    status: int
    body: Any
    text: str


def address(group: int, index: int) -> str:
    """A loopback address for actor `index` of a group (0 staff, 1 phones, 2 verifiers)."""
    return f"127.{10 + group}.{index // 250}.{1 + index % 250}"


class Gateway:
    """A pool of clients of the gateway, one per source address."""

    def __init__(self, base_url: str, recorder: Recorder, timeout_s: float) -> None:
        self._base_url = base_url.rstrip("/")
        self._recorder = recorder
        self._timeout_s = timeout_s
        self._clients: dict[str, httpx.AsyncClient] = {}

    def client(self, source: str) -> httpx.AsyncClient:
        """The client sending from this address (made on first use)."""
        existing = self._clients.get(source)
        if existing is None:
            transport = httpx.AsyncHTTPTransport(
                local_address=source, limits=httpx.Limits(max_connections=50)
            )
            existing = httpx.AsyncClient(
                transport=transport, base_url=self._base_url, timeout=self._timeout_s
            )
            self._clients[source] = existing
        return existing

    async def aclose(self) -> None:
        """Close every client."""
        await asyncio.gather(*(c.aclose() for c in self._clients.values()))

    async def call(
        self,
        source: str,
        endpoint: str,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        raw: bool = False,
        timeout_s: float | None = None,
        ids: dict[str, str] | None = None,
    ) -> Answer:
        """Send one request and record it under `endpoint` (e.g. "POST /doses").

        `ids`: what the write is about that neither its path nor its body names (the citizen
        of a QR check-in), recorded with it for the after-run checker.
        """
        known = ids or {}
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        started = time.perf_counter()
        try:
            response = await self.client(source).request(
                method,
                API + path,
                json=json,
                params=params,
                headers=headers,
                timeout=timeout_s or self._timeout_s,
            )
        except httpx.HTTPError as error:
            self._recorder.call(endpoint, time.perf_counter() - started, 0)
            self._recorder.error(endpoint, f"transport: {type(error).__name__}")
            if method != "GET":
                outcome = "failed" if isinstance(error, NOT_SENT) else "indeterminate"
                found = known | ids_of(path, json, None)
                self._recorder.record(endpoint, outcome, 0, found, type(error).__name__)
            return Answer(0, None, "")
        self._recorder.call(endpoint, time.perf_counter() - started, response.status_code)
        if raw:
            return Answer(response.status_code, None, "")
        try:
            body = response.json()
        except ValueError:
            body = None
        if method != "GET":
            status = response.status_code
            self._recorder.record(
                endpoint, outcome_of(status), status, known | ids_of(path, json, body)
            )
        return Answer(response.status_code, body, response.text)

    async def expect(
        self, answer: Awaitable[Answer], endpoint: str, *statuses: int
    ) -> Answer | None:
        """The answer when its status is one of `statuses`; else recorded as an error, None."""
        got = await answer
        if got.status in statuses:
            return got
        if got.status:  # transport failures are recorded already
            self._recorder.error(endpoint, f"{got.status} {got.text}")
        return None

    async def until_ready(
        self,
        send: Callable[[], Awaitable[Answer]],
        endpoint: str,
        ok: int,
        deadline_s: float,
        not_yet: tuple[int, ...] = (404, 409, 422),
        rules: frozenset[str] | None = None,
        refused: tuple[int, ...] = (),
    ) -> Answer | None:
        """Send until the answer is `ok`, while it says "not yet" (the streams catching up).

        None when it failed: recorded as an error, unless its status is one of `refused`
        (an answer the caller handles, like a slot taken by someone else in the meantime).
        """
        give_up = time.monotonic() + deadline_s
        pause = 0.2
        while True:
            got = await send()
            if got.status == ok:
                return got
            waiting = got.status in (0, 429, 502, 503, 504) or (
                got.status in not_yet and (rules is None or _rules(got) <= rules)
            )
            if waiting and time.monotonic() < give_up:
                self._recorder.retry(endpoint)
                await asyncio.sleep(pause)
                pause = min(pause * 1.5, 2.0)
                continue
            if got.status and got.status not in refused:
                self._recorder.error(endpoint, f"{got.status} {got.text}")
            return None


# Answers after which a write may or may not have happened (0: no answer at all).
LOST = (0, 500, 502, 503, 504)
# Transport failures before the request left: nothing can have happened.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Ids worth keeping from a write's body and answer, for the after-run checker.
ID_FIELDS = (
    "citizen_id",
    "appointment_id",
    "session_id",
    "slot",
    "site_id",
    "lot_id",
    "lot_number",
    "receipt_id",
    "adjustment_id",
    "screening_id",
    "dose_id",
    "check_in_id",
    "entry_id",
)


def outcome_of(status: int) -> str:
    """What an answer says about a write: done, not done, or unknown.

    2xx: ok. 500 (a crash mid-way), 502 and 504 (the gateway lost the service or gave up
    waiting) and 503 (a dependency failed, possibly after the write reached it and only its
    answer was lost): the write may or may not have happened, indeterminate. Any other answer
    is a refusal that changed nothing: failed.
    """
    if 200 <= status < 300:
        return "ok"
    return "indeterminate" if status in LOST else "failed"


def ids_of(path: str, body: Any, answer: Any) -> dict[str, str]:
    """The ids a write names: in its path, its body and its answer (the answer wins)."""
    ids = {"path": path}
    for source in (body, answer):
        if isinstance(source, dict):
            ids.update({k: str(source[k]) for k in ID_FIELDS if source.get(k) is not None})
    return ids


def _rules(answer: Answer) -> set[str]:
    """The rules a problem+json answer names (empty when it names none)."""
    errors = answer.body.get("errors") if isinstance(answer.body, dict) else None
    return {str(e.get("rule")) for e in errors or []} or {"?"}
