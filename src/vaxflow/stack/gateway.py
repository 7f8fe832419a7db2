"""The gateway: nginx from Debian, configured from the route table."""

from __future__ import annotations

import grp
import os
import pwd
from pathlib import Path

from vaxflow.stack.config import StackSettings
from vaxflow.stack.errors import StackError
from vaxflow.stack.parts import LogWindow, Program, Tool
from vaxflow.stack.routes import LocationRule, PageRoute, RouteTable, ServiceRoute, load_routes
from vaxflow.stack.templates import render, write_if_changed
from vaxflow.stack.tools import NGINX, executable, run

PROBLEMS = {
    400: ("Bad Request", "The request could not be read."),
    403: ("Forbidden", "The request is not allowed."),
    404: ("Not Found", "No resource is served at this path."),
    405: ("Method Not Allowed", "This method is not allowed on this path."),
    408: ("Request Timeout", "The request took too long to arrive."),
    413: ("Content Too Large", "The request body is larger than the gateway accepts."),
    414: ("URI Too Long", "The request URI is longer than the gateway accepts."),
    429: ("Too Many Requests", "Too many requests from this client; retry later."),
    500: ("Internal Server Error", "The gateway failed to handle the request."),
    502: ("Bad Gateway", "The service behind this path did not answer."),
    503: ("Service Unavailable", "The service behind this path is unavailable."),
    504: ("Gateway Timeout", "The service behind this path did not answer in time."),
}

SECURITY_HEADERS = (
    ("X-Request-ID", "$vf_request_id"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    (
        "Content-Security-Policy",
        "\"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'\"",
    ),
)


# The web pages may load scripts, styles, images and data from the gateway itself only: no
# inline script or style, no other origin, no frames, no plugins.
PAGE_CSP = (
    "\"default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'\""
)
PAGE_HEADERS = tuple(
    (name, PAGE_CSP if name == "Content-Security-Policy" else value)
    for name, value in SECURITY_HEADERS
)
# Content types of the files a page serves (nginx's mime.types is not used).
PAGE_TYPES = (
    ("text/html", "html"),
    ("text/css", "css"),
    ("text/javascript", "js mjs"),
    ("application/json", "json map"),
    ("image/svg+xml", "svg"),
    ("image/png", "png"),
    ("image/x-icon", "ico"),
    ("font/woff2", "woff2"),
    ("text/plain", "txt md"),
)
# A page's own files are revalidated on every load (nginx answers 304 from ETag and
# Last-Modified); the `cached` sub-folders (vendored libraries) are kept by browsers for a day.
REVALIDATE = '"no-cache"'
CACHED = '"public, max-age=86400"'


class Gateway:
    """nginx on the gateway port, run in the foreground by the supervisor."""

    name = "gateway"

    def __init__(self, settings: StackSettings, routes: RouteTable | None = None) -> None:
        self.settings = settings
        self.sources = settings.deploy_dir / "gateway"
        self.prefix = settings.stack_dir / "gateway"
        self.conf = self.prefix / "nginx.conf"
        # A copy of the configuration the running nginx was last started or reloaded with: a
        # configuration written by a `stack up` that failed before the reload is still reloaded
        # by the next one.
        self.loaded = self.prefix / "nginx.conf.loaded"
        self.routes = routes or load_routes(self.sources / "routes.toml")
        self.conf_changed = False

    def ports(self) -> tuple[int, ...]:
        return (self.settings.gateway_port,)

    def tools(self) -> tuple[Tool, ...]:
        return (NGINX,)

    def prepare(self) -> None:
        for folder in ("tmp", "empty"):
            (self.prefix / folder).mkdir(parents=True, exist_ok=True)
        for page in self.routes.page:
            index = self.settings.root / page.dir / page.index
            if not index.is_file():
                raise StackError(self.name, f"page {page.path}: {index} does not exist")
        text = self.render()
        write_if_changed(self.conf, text)
        self.conf_changed = not self.loaded.exists() or self.loaded.read_text() != text
        run(
            self.name,
            [*self._nginx(), "-t", "-q"],
            what=f"checking the generated {self.conf} with `nginx -t`",
            timeout=30,
        )

    def mark_loaded(self) -> None:
        """Remember that the running nginx has read the current configuration."""
        write_if_changed(self.loaded, self.conf.read_text())

    def program(self) -> Program:
        return Program(
            name=self.name,
            command=self._nginx(),
            directory=self.prefix,
            priority=900,
            stopsignal="QUIT",  # graceful: finish the requests in flight
        )

    def check_ready(self, log: LogWindow) -> str | None:
        import httpx  # loaded only when used: a fast CLI

        url = f"{self.settings.gateway_url}/healthz"
        try:
            response = httpx.get(url, timeout=2)
        except httpx.HTTPError as exc:
            return f"GET {url} failed: {exc!r}"
        if response.status_code != 200:
            return f"GET {url} answered {response.status_code}"
        return None

    def describe(self) -> str:
        routes = ", ".join(p for s in self.routes.service for p in s.prefixes) or "no services yet"
        pages = "".join(f"; page {p.path}" for p in self.routes.page)
        return f"gateway {self.settings.gateway_url} (nginx; routes: {routes}{pages})"

    def render(self) -> str:
        """Return the nginx configuration for the settings and the route table."""
        burst = self.settings.gateway_burst
        return render(
            (self.sources / "nginx.conf.in").read_text(),
            {
                "user": self.user_directive(),
                "prefix": self.prefix,
                "host": self.settings.host,
                "port": self.settings.gateway_port,
                "max_body_size": self.settings.gateway_max_body_size,
                "rate": self.settings.gateway_rate_per_second,
                "burst": burst,
                "headers": _headers(indent=8),
                "error_pages": "".join(f"        error_page {c} @problem_{c};\n" for c in PROBLEMS),
                "upstreams": "".join(
                    upstream_block(s, self.upstream_host(s)) for s in self.routes.public
                ),
                "write_rate": self.settings.gateway_write_rate_per_minute,
                "routes": "".join(
                    route_locations(s, burst, self.settings.gateway_write_burst)
                    for s in self.routes.public
                ),
                "pages": page_locations(self.routes.page, self.settings.root, self.prefix),
                "problems": "\n".join(_problem_location(code) for code in PROBLEMS),
            },
        )

    def upstream_host(self, service: ServiceRoute) -> str:
        """Where a service listens: the stack's host here; a subclass renders for other hosts
        (docker-compose's gateway, `vaxflow.compose`, names each service's container)."""
        return self.settings.host

    def user_directive(self) -> str:
        """nginx's `user` line: the stack's user when it runs as root (see `_user_directive`)."""
        return _user_directive()

    def _nginx(self) -> tuple[str, ...]:
        return (executable("nginx"), "-e", "stderr", "-p", f"{self.prefix}/", "-c", str(self.conf))


def upstream_block(service: ServiceRoute, host: str) -> str:
    """Return the keepalive upstream of one service."""
    return (
        f"    upstream {service.upstream} {{\n"
        f"        server {host}:{service.port};\n"
        f"        keepalive 32;\n"
        f"    }}\n\n"
    )


def route_locations(service: ServiceRoute, burst: int, write_burst: int = 0) -> str:
    """Return the locations that send a service's paths, prefixes and OpenAPI document to it.

    A location rule of the row (`[[service.locations]]`) gives its prefix its own body limit or
    the per-address write limit; the service's other locations keep the service's defaults.
    """
    target = f"http://{service.upstream}"
    blocks = [
        _proxy_location(
            f"= {service.openapi_path}", _limits(service, None, burst, 0), f"{target}/openapi.json"
        )
    ]
    # Regular-expression locations win over the plain prefixes of every service.
    for path in service.paths:
        blocks.append(_proxy_location(f'~ "{path}"', _limits(service, None, burst, 0), target))
    prefixes = [*service.prefixes]
    prefixes += [rule.prefix for rule in service.locations if rule.prefix not in prefixes]
    for prefix in prefixes:
        limits = _limits(service, service.location(prefix), burst, write_burst)
        for match in (f"= {prefix}", f"{prefix}/"):
            blocks.append(_proxy_location(match, limits, target))
    return f"        # {service.name}\n" + "".join(blocks) + "\n"


def _limits(service: ServiceRoute, rule: LocationRule | None, burst: int, write_burst: int) -> str:
    lines = [f"limit_req zone=vf_api burst={burst} nodelay;"]
    if rule is not None and rule.limit_writes:
        # Reads carry an empty key (not counted). The first half of the burst passes at once,
        # the rest waits for its turn at the configured rate, and beyond the burst: 429.
        lines.append(f"limit_req zone=vf_writes burst={write_burst} delay={write_burst // 2};")
    size = (rule.max_body_size if rule is not None else None) or service.max_body_size
    if size:
        lines.append(f"client_max_body_size {size};")
    return "\n            ".join(lines)


def _proxy_location(match: str, limits: str, target: str) -> str:
    return (
        f"        location {match} {{\n"
        f"            {limits}\n            proxy_pass {target};\n        }}\n"
    )


def page_locations(pages: tuple[PageRoute, ...], root: Path, prefix: Path) -> str:
    """Return the locations that serve each page's folder, and a 404 for every other path."""
    blocks = [_page_location(page, root) for page in pages]
    if not any(page.path == "/" for page in pages):
        blocks.append(
            f"        location / {{\n"
            f"            root {prefix}/empty;\n"
            f"            try_files /no-such-file =404;\n"
            f"        }}\n"
        )
    return "\n".join(blocks)


def _page_location(page: PageRoute, root: Path) -> str:
    folder = f"{root / page.dir}/"
    types = "".join(f"                {kind} {ext};\n" for kind, ext in PAGE_TYPES)
    common = (
        f"            types {{\n{types}            }}\n"
        f"            default_type application/octet-stream;\n"
        f"            charset utf-8;\n"
        f"            charset_types text/css text/javascript application/json text/plain"
        f" image/svg+xml;\n"
        f"            # add_header here replaces the server's,"
        f" so the security headers are repeated\n"
        f"{_headers(indent=12, headers=PAGE_HEADERS)}"
    )
    text = f"        # page {page.path}: {page.dir}\n"
    if page.path != "/":
        # /mcc answers a relative redirect to /mcc/ (the page's links are relative to it).
        text += (
            f"        location = {page.path.rstrip('/')} {{\n"
            f"            absolute_redirect off;\n"
            f"            return 301 {page.path};\n"
            f"        }}\n"
        )
    fallback = f"            try_files $uri $uri/ {page.path}{page.index};\n" if page.spa else ""
    text += (
        f"        location {page.path} {{\n"
        f'            alias "{folder}";\n'
        f"            index {page.index};\n"
        f"            absolute_redirect off;\n"
        f"{fallback}{common}"
        f"            add_header Cache-Control {REVALIDATE} always;\n"
        f"        }}\n"
    )
    for sub in page.cached:
        text += (
            f"        location {page.path}{sub} {{\n"
            f'            alias "{folder}{sub}";\n'
            f"{common}"
            f"            add_header Cache-Control {CACHED} always;\n"
            f"        }}\n"
        )
    return text


def problem_body(code: int) -> str:
    """Return the RFC 9457 body the gateway answers for a status code."""
    title, detail = PROBLEMS[code]
    return (
        f'{{"type":"about:blank","title":"{title}","status":{code},'
        f'"detail":"{detail}","request_id":"$vf_request_id"}}'
    )


def _problem_location(code: int) -> str:
    extra = ""
    if code == 429:
        # add_header here replaces the server's, so the security headers are repeated.
        extra = _headers(indent=12) + "            add_header Retry-After 1 always;\n"
    return (
        f"        location @problem_{code} {{\n"
        f"            default_type application/problem+json;\n{extra}"
        f"            return {code} '{problem_body(code)}';\n"
        f"        }}\n"
    )


def _headers(indent: int, headers: tuple[tuple[str, str], ...] = SECURITY_HEADERS) -> str:
    pad = " " * indent
    return "".join(f"{pad}add_header {name} {value} always;\n" for name, value in headers)


def _user_directive() -> str:
    # Workers run as the user who starts the stack, so they can write the temp folders.
    if os.geteuid() != 0:
        return ""
    user = pwd.getpwuid(os.geteuid()).pw_name
    group = grp.getgrgid(os.getegid()).gr_name
    return f"user {user} {group};"
