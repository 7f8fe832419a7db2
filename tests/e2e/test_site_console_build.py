"""The committed build of the site console (web/site/dist) is current and servable.

The console is a Vite project; its built files are committed so that neither `make up` nor CI
needs npm. The build records a hash of what it was made from (dist/build-info.json); this test
hashes the same files the same way (see web/site/vite.config.js), so an edit of the sources
without `cd web/site && npm ci && npm run build` fails here, without node.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

SITE = Path(__file__).resolve().parents[2] / "web" / "site"
INPUTS = ("index.html", "vite.config.js", "package.json", "package-lock.json", "src", "public")


def _sources_sha256() -> str:
    files: list[str] = []
    for entry in INPUTS:
        path = SITE / entry
        if path.is_dir():
            files += [p.relative_to(SITE).as_posix() for p in path.rglob("*") if p.is_file()]
        else:
            files.append(entry)
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0".encode())
        digest.update((SITE / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_the_committed_build_was_made_from_the_current_sources() -> None:
    info = json.loads((SITE / "dist" / "build-info.json").read_text())

    assert info["sources_sha256"] == _sources_sha256(), (
        "web/site/dist is out of date: run `cd web/site && npm ci && npm run build`"
    )


def test_the_built_page_loads_only_files_of_its_own_and_no_inline_script() -> None:
    index = (SITE / "dist" / "index.html").read_text()
    references = re.findall(r'(?:src|href)="([^"]+)"', index)

    assert references
    for reference in references:
        assert reference.startswith("/site/"), reference
        assert (SITE / "dist" / reference.removeprefix("/site/")).is_file(), reference
    assert "<script>" not in index
    assert "style=" not in index
    assert (SITE / "dist" / "sw.js").is_file()
