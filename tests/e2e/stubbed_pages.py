"""The built pages served inside Chromium with answers of the test's own (no stack needed).

Every request of the page goes to Playwright's router: `/site/...` from web/site/dist, other
paths from web/portal/dist (index.html for client routes), both with the gateway's
Content-Security-Policy, and `/api/...` from the test's table of path patterns to JSON bodies
(404 problem+json for anything else). Used where the stack cannot be relied on or a screen needs
data the stack would take long to build (the accessibility checks, a second device's records).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Route

from vaxflow.stack.gateway import PAGE_CSP

WEB = Path(__file__).resolve().parents[2] / "web"
ORIGIN = "http://vaxflow.test"
Answers = Mapping[str, Any]  # path pattern (re.search on the path) -> JSON body, or (status, body)


def _file(path: str) -> Path:
    if path.startswith("/site/"):
        root, rest = WEB / "site" / "dist", path.removeprefix("/site/")
    else:
        root, rest = WEB / "portal" / "dist", path.removeprefix("/")
    found = (root / rest).resolve()
    if rest and found.is_file() and found.is_relative_to(root):
        return found
    return root / "index.html"


async def serve(context: BrowserContext, answers: Answers) -> list[str]:
    """Route the context's requests; the API paths asked for are listed in the answer."""
    asked: list[str] = []

    async def handle(route: Route) -> None:
        path = "/" + route.request.url.removeprefix(ORIGIN).lstrip("/").split("?")[0]
        if path.startswith("/api/"):
            asked.append(f"{route.request.method} {path}")
            for pattern, answer in answers.items():
                if re.search(pattern, path):
                    status, body = answer if isinstance(answer, tuple) else (200, answer)
                    await route.fulfill(status=status, json=body)
                    return
            await route.fulfill(
                status=404,
                content_type="application/problem+json",
                body='{"type": "about:blank", "status": 404, "title": "Not Found"}',
            )
            return
        file = _file(path)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        headers = {"Content-Security-Policy": PAGE_CSP.strip('"')}
        await route.fulfill(status=200, path=file, content_type=kind, headers=headers)

    await context.route(f"{ORIGIN}/**", handle)
    return asked
