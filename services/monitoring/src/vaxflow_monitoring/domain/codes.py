"""The coded list of signs and symptoms an AEFI report may name, held as data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from vaxflow_events import SeriousnessCriterion


@dataclass(frozen=True, slots=True)
class Symptom:
    """A sign or symptom; `implies` is the seriousness it carries on its own, if any."""

    code: str
    implies: SeriousnessCriterion | None


@cache
def symptoms() -> dict[str, Symptom]:
    """Every known sign or symptom by code, from `data/symptoms.json`."""
    text = resources.files("vaxflow_monitoring.data").joinpath("symptoms.json").read_text()
    entries = json.loads(text)["symptoms"]
    return {
        e["code"]: Symptom(
            e["code"], SeriousnessCriterion(e["implies"]) if e.get("implies") else None
        )
        for e in entries
    }
