"""The authorisation matrix as data: loading it, expanding groups, matching OpenAPI operations."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.security.principals import PRINCIPALS, STAFF, UNAUTHENTICATED

MATRIX_PATH = Path(__file__).with_name("authorization_matrix.toml")
SERVICES = ("identity", "registration", "scheduling", "injection", "certificate", "monitoring")
METHODS = ("get", "post", "put", "patch", "delete")
GROUPS: dict[str, tuple[str, ...]] = {
    "@public": PRINCIPALS,
    "@signed_in": tuple(p for p in PRINCIPALS if p not in UNAUTHENTICATED),
    "@citizens": ("citizen", "other_citizen"),
    "@staff": STAFF,
}


@dataclass(frozen=True)
class Row:
    """Who may call one operation, and on what."""

    service: str
    method: str
    path: str
    allow: frozenset[str]
    public: bool
    object: str
    secret: bool
    may_know: frozenset[str]
    ok: frozenset[int]
    batch: bool
    stream: bool
    refused_with: frozenset[int]

    @property
    def operation(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def writes(self) -> bool:
        return self.method != "GET"


def _expand(names: list[str]) -> frozenset[str]:
    found: set[str] = set()
    for name in names:
        if name in GROUPS:
            found |= set(GROUPS[name])
        elif name in PRINCIPALS:
            found.add(name)
        else:
            raise ValueError(f"unknown principal or group {name!r} in {MATRIX_PATH.name}")
    return frozenset(found)


def load_matrix(path: Path = MATRIX_PATH) -> list[Row]:
    """Every row of the matrix file, groups expanded."""
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    rows = []
    for entry in data["endpoint"]:
        method = entry["method"].upper()
        default_ok = {"POST": {200, 201, 202, 204}, "DELETE": {200, 204}}.get(method, {200})
        rows.append(
            Row(
                service=entry["service"],
                method=method,
                path=entry["path"],
                allow=_expand(entry["allow"]),
                public="@public" in entry["allow"],
                object=entry.get("object", ""),
                secret=bool(entry.get("secret", False)),
                may_know=_expand(entry.get("may_know", [])),
                ok=frozenset(entry.get("ok", default_ok)),
                batch=bool(entry.get("batch", False)),
                stream=bool(entry.get("stream", False)),
                refused_with=frozenset(entry.get("refused_with", (403, 404))),
            )
        )
    return rows


def operations(document: dict[str, Any]) -> list[str]:
    """Every operation of an OpenAPI document as "METHOD /path"."""
    return [
        f"{method.upper()} {path}"
        for path, item in document.get("paths", {}).items()
        for method in item
        if method in METHODS
    ]
