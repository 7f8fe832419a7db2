"""Fill the {{name}} placeholders of the configuration templates kept under deploy/."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


def render(template: str, values: Mapping[str, object]) -> str:
    """Return the template with every placeholder replaced; unknown or unused names are errors."""
    used: set[str] = set()

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"template placeholder {{{{{name}}}}} has no value")
        used.add(name)
        return str(values[name])

    text = _PLACEHOLDER.sub(substitute, template)
    unused = set(values) - used
    if unused:
        raise KeyError(f"values never used by the template: {sorted(unused)}")
    return text


def write_if_changed(path: Path, text: str) -> bool:
    """Write the file unless it already holds the text; return whether it changed."""
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return True
