"""The run's history of writes, read per thing written: did the system say yes, no, or nothing?

Every write the simulator sent is in its recorder's history with an outcome: `ok` (2xx),
`failed` (a refusal: nothing may have changed) or `indeterminate` (a timeout, a dropped
connection, a 500/502/504: it may or may not have happened). A thing written with retries,
like one citizen's dose, is ok when any attempt was ok, else indeterminate when any attempt
was, else failed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

OUTCOMES = ("ok", "failed", "indeterminate")


@dataclass
class Written:
    """One thing the run tried to write (a citizen's dose, a stock receipt), over its attempts."""

    key: str
    outcome: str = "failed"
    ids: dict[str, str] = field(default_factory=dict)
    attempts: list[int] = field(default_factory=list)  # statuses (0: transport failure)

    def add(self, entry: dict[str, Any]) -> None:
        """Fold one attempt in: ok wins, then indeterminate, then failed."""
        self.attempts.append(int(entry["status"]))
        if entry["outcome"] == "ok":
            if self.outcome != "ok":
                self.ids = dict(entry["ids"])
            self.outcome = "ok"
        elif entry["outcome"] == "indeterminate" and self.outcome == "failed":
            self.outcome = "indeterminate"
            self.ids = {**entry["ids"], **self.ids}
        elif not self.ids:
            self.ids = dict(entry["ids"])


def by_key(history: list[dict[str, Any]], endpoint: str, key: str) -> dict[str, Written]:
    """The writes of one endpoint grouped by one id of their body (e.g. the citizen)."""
    found: dict[str, Written] = {}
    for entry in history:
        if entry["endpoint"] != endpoint or key not in entry["ids"]:
            continue
        value = entry["ids"][key]
        found.setdefault(value, Written(value)).add(entry)
    return found


def requests_by_outcome(history: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per endpoint, the writes sent by outcome (every attempt counted)."""
    table: dict[str, Counter[str]] = {}
    for entry in history:
        table.setdefault(entry["endpoint"], Counter())[entry["outcome"]] += 1
    return {name: {o: table[name][o] for o in OUTCOMES} for name in sorted(table)}
