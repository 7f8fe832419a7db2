"""docker-compose.yml, checked without a Docker engine: the Compose Specification's schema, and
consistency with the code (routes.toml, the settings classes, the topic registry)."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest

from tests.deploy.conftest import ROOT, SCHEMAS, SERVICE_PORTS
from vaxflow import compose as compose_gateway

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?]([^}]*))?\}")
INFRA = {"kafka", "mongo", "redis"}


def interpolate(value: str) -> str:
    """What Compose substitutes when no variable is set: each default."""
    return _VARIABLE.sub(lambda m: m.group(2) or "", value)


def image_env() -> dict[str, str]:
    """The ENV of the Dockerfile's runtime stage."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    runtime = text.split("AS runtime", 1)[1]
    env: dict[str, str] = {}
    for line in runtime.splitlines():
        if line.startswith("ENV "):
            for pair in line[4:].split():
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def container_env(compose: dict[str, Any], name: str) -> dict[str, str]:
    """What a service's process sees with no `.env`: the image's ENV, then the compose file's."""
    env = image_env()
    for key, value in compose["services"][name].get("environment", {}).items():
        if value is None:
            env.pop(key, None)  # passed through from the shell or .env: unset by default
        else:
            env[key] = interpolate(str(value))
    return env


def variables_of(text: str) -> set[str]:
    return {m.group(1) for m in _VARIABLE.finditer(text)}


def test_the_file_validates_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads((SCHEMAS / "compose-spec/compose-spec.json").read_text(encoding="utf-8"))
    jsonschema.validate(compose, schema)


def test_every_vaxflow_service_runs_from_the_image_on_its_port(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, port in SERVICE_PORTS.items():
        assert name in services, name
        spec = services[name]
        assert spec["image"].startswith("${VAXFLOW_IMAGE")
        assert spec["command"] == [name, "--role", "all"]
        assert spec["environment"]["VAXFLOW_PORT"] == str(port)
        assert "/readyz" in " ".join(spec["healthcheck"]["test"])


def test_ports_match_the_route_table(routes: dict[str, Any]) -> None:
    for row in routes["service"]:
        assert SERVICE_PORTS[row["name"]] == row["port"], row["name"]


def test_every_dependency_exists_and_waits_for_health_or_completion(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    one_shots = {n for n, s in services.items() if s.get("restart") == "no"}
    assert one_shots == {"mongo-init", "topics"}
    for name, spec in services.items():
        for dependency, condition in spec.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            wanted = (
                "service_completed_successfully" if dependency in one_shots else "service_healthy"
            )
            assert condition["condition"] == wanted, (name, dependency)
            if wanted == "service_healthy":
                assert "healthcheck" in services[dependency], dependency
    for name in SERVICE_PORTS:
        assert set(services[name]["depends_on"]) == {*INFRA - {"mongo"}, "mongo-init", "topics"}


def test_published_ports_do_not_clash(compose: dict[str, Any]) -> None:
    published = [
        interpolate(port).split(":")[0]
        for spec in compose["services"].values()
        for port in spec.get("ports", [])
    ]
    assert published
    assert len(published) == len(set(published))


def test_named_volumes_are_declared_and_mounted_files_exist(compose: dict[str, Any]) -> None:
    declared = set(compose["volumes"])
    used: set[str] = set()
    for spec in compose["services"].values():
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), source
            else:
                used.add(source)
    assert used == declared


def test_every_variable_the_file_reads_is_documented_in_env_example() -> None:
    documented = {
        line.split("=", 1)[0].removeprefix("# (set per process) ")
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if "=" in line
    }
    lines = (ROOT / "docker-compose.yml").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    passed_through = {
        m.group(1) for m in re.finditer(r"^\s+(VAXFLOW_[A-Z0-9_]+):\s*$", text, re.MULTILINE)
    }
    missing = (variables_of(text) | passed_through) - documented
    assert not missing, f"not in .env.example: {sorted(missing)}"


SETTINGS = {
    "identity": "vaxflow_identity.settings:IdentitySettings",
    "registration": "vaxflow_registration.settings:RegistrationSettings",
    "scheduling": "vaxflow_scheduling.settings:SchedulingSettings",
    "injection": "vaxflow_injection.settings:InjectionSettings",
    "certificate": "vaxflow_certificate.settings:CertificateSettings",
    "monitoring": "vaxflow_monitoring.settings:MonitoringSettings",
    "warehouse": "vaxflow_warehouse.settings:WarehouseSettings",
}


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_each_service_reads_settings_that_reach_the_compose_services(
    name: str, compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("VAXFLOW_"):
            monkeypatch.delenv(key)
    env = container_env(compose, name)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    module, _, cls = SETTINGS[name].partition(":")
    settings = getattr(importlib.import_module(module), cls)()
    hosts = set(compose["services"])
    assert settings.host == "0.0.0.0"
    assert settings.port == SERVICE_PORTS[name]
    assert settings.kafka.bootstrap.split(":")[0] in hosts
    assert urlparse(settings.mongo.url).hostname in hosts
    assert "replicaSet=rs0" in settings.mongo.url
    assert urlparse(settings.redis.url).hostname in hosts
    assert urlparse(settings.auth.jwks_url).hostname in hosts
    for field, value in settings:
        if isinstance(value, Path):
            assert value.is_absolute(), f"{field}={value} is relative to the container's cwd"
    if name == "identity":
        from vaxflow_servicekit.sms import SmsSettings

        assert SmsSettings().outbox_path.is_absolute()
        gateway_ip = compose["services"]["gateway"]["networks"]["vaxflow"]["ipv4_address"]
        assert list(settings.trusted_proxies) == [interpolate(gateway_ip)]


def test_topics_are_created_by_a_one_shot_job_from_the_registry(compose: dict[str, Any]) -> None:
    job = compose["services"]["topics"]
    assert job["command"][0] == "create-topics"
    assert job["depends_on"] == {"kafka": {"condition": "service_healthy"}}
    kafka = compose["services"]["kafka"]["environment"]
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_the_gateway_config_is_generated_from_the_route_table() -> None:
    assert compose_gateway.main(["--check"]) == 0, "run `uv run python -m vaxflow.compose`"


def test_the_gateway_routes_every_public_service_to_its_container(
    compose: dict[str, Any], routes: dict[str, Any]
) -> None:
    text = (ROOT / compose_gateway.CONF).read_text(encoding="utf-8")
    upstreams = dict(re.findall(r"server ([a-z0-9-]+):([0-9]+);", text))
    public = {
        r["name"]: r["port"] for r in routes["service"] if r.get("prefixes") or r.get("paths")
    }
    assert upstreams == {name: str(port) for name, port in public.items()}
    for name in upstreams:
        assert name in compose["services"]
        gateway_deps = compose["services"]["gateway"]["depends_on"]
        assert gateway_deps[name] == {"condition": "service_healthy"}
    for row in routes["service"]:
        for prefix in row.get("prefixes", []):
            assert f"location {prefix}/ {{" in text
    assert "listen 0.0.0.0:8080;" in text
    assert str(ROOT) not in text


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_compose_gateway_config(tmp_path: Path) -> None:
    text = (ROOT / compose_gateway.CONF).read_text(encoding="utf-8")
    # Container names do not resolve here: point them at this machine; paths into tmp_path.
    text = re.sub(r"server [a-z0-9-]+:([0-9]+);", r"server 127.0.0.1:\1;", text)
    text = text.replace(str(compose_gateway.PREFIX), str(tmp_path))
    text = text.replace("listen 0.0.0.0:8080;", "listen 127.0.0.1:8080;")
    for folder in ("tmp", "empty"):
        (tmp_path / folder).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["nginx", "-t", "-q", "-e", "stderr", "-p", f"{tmp_path}/", "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
