"""A service row may have no public prefixes: it runs under the supervisor, the gateway skips it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from vaxflow.stack.config import StackSettings
from vaxflow.stack.gateway import Gateway
from vaxflow.stack.routes import RouteTable, ServiceRoute, load_routes
from vaxflow.stack.services import Service

REPO = Path(__file__).resolve().parents[2]

WORKER = ServiceRoute(
    name="warehouse",
    port=8107,
    command=("python", "-m", "vaxflow_warehouse.main"),
    env={"VAXFLOW_WAREHOUSE_DATA_DIR": ".stack/warehouse/data"},
)
PUBLIC = ServiceRoute(name="registration", port=8102, prefixes=("/api/v1/citizens",))


def test_a_worker_row_gets_no_gateway_location_and_no_openapi_route(tmp_path: Path) -> None:
    settings = StackSettings(root=REPO, state_dir=tmp_path / ".stack", gateway_port=18080)

    conf = Gateway(settings, RouteTable(service=(WORKER, PUBLIC))).render()

    assert "svc_warehouse" not in conf
    assert "/api/v1/warehouse/" not in conf
    assert "location = /api/v1/citizens {" in conf


def test_a_worker_row_still_runs_with_its_port_and_env(tmp_path: Path) -> None:
    settings = StackSettings(root=REPO, state_dir=tmp_path / ".stack", gateway_port=18080)

    program = Service(settings, WORKER).program()

    assert program.environment["VAXFLOW_PORT"] == "8107"
    assert program.environment["VAXFLOW_WAREHOUSE_DATA_DIR"] == ".stack/warehouse/data"
    assert "not routed" in Service(settings, WORKER).describe()


def test_the_project_route_table_has_the_warehouse_without_prefixes() -> None:
    routes = load_routes(REPO / "deploy" / "gateway" / "routes.toml")

    warehouse = next(s for s in routes.service if s.name == "warehouse")

    assert warehouse.prefixes == ()
    assert warehouse not in routes.public


def test_a_row_with_neither_prefixes_nor_a_command_is_refused() -> None:
    with pytest.raises(ValidationError, match="neither prefixes nor a command"):
        RouteTable.model_validate({"service": [{"name": "idle", "port": 8199}]})
