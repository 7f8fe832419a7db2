"""The gateway as a client sees it: health, errors as problem+json, request ids, limits."""

from __future__ import annotations

import json
import re
import socket
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from vaxflow.stack.config import StackSettings

from .conftest import poll

pytestmark = pytest.mark.stack

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
NGINX_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def client(running_stack: StackSettings) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running_stack.gateway_url, timeout=10) as client:
        yield client


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


def test_healthz_answers_json(client: httpx.Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_api_path_is_a_404_problem_with_request_id_and_security_headers(
    client: httpx.Client,
) -> None:
    response = client.get("/api/v1/no-such-service/things")

    body = assert_problem(response, 404)
    request_id = response.headers["x-request-id"]
    assert NGINX_REQUEST_ID.match(request_id)
    assert body["request_id"] == request_id
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_a_well_formed_client_request_id_is_echoed(client: httpx.Client) -> None:
    response = client.get("/api/v1/nothing", headers={"X-Request-ID": "req-2f6c1a9e-e2e"})

    assert response.headers["x-request-id"] == "req-2f6c1a9e-e2e"


def test_a_malformed_client_request_id_is_replaced(client: httpx.Client) -> None:
    response = client.get("/api/v1/nothing", headers={"X-Request-ID": 'x"; drop <script>'})

    assert NGINX_REQUEST_ID.match(response.headers["x-request-id"])
    assert_problem(response, 404)


def test_a_body_over_the_limit_is_a_413_problem(
    client: httpx.Client, running_stack: StackSettings
) -> None:
    too_large = _bytes(running_stack.gateway_max_body_size) + 1

    response = client.post("/api/v1/anything", content=b"x" * too_large)

    assert_problem(response, 413)
    assert NGINX_REQUEST_ID.match(response.headers["x-request-id"])


def test_a_burst_beyond_the_rate_limit_gets_429_problems(running_stack: StackSettings) -> None:
    # Pipelined on one connection, so nginx sees the burst at its own speed, however slow the
    # client machine is.
    count = running_stack.gateway_burst + 2 * running_stack.gateway_rate_per_second + 50

    responses = _pipelined_gets(running_stack, "/api/v1/x", count)

    statuses = Counter(status for status, _, _ in responses)
    assert len(responses) == count
    assert statuses[404] >= running_stack.gateway_burst
    assert statuses[429] > 0
    _, headers, body = next(r for r in responses if r[0] == 429)
    assert headers["content-type"] == "application/problem+json"
    assert headers["x-frame-options"] == "DENY"
    assert json.loads(body)["status"] == 429
    _wait_until_not_limited(running_stack)


def _pipelined_gets(
    settings: StackSettings, path: str, count: int
) -> list[tuple[int, dict[str, str], bytes]]:
    request = f"GET {path} HTTP/1.1\r\nHost: {settings.host}\r\n\r\n".encode()
    last = f"GET {path} HTTP/1.1\r\nHost: {settings.host}\r\nConnection: close\r\n\r\n"
    with socket.create_connection((settings.host, settings.gateway_port), timeout=30) as sock:
        sock.sendall(request * (count - 1) + last.encode())
        raw = b"".join(iter(lambda: sock.recv(65536), b""))
    return _parse_responses(raw)


def _parse_responses(raw: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    responses = []
    while raw:
        head, raw = raw.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, value in (line.split(":", 1) for line in header_lines)
        }
        length = int(headers.get("content-length", "0"))
        responses.append((int(status_line.split()[1]), headers, raw[:length]))
        raw = raw[length:]
    return responses


def _wait_until_not_limited(settings: StackSettings) -> None:
    """Leave the client's bucket refilled for the tests that come after."""

    def refilled() -> bool:
        response = httpx.get(f"{settings.gateway_url}/api/v1/x", timeout=5)
        return response.status_code != 429

    poll(refilled, timeout=30, what="the rate limit lets requests through again")


def _bytes(size: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024}
    suffix = size[-1].lower()
    return int(size[:-1]) * units[suffix] if suffix in units else int(size)
