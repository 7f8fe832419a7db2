"""The committed build of the citizen portal (web/portal/dist) is the build of its sources.

The gateway serves web/portal/dist as it is in the repository; nothing is built at run time. The
build writes dist/build-stamp.json with a digest of the sources it came from (vite.config.js);
this recomputes that digest, so a source changed without `npm ci && npm run build` fails here.
Cheap: no node, no browser, no stack.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "web" / "portal"
# What a build depends on (keep in step with SOURCES in web/portal/vite.config.js).
SOURCES = ("index.html", "package.json", "package-lock.json", "vite.config.js", "src", "public")
REBUILD = "run `cd web/portal && npm ci && npm run build` and commit web/portal/dist"


def _sources_digest() -> str:
    paths = sorted(
        p.relative_to(PORTAL).as_posix()
        for source in SOURCES
        for p in (
            [PORTAL / source] if (PORTAL / source).is_file() else (PORTAL / source).rglob("*")
        )
        if p.is_file()
    )
    digest = hashlib.sha256()
    for path in paths:
        content = hashlib.sha256((PORTAL / path).read_bytes()).hexdigest()
        digest.update(f"{path}\0{content}\n".encode())
    return digest.hexdigest()


def test_the_committed_build_comes_from_the_current_sources() -> None:
    stamp = json.loads((PORTAL / "dist" / "build-stamp.json").read_text())

    assert stamp["sources_sha256"] == _sources_digest(), f"web/portal/dist is stale: {REBUILD}"


def test_the_built_page_loads_only_its_own_files_and_no_inline_script() -> None:
    index = (PORTAL / "dist" / "index.html").read_text()
    scripts = re.findall(r"<script\b[^>]*>", index)
    referenced = re.findall(r'(?:src|href)="/(assets/[^"]+)"', index)

    assert scripts
    assert all(' src="/assets/' in tag for tag in scripts)
    assert "<script>" not in index
    assert "style=" not in index
    assert referenced
    assert all((PORTAL / "dist" / path).is_file() for path in referenced), REBUILD
