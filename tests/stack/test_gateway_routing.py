"""A route table row really routes: a throwaway nginx from the generated configuration in front
of a small HTTP upstream (the running stack has no services yet)."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from vaxflow.stack.config import StackSettings
from vaxflow.stack.gateway import Gateway
from vaxflow.stack.parts import LogWindow
from vaxflow.stack.routes import RouteTable, ServiceRoute

from .conftest import poll

REPO = Path(__file__).resolve().parents[2]


class EchoHandler(BaseHTTPRequestHandler):
    """Answers every GET with the path and headers it received."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "headers": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Frame-Options", "SAMEORIGIN")  # the gateway's own must win
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def upstream_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory, upstream_port: int) -> Iterator[str]:
    settings = StackSettings(
        root=REPO, state_dir=tmp_path_factory.mktemp("stack"), gateway_port=free_port()
    )
    routes = RouteTable(
        service=(
            ServiceRoute(name="echo", port=upstream_port, prefixes=("/api/v1/echoes",)),
            ServiceRoute(name="down", port=free_port(), prefixes=("/api/v1/nobody-home",)),
        )
    )
    gateway = Gateway(settings, routes)
    gateway.prepare()
    nginx = subprocess.Popen(gateway.program().command, stderr=subprocess.DEVNULL)
    try:
        no_log = LogWindow(settings.log_file("gateway"))
        poll(lambda: gateway.check_ready(no_log) is None, 15, "the test gateway answers")
        yield settings.gateway_url
    finally:
        nginx.terminate()
        nginx.wait(timeout=15)


def test_a_prefix_is_proxied_with_its_path_request_id_and_forwarding_headers(
    gateway_url: str,
) -> None:
    response = httpx.get(f"{gateway_url}/api/v1/echoes/42?full=1")

    assert response.status_code == 200
    seen = response.json()
    assert seen["path"] == "/api/v1/echoes/42?full=1"
    assert seen["headers"]["X-Request-ID"] == response.headers["x-request-id"]
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert seen["headers"]["X-Forwarded-Proto"] == "http"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers.get_list("x-frame-options") == ["DENY"]


def test_the_prefix_itself_is_routed_but_a_longer_name_is_not(gateway_url: str) -> None:
    assert httpx.get(f"{gateway_url}/api/v1/echoes").json()["path"] == "/api/v1/echoes"

    response = httpx.get(f"{gateway_url}/api/v1/echoesque")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_the_service_openapi_document_is_routed_to_its_openapi_json(gateway_url: str) -> None:
    response = httpx.get(f"{gateway_url}/api/v1/echo/openapi.json")

    assert response.json()["path"] == "/openapi.json"


def test_a_service_that_does_not_answer_is_a_502_problem(gateway_url: str) -> None:
    response = httpx.get(f"{gateway_url}/api/v1/nobody-home/1")

    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 502


def test_a_client_request_id_reaches_the_service(gateway_url: str) -> None:
    response = httpx.get(
        f"{gateway_url}/api/v1/echoes/1", headers={"X-Request-ID": "client-chosen-0001"}
    )

    assert response.json()["headers"]["X-Request-ID"] == "client-chosen-0001"
    assert response.headers["x-request-id"] == "client-chosen-0001"
