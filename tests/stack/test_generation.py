"""What `vaxflow stack up` generates: nginx, supervisor and Kafka configuration from settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from vaxflow.stack.config import StackSettings
from vaxflow.stack.gateway import Gateway, problem_body
from vaxflow.stack.kafka import Kafka
from vaxflow.stack.routes import RouteTable, ServiceRoute, load_routes
from vaxflow.stack.services import Service
from vaxflow.stack.supervisor import render_config
from vaxflow.stack.templates import render

REPO = Path(__file__).resolve().parents[2]

TWO_SERVICES = RouteTable(
    service=(
        ServiceRoute(
            name="registration",
            port=8101,
            prefixes=("/api/v1/citizens",),
            command=("python", "-m", "registration.main"),
            env={"VAXFLOW_LOG_LEVEL": "debug"},
        ),
        ServiceRoute(name="scheduling", port=8102, prefixes=("/api/v1/slots", "/api/v1/sites")),
    )
)


@pytest.fixture
def settings(tmp_path: Path) -> StackSettings:
    return StackSettings(root=REPO, state_dir=tmp_path / ".stack", gateway_port=18080)


def test_each_route_row_becomes_exact_and_prefix_locations_to_a_keepalive_upstream(
    settings: StackSettings,
) -> None:
    conf = Gateway(settings, TWO_SERVICES).render()

    assert "upstream svc_registration {\n        server 127.0.0.1:8101;\n        keepalive" in conf
    for prefix in ("/api/v1/citizens", "/api/v1/slots", "/api/v1/sites"):
        assert f"location = {prefix} {{" in conf
        assert f"location {prefix}/ {{" in conf
    assert "location = /api/v1/scheduling/openapi.json {" in conf
    assert "proxy_pass http://svc_scheduling/openapi.json;" in conf
    # one per OpenAPI document, two per prefix, one for the unknown /api/ paths
    limit = f"limit_req zone=vf_api burst={settings.gateway_burst} nodelay;"
    assert conf.count(limit) == 2 + 2 * 3 + 1


def test_a_service_row_may_raise_the_body_limit_for_its_own_locations(
    settings: StackSettings,
) -> None:
    imports = ServiceRoute(
        name="registration", port=8101, prefixes=("/api/v1/registration",), max_body_size="64m"
    )
    conf = Gateway(settings, RouteTable(service=(imports, TWO_SERVICES.service[1]))).render()

    registration = conf[conf.index("# registration") : conf.index("# scheduling")]
    assert registration.count("client_max_body_size 64m;") == 3
    assert "client_max_body_size 64m;" not in conf[conf.index("# scheduling") :]


def test_a_location_rule_raises_the_body_limit_of_its_prefix_only(
    settings: StackSettings,
) -> None:
    registration = RouteTable.model_validate(
        {
            "service": [
                {
                    "name": "registration",
                    "port": 8101,
                    "prefixes": ["/api/v1/citizens", "/api/v1/registration"],
                    "locations": [
                        {"prefix": "/api/v1/registration/imports", "max_body_size": "64m"}
                    ],
                }
            ]
        }
    )

    conf = Gateway(settings, registration).render()

    blocks = {
        block.split(" {", 1)[0]: block
        for block in conf.split("        location ")[1:]
        if "proxy_pass" in block
    }
    for match in ("= /api/v1/registration/imports", "/api/v1/registration/imports/"):
        assert "client_max_body_size 64m;" in blocks[match]
    for match in ("= /api/v1/citizens", "/api/v1/citizens/", "/api/v1/registration/"):
        assert "client_max_body_size" not in blocks[match]
    assert f"client_max_body_size {settings.gateway_max_body_size};" in conf


def test_a_location_rule_puts_its_writes_under_the_per_address_write_limit(
    tmp_path: Path,
) -> None:
    settings = StackSettings(
        root=REPO, state_dir=tmp_path, gateway_write_rate_per_minute=30, gateway_write_burst=8
    )
    scheduling = ServiceRoute.model_validate(
        {
            "name": "scheduling",
            "port": 8102,
            "prefixes": ["/api/v1/sites", "/api/v1/appointments"],
            "locations": [{"prefix": "/api/v1/appointments", "limit_writes": True}],
        }
    )

    conf = Gateway(settings, RouteTable(service=(scheduling,))).render()

    assert "zone=vf_writes:10m rate=30r/m;" in conf
    assert conf.count("limit_req zone=vf_writes burst=8 delay=4;") == 2
    sites = conf[conf.index("location /api/v1/sites/") :]
    assert "vf_writes" not in sites[: sites.index("}")]


@pytest.mark.parametrize(
    "locations",
    [
        [{"prefix": "/api/v1/elsewhere", "max_body_size": "64m"}],
        [{"prefix": "/api/v1/xy", "max_body_size": "64m"}],
        [{"prefix": "/api/v1/x/a"}, {"prefix": "/api/v1/x/a", "limit_writes": True}],
        [{"prefix": "/api/v1/x/a", "max_body_size": "64m; return 200"}],
    ],
    ids=["other-prefix", "prefix-lookalike", "twice", "nginx-injection"],
)
def test_a_location_rule_outside_its_service_is_refused(
    locations: list[dict[str, object]],
) -> None:
    row = {"name": "a", "port": 8101, "prefixes": ["/api/v1/x"], "locations": locations}

    with pytest.raises(ValidationError):
        ServiceRoute.model_validate(row)


def test_limits_and_port_come_from_the_settings(tmp_path: Path) -> None:
    settings = StackSettings(
        root=REPO,
        state_dir=tmp_path,
        gateway_port=18081,
        gateway_rate_per_second=7,
        gateway_burst=3,
        gateway_max_body_size="64k",
    )

    conf = Gateway(settings, RouteTable()).render()

    assert "listen 127.0.0.1:18081;" in conf
    assert "rate=7r/s;" in conf
    assert "limit_req zone=vf_api burst=3 nodelay;" in conf
    assert "client_max_body_size 64k;" in conf
    assert "upstream svc_" not in conf


@pytest.mark.parametrize(
    "routes",
    [RouteTable(), TWO_SERVICES, load_routes(REPO / "deploy" / "gateway" / "routes.toml")],
    ids=["empty", "two-services", "shipped"],
)
def test_the_generated_configuration_passes_nginx_t(
    settings: StackSettings, routes: RouteTable
) -> None:
    gateway = Gateway(settings, routes)

    gateway.prepare()  # runs `nginx -t` on the result and raises if nginx refuses it

    assert gateway.conf.exists()


def test_problem_bodies_carry_the_rfc_9457_members() -> None:
    body = problem_body(429)

    for member in (
        '"type":"about:blank"',
        '"title":"Too Many Requests"',
        '"status":429',
        '"detail":',
    ):
        assert member in body


def test_the_shipped_route_table_loads() -> None:
    table = load_routes(REPO / "deploy" / "gateway" / "routes.toml")

    assert table.public
    assert all(service.prefixes or service.command for service in table.service)


@pytest.mark.parametrize(
    "rows",
    [
        [
            {"name": "a", "port": 8101, "prefixes": ["/api/v1/x"]},
            {"name": "b", "port": 8102, "prefixes": ["/api/v1/x"]},
        ],
        [
            {"name": "a", "port": 8101, "prefixes": ["/api/v1/x"]},
            {"name": "b", "port": 8101, "prefixes": ["/api/v1/y"]},
        ],
        [{"name": "a", "port": 8101, "prefixes": ["/admin"]}],
        [{"name": "a", "port": 8101, "prefixes": ["/api/v1/x; return 200"]}],
        [{"name": "a", "port": 8101, "prefixes": ["/api/v1/x"], "unknown": 1}],
    ],
    ids=["same-prefix", "same-port", "outside-api", "nginx-injection", "unknown-field"],
)
def test_a_bad_route_table_is_refused(rows: list[dict[str, object]]) -> None:
    with pytest.raises(ValidationError):
        RouteTable.model_validate({"service": rows})


def test_a_service_with_a_command_becomes_a_supervised_program(settings: StackSettings) -> None:
    service = Service(settings, TWO_SERVICES.service[0])

    conf = render_config(settings, [service.program()])

    section = conf[conf.index("[program:registration]") :]
    assert "python -m registration.main" in section
    for line in ("autorestart=true", "stopasgroup=true", "killasgroup=true", "autostart=false"):
        assert line in section
    assert f"stdout_logfile={settings.log_file('registration')}" in section
    assert f'VAXFLOW_KAFKA_BOOTSTRAP="{settings.kafka_bootstrap}"' in section
    assert 'VAXFLOW_PORT="8101"' in section
    assert 'VAXFLOW_LOG_LEVEL="debug"' in section


def test_kafka_properties_follow_the_settings(tmp_path: Path) -> None:
    settings = StackSettings(
        root=REPO, state_dir=tmp_path, kafka_port=19092, kafka_controller_port=19093
    )

    properties = Kafka(settings)._render_properties()

    lines = set(properties.splitlines())
    assert "listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093" in lines
    assert "controller.quorum.voters=1@127.0.0.1:19093" in lines
    assert "auto.create.topics.enable=false" in lines
    assert "share.coordinator.state.topic.replication.factor=1" in lines
    assert f"log.dirs={tmp_path / 'kafka' / 'data'}" in lines


def test_settings_are_read_from_vaxflow_stack_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAXFLOW_STACK_REDIS_PORT", "6390")
    monkeypatch.setenv("VAXFLOW_STACK_TOPIC_PARTITIONS", "3")

    settings = StackSettings()

    assert settings.redis_url == "redis://127.0.0.1:6390/0"
    assert settings.topic_partitions == 3


def test_a_template_placeholder_without_a_value_is_an_error() -> None:
    with pytest.raises(KeyError):
        render("port={{port}} host={{host}}", {"port": 1})


def test_two_stacks_side_by_side_keep_their_ferretdb_sockets_apart(tmp_path: Path) -> None:
    """Issue 11: stacks in network namespaces share /tmp; FerretDB's socket must not be shared."""
    from vaxflow.stack.ferretdb import FerretDB

    first, second = (
        FerretDB(StackSettings(root=REPO, state_dir=tmp_path / name)) for name in ("a", "b")
    )

    dirs = [Path(part.program().environment["TMPDIR"]) for part in (first, second)]

    assert dirs[0] != dirs[1]
    assert all(d.is_relative_to(tmp_path) for d in dirs)
    assert f'TMPDIR="{dirs[0]}"' in render_config(first.settings, [first.program()])


def test_services_read_their_fault_points_from_the_stack(settings: StackSettings) -> None:
    """Issue 11: the fault suite turns fault points on through a file of this stack only."""
    program = Service(settings, TWO_SERVICES.service[0]).program()

    points = Path(program.environment["VAXFLOW_FAULT_POINTS_FILE"])

    assert points.is_relative_to(settings.stack_dir)
    assert not points.exists()  # off unless the suite writes it
