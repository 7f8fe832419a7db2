"""Web pages from the route table: the gateway serves a folder of static files under a path,
with content types, caching headers and a Content-Security-Policy that allows only itself."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from vaxflow.stack.config import StackSettings
from vaxflow.stack.errors import StackError
from vaxflow.stack.gateway import Gateway
from vaxflow.stack.parts import LogWindow
from vaxflow.stack.routes import PageRoute, RouteTable, ServiceRoute, load_routes

from .conftest import poll
from .test_gateway_routing import free_port

REPO = Path(__file__).resolve().parents[2]
MCC = PageRoute(path="/mcc/", dir="web/mcc", cached=("vendor/",))
API = ServiceRoute(name="echo", port=9001, prefixes=("/api/v1/echoes",))


@pytest.fixture
def settings(tmp_path: Path) -> StackSettings:
    return StackSettings(root=REPO, state_dir=tmp_path / ".stack", gateway_port=18080)


def _block(conf: str, marker: str) -> str:
    start = conf.index(marker)
    return conf[start : conf.index("\n        }\n", start)]


def test_a_page_row_becomes_an_alias_location_with_the_page_policy(
    settings: StackSettings,
) -> None:
    conf = Gateway(settings, RouteTable(service=(API,), page=(MCC,))).render()

    page = _block(conf, "location /mcc/ {")
    assert f'alias "{REPO / "web" / "mcc"}/";' in page
    assert "index index.html;" in page
    assert "text/javascript js mjs;" in page
    assert "charset utf-8;" in page
    assert 'add_header Cache-Control "no-cache" always;' in page
    assert "default-src 'self'" in page
    assert "add_header X-Frame-Options DENY always;" in page
    assert "add_header X-Content-Type-Options nosniff always;" in page
    vendor = _block(conf, "location /mcc/vendor/ {")
    assert f'alias "{REPO / "web" / "mcc" / "vendor"}/";' in vendor
    assert 'add_header Cache-Control "public, max-age=86400" always;' in vendor
    redirect = _block(conf, "location = /mcc {")
    assert "return 301 /mcc/;" in redirect
    # The API keeps its own policy, which allows nothing to load.
    assert "\"default-src 'none';" in conf[: conf.index("# page /mcc/")]
    # Paths that are no page and no service still answer 404.
    assert "location / {" in conf


def test_a_page_at_the_root_replaces_the_404_fallback(settings: StackSettings) -> None:
    portal = PageRoute(path="/", dir="web/mcc", spa=True)

    conf = Gateway(settings, RouteTable(page=(MCC, portal))).render()

    root = _block(conf, "location / {")
    assert f'alias "{REPO / "web" / "mcc"}/";' in root
    assert "try_files $uri $uri/ /index.html;" in root
    assert conf.count("location / {") == 1
    assert "location = / {" not in conf


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("path", "/api/"),  # the services' space
        ("path", "/healthz/"),
        ("path", "/mcc"),  # a page path ends with a slash
        ("path", "/a/b/"),
        ("dir", "../outside"),
        ("dir", "web/../../etc"),
        ("dir", "/etc"),
        ("dir", 'web/"mcc'),
        ("dir", "web/.hidden"),
    ],
)
def test_a_page_row_outside_the_rules_is_refused(field: str, value: str) -> None:
    row = {"path": "/mcc/", "dir": "web/mcc", field: value}

    with pytest.raises(ValidationError):
        PageRoute.model_validate(row)


def test_two_pages_cannot_share_a_path() -> None:
    with pytest.raises(ValidationError, match="page path used by more than one"):
        RouteTable(page=(MCC, PageRoute(path="/mcc/", dir="web/other")))


def test_a_page_without_its_index_file_stops_the_gateway_from_starting(
    settings: StackSettings,
) -> None:
    missing = PageRoute(path="/nowhere/", dir="web/no-such-page")

    with pytest.raises(StackError, match=r"index\.html does not exist"):
        Gateway(settings, RouteTable(page=(missing,))).prepare()


def test_a_written_configuration_counts_as_changed_until_nginx_has_loaded_it(
    settings: StackSettings,
) -> None:
    # A `stack up` that fails after writing nginx.conf (a service not ready) must not leave
    # the next one thinking the running gateway already has it.
    first = Gateway(settings, RouteTable(service=(API,)))
    first.prepare()
    assert first.conf_changed

    again = Gateway(settings, RouteTable(service=(API,)))
    again.prepare()
    assert again.conf_changed
    again.mark_loaded()

    unchanged = Gateway(settings, RouteTable(service=(API,)))
    unchanged.prepare()
    assert not unchanged.conf_changed

    with_page = Gateway(settings, RouteTable(service=(API,), page=(MCC,)))
    with_page.prepare()
    assert with_page.conf_changed


def test_the_shipped_route_table_serves_the_response_centre_page() -> None:
    table = load_routes(REPO / "deploy" / "gateway" / "routes.toml")

    mcc = next(page for page in table.page if page.path == "/mcc/")

    assert (REPO / mcc.dir / mcc.index).is_file()
    assert mcc.cached == ("vendor/",)


def test_the_page_loads_nothing_from_another_origin() -> None:
    page = REPO / "web" / "mcc"
    sources = [page / "index.html", *page.glob("*.js"), *page.glob("*.css")]

    for source in sources:
        text = source.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), source
        assert not re.search(r"from \"(https?:)?//", text), source
        assert "<script>" not in text, source
        assert " style=" not in text, source


# ---- a throwaway nginx from the generated configuration serves the real page ----------------


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = StackSettings(
        root=REPO, state_dir=tmp_path_factory.mktemp("stack"), gateway_port=free_port()
    )
    # The same folder once more as a single-page application, as issue 13's pages will be.
    app = PageRoute(path="/app/", dir="web/mcc", spa=True)
    gateway = Gateway(settings, RouteTable(page=(MCC, app)))
    gateway.prepare()
    nginx = subprocess.Popen(gateway.program().command, stderr=subprocess.DEVNULL)
    try:
        no_log = LogWindow(settings.log_file("gateway"))
        poll(lambda: gateway.check_ready(no_log) is None, 15, "the test gateway answers")
        yield settings.gateway_url
    finally:
        nginx.terminate()
        nginx.wait(timeout=15)


def test_the_page_is_served_as_utf8_html_with_a_self_only_policy(gateway_url: str) -> None:
    response = httpx.get(f"{gateway_url}/mcc/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert "http" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers.get_list("x-frame-options") == ["DENY"]
    assert response.headers["cache-control"] == "no-cache"
    assert '<script type="module" src="app.js"></script>' in response.text


def test_scripts_styles_and_vendored_files_get_their_types_and_caching(gateway_url: str) -> None:
    script = httpx.get(f"{gateway_url}/mcc/app.js")
    style = httpx.get(f"{gateway_url}/mcc/mcc.css")
    vendored = httpx.get(f"{gateway_url}/mcc/vendor/uPlot.esm.js")

    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert style.headers["content-type"] == "text/css; charset=utf-8"
    assert vendored.status_code == 200
    assert vendored.headers["content-type"] == "text/javascript; charset=utf-8"
    assert vendored.headers["cache-control"] == "public, max-age=86400"
    assert "default-src 'self'" in vendored.headers["content-security-policy"]


def test_an_unchanged_file_is_revalidated_with_a_304(gateway_url: str) -> None:
    first = httpx.get(f"{gateway_url}/mcc/app.js")

    again = httpx.get(f"{gateway_url}/mcc/app.js", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304


def test_the_page_path_without_its_slash_redirects_relatively(gateway_url: str) -> None:
    response = httpx.get(f"{gateway_url}/mcc")

    assert response.status_code == 301
    assert response.headers["location"] == "/mcc/"


def test_a_missing_file_is_a_404_problem_and_other_paths_stay_unserved(gateway_url: str) -> None:
    missing = httpx.get(f"{gateway_url}/mcc/no-such-file.js")
    outside = httpx.get(f"{gateway_url}/mcc/%2e%2e/pyproject.toml")
    sibling = httpx.get(f"{gateway_url}/mcc/vendor../app.js")
    elsewhere = httpx.get(f"{gateway_url}/web/mcc/index.html")

    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert outside.status_code in (400, 404)
    assert sibling.status_code == 404
    assert elsewhere.status_code == 404


def test_a_single_page_application_answers_its_index_for_paths_without_a_file(
    gateway_url: str,
) -> None:
    route = httpx.get(f"{gateway_url}/app/alerts/42")
    script = httpx.get(f"{gateway_url}/app/app.js")

    assert route.status_code == 200
    assert route.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="app.js"></script>' in route.text
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert httpx.get(f"{gateway_url}/mcc/alerts/42").status_code == 404
