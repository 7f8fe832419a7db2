"""Route rows may claim single paths under another service's prefix with regular expressions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from vaxflow.stack.config import StackSettings
from vaxflow.stack.gateway import Gateway
from vaxflow.stack.routes import RouteTable, ServiceRoute, load_routes

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(tmp_path: Path) -> StackSettings:
    return StackSettings(root=REPO, state_dir=tmp_path / ".stack", gateway_port=18080)


def _location_of(conf: str, marker: str) -> str:
    start = conf.index(marker)
    return conf[start : conf.index("}", start)]


def test_the_route_table_sends_a_citizens_doses_to_injection_and_the_rest_to_registration(
    settings: StackSettings,
) -> None:
    table = load_routes(REPO / "deploy" / "gateway" / "routes.toml")
    conf = Gateway(settings, table).render()

    doses = _location_of(conf, 'location ~ "^/api/v1/citizens/[^/]+/doses$" {')
    assert "proxy_pass http://svc_injection;" in doses
    assert "limit_req zone=vf_api" in doses
    citizens = _location_of(conf, "location /api/v1/citizens/ {")
    assert "proxy_pass http://svc_registration;" in citizens


def test_the_pattern_matches_only_the_doses_of_one_citizen() -> None:
    table = load_routes(REPO / "deploy" / "gateway" / "routes.toml")
    injection = next(s for s in table.service if s.name == "injection")
    pattern = re.compile(injection.paths[0])

    assert pattern.match("/api/v1/citizens/0b6f8a7e-1c1d-4c55-9a55-2f0f3e1c5d10/doses")
    for other in (
        "/api/v1/citizens/me",
        "/api/v1/citizens/me/health-book",
        "/api/v1/citizens/0b6f8a7e/doses/extra",
        "/api/v1/citizens//doses",
    ):
        assert not pattern.match(other), other


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/citizens/[^/]+/doses$",  # not anchored at the start
        "^/api/v1/citizens/[^/]+/doses",  # not anchored at the end
        '^/api/v1/citizens/"x"/doses$',  # would break out of the quoted nginx argument
        "^/api/v1/citizens/[0-9]{3}/doses$",  # braces are nginx block syntax
        "^/api/v1/citizens/(/doses$",  # not a regular expression
    ],
)
def test_a_path_that_is_not_a_safe_anchored_expression_is_refused(path: str) -> None:
    with pytest.raises(ValidationError):
        ServiceRoute(name="injection", port=8104, prefixes=("/api/v1/doses",), paths=(path,))


def test_two_services_cannot_claim_the_same_path() -> None:
    path = "^/api/v1/citizens/[^/]+/doses$"
    with pytest.raises(ValidationError, match="path used by more than one service"):
        RouteTable(
            service=(
                ServiceRoute(name="a", port=9001, prefixes=("/api/v1/a",), paths=(path,)),
                ServiceRoute(name="b", port=9002, prefixes=("/api/v1/b",), paths=(path,)),
            )
        )
