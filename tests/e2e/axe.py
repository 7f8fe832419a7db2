"""Accessibility checks with axe-core, run inside the page under test.

tests/e2e/vendor/axe.min.js is the built file of the npm package `axe-core`, pinned in
web/portal/package.json (devDependencies) and its lock; to update it: `cd web/portal && npm install
--save-dev --save-exact axe-core@<version> && cp node_modules/axe-core/axe.min.js
../../tests/e2e/vendor/` (test_axe_is_the_locked_version checks the two agree). The script is
evaluated through the DevTools protocol, which the pages' Content-Security-Policy (self only) does
not govern, so the pages are checked as served.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
GRAVE = ("serious", "critical")
# WCAG 2.1 A and AA rules and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def vendored_version() -> str:
    found = re.match(r"/\*! axe v([\d.]+)", AXE.read_text()[:40])
    assert found, f"{AXE} is not axe-core's built file"
    return found.group(1)


def locked_version() -> str:
    lock = json.loads((ROOT / "web" / "portal" / "package-lock.json").read_text())
    version: str = lock["packages"]["node_modules/axe-core"]["version"]
    return version


async def grave_violations(page: Page) -> list[str]:
    """The serious and critical violations on the page as it is now, one line each."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text() + "\n;true")
    result: dict[str, Any] = await page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    assert result["passes"], "axe checked nothing: the page did not load?"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in GRAVE
    ]
