"""The route table deploy/gateway/routes.toml: which service answers which path prefix, and
which folder of static files the gateway serves as which web page."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Prefix = Annotated[str, StringConstraints(pattern=r"^/api/v[0-9]+(/[a-z0-9][a-z0-9_.-]*)+$")]
# A regular expression over the whole path, anchored at both ends, for a path under another
# service's prefix (nginx gives regular-expression locations precedence over plain prefixes).
# No quotes, braces, semicolons or spaces: it is written into nginx.conf inside double quotes.
PathPattern = Annotated[
    str, StringConstraints(pattern=r"^\^/api/v[0-9]+/[A-Za-z0-9/_.^+*?()|\[\]\\-]+\$$")
]


Size = Annotated[str, StringConstraints(pattern=r"^[0-9]+[kKmM]?$")]


class LocationRule(BaseModel):
    """What the gateway does differently under one path prefix of a service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The prefix itself and every path below it; one of the service's prefixes or a path under
    # one of them.
    prefix: Prefix
    # The largest request body the gateway lets through under this prefix (an nginx size).
    max_body_size: Size | None = None
    # Writes (every method but GET and HEAD) under this prefix also count against the gateway's
    # per-address write limit (`gateway_write_rate_per_minute`, `gateway_write_burst`): a
    # booking bot on one address is slowed down and then refused.
    limit_writes: bool = False


class ServiceRoute(BaseModel):
    """One service: its name, port, path prefixes and how to run it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
    port: int = Field(ge=1024, le=65535)
    # No prefixes: a worker with no public API (e.g. the warehouse); the gateway skips it.
    prefixes: tuple[Prefix, ...] = ()
    paths: tuple[PathPattern, ...] = ()
    command: tuple[str, ...] = ()
    env: dict[Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")], str] = {}
    ready_path: Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9/_.-]*$")] = "/readyz"
    # The largest request body the gateway lets through to this service (an nginx size); the
    # gateway-wide limit applies when it is not set.
    max_body_size: Size | None = None
    # Rules for parts of the service's paths (a larger body limit for an upload path only).
    locations: tuple[LocationRule, ...] = ()

    @field_validator("paths")
    @classmethod
    def _compiles(cls, paths: tuple[str, ...]) -> tuple[str, ...]:
        for path in paths:
            try:
                re.compile(path)
            except re.error as exc:
                raise ValueError(f"path {path!r} is not a regular expression: {exc}") from None
        return paths

    @model_validator(mode="after")
    def _routed_or_run(self) -> ServiceRoute:
        if not self.prefixes and not self.paths and not self.command:
            raise ValueError(f"service {self.name} has neither prefixes nor a command")
        return self

    @model_validator(mode="after")
    def _locations_under_prefixes(self) -> ServiceRoute:
        seen: set[str] = set()
        for rule in self.locations:
            if not any(rule.prefix == p or rule.prefix.startswith(p + "/") for p in self.prefixes):
                raise ValueError(
                    f"service {self.name}: location {rule.prefix} is not under its prefixes"
                )
            if rule.prefix in seen:
                raise ValueError(f"service {self.name}: location {rule.prefix} given twice")
            seen.add(rule.prefix)
        return self

    def location(self, prefix: str) -> LocationRule:
        """The rule of exactly this prefix (the service's defaults when it has none)."""
        for rule in self.locations:
            if rule.prefix == prefix:
                return rule
        return LocationRule(prefix=prefix)

    @property
    def upstream(self) -> str:
        return "svc_" + self.name.replace("-", "_")

    @property
    def openapi_path(self) -> str:
        return f"/api/v1/{self.name}/openapi.json"


# A page's path: the root "/" or one lower-case segment with both slashes ("/mcc/").
PagePath = Annotated[str, StringConstraints(pattern=r"^/([a-z][a-z0-9-]{0,39}/)?$")]
# A folder relative to the repository root; no segment starts with a dot (so no "..") and no
# quotes or spaces: it is written into nginx.conf (alias) and must stay inside the checkout.
_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9_.-]*"
PageDir = Annotated[str, StringConstraints(pattern=rf"^{_SEGMENT}(/{_SEGMENT})*$")]
# A sub-folder of a page ("vendor/"), same rules, with its trailing slash.
PageSubdir = Annotated[str, StringConstraints(pattern=rf"^{_SEGMENT}(/{_SEGMENT})*/$")]
# Paths the gateway answers itself or routes to services: no page may take them.
RESERVED_PAGE_PATHS = frozenset({"/api/", "/healthz/"})


class PageRoute(BaseModel):
    """One web page: the gateway serves the static files of `dir` under `path`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: PagePath
    dir: PageDir
    index: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+\.html$")] = "index.html"
    # Sub-folders whose files never change under one name (vendored libraries): cached by
    # browsers for a day. Everything else is revalidated on each load (ETag, Last-Modified).
    cached: tuple[PageSubdir, ...] = ()
    # A single-page application: paths under `path` with no file answer the index page.
    spa: bool = False

    @field_validator("path")
    @classmethod
    def _not_reserved(cls, path: str) -> str:
        if path in RESERVED_PAGE_PATHS:
            raise ValueError(f"page path {path} is the gateway's own")
        return path

    @property
    def name(self) -> str:
        return self.path.strip("/") or "root"


class RouteTable(BaseModel):
    """All services and pages behind the gateway; names, ports, prefixes and paths are unique."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    service: tuple[ServiceRoute, ...] = ()
    page: tuple[PageRoute, ...] = ()

    @property
    def public(self) -> tuple[ServiceRoute, ...]:
        """The services the gateway routes to: those with path prefixes or paths."""
        return tuple(s for s in self.service if s.prefixes or s.paths)

    @model_validator(mode="after")
    def _unique(self) -> RouteTable:
        for what, values in (
            ("name", [s.name for s in self.service]),
            ("port", [str(s.port) for s in self.service]),
            ("prefix", [p for s in self.public for p in (*s.prefixes, s.openapi_path)]),
            ("path", [p for s in self.service for p in s.paths]),
            ("page path", [p.path for p in self.page]),
        ):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"{what} used by more than one service: {', '.join(repeated)}")
        return self


def load_routes(path: Path) -> RouteTable:
    """Read and check the route table."""
    with path.open("rb") as f:
        return RouteTable.model_validate(tomllib.load(f))
