"""What the deployment tests share: the repository's files, parsed once; no stack, no network."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).parent / "schemas"

# Every VaxFlow service and the port it listens on (routes.toml, and monitoring's from team docs
# until its row exists there).
SERVICE_PORTS = {
    "identity": 8101,
    "registration": 8102,
    "scheduling": 8103,
    "injection": 8104,
    "certificate": 8105,
    "monitoring": 8106,
    "warehouse": 8107,
}
OVERLAYS = ("dev", "prod")
_METRIC = re.compile(r"\b(?:Counter|Gauge|Histogram|Summary)\(\s*\"(vaxflow_[a-z0-9_]+)\"")
_KIND = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"(vaxflow_[a-z0-9_]+)\"")


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(ROOT / "docker-compose.yml")
    return data


@pytest.fixture(scope="session")
def routes() -> dict[str, Any]:
    with (ROOT / "deploy/gateway/routes.toml").open("rb") as f:
        return tomllib.load(f)


def defined_metrics() -> set[str]:
    """Every series name the code exposes (libs/servicekit and the services)."""
    names: set[str] = set()
    sources = [*ROOT.glob("libs/servicekit/src/**/*.py"), *ROOT.glob("services/*/src/**/*.py")]
    for path in sources:
        for kind, name in _KIND.findall(path.read_text(encoding="utf-8")):
            if kind == "Counter":
                base = name.removesuffix("_total")
                names |= {f"{base}_total", f"{base}_created"}
            elif kind in ("Histogram", "Summary"):
                names |= {name, f"{name}_bucket", f"{name}_sum", f"{name}_count"}
            else:
                names.add(name)
    return names


def kustomize_command() -> list[str] | None:
    """kustomize from .stack/bin (the Makefile installs it, pinned), else kubectl's own."""
    pinned = ROOT / ".stack/bin/kustomize"
    if pinned.exists():
        return [str(pinned), "build"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


_BUILT: dict[str, list[dict[str, Any]]] = {}


def build(overlay: str) -> list[dict[str, Any]]:
    """The resources an overlay builds to (cached for the session)."""
    if overlay not in _BUILT:
        command = kustomize_command()
        if command is None:
            pytest.skip("no kustomize: run `make setup` (installs it into .stack/bin)")
        result = subprocess.run(
            [*command, str(ROOT / "deploy/k8s/overlays" / overlay)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        _BUILT[overlay] = [d for d in yaml.safe_load_all(result.stdout) if d]
    return _BUILT[overlay]


def dashboards() -> dict[str, dict[str, Any]]:
    folder = ROOT / "deploy/grafana/dashboards"
    return {
        p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
    }
