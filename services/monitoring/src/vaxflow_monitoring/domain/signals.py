"""Lot signals: serious cases on a lot within a sliding window, and their rate per 100,000
doses of the lot, against thresholds held as data (`data/signal_rules.json`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from uuid import UUID, uuid5

from vaxflow_events import SignalRule

SIGNAL_NAMESPACE = UUID("0c9a7e3d-54b1-4f7e-b2a8-6d3e1f0a9c57")
PER = 100_000


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One threshold: the rule, its window, the value at which it fires, the doses it needs."""

    rule: SignalRule
    window: timedelta
    threshold: float
    min_doses: int

    def __post_init__(self) -> None:
        if self.window <= timedelta(0) or self.threshold <= 0 or self.min_doses < 0:
            raise ValueError(f"signal rule {self.rule.value}: window and threshold must be > 0")


def load_rules(path: str | Path | None = None) -> tuple[RuleSpec, ...]:
    """The rules from a JSON file, or the packaged `data/signal_rules.json`."""
    if path is None:
        text = resources.files("vaxflow_monitoring.data").joinpath("signal_rules.json").read_text()
    else:
        text = Path(path).read_text()
    return tuple(
        RuleSpec(
            rule=SignalRule(r["rule"]),
            window=timedelta(days=float(r["window_days"])),
            threshold=float(r["threshold"]),
            min_doses=int(r["min_doses"]),
        )
        for r in json.loads(text)["rules"]
    )


@dataclass(frozen=True, slots=True)
class LotPicture:
    """What a lot's signals are computed from: doses given (not voided) and serious onsets."""

    doses: int
    serious_onsets: Sequence[datetime]


@dataclass(frozen=True, slots=True)
class Crossing:
    """A rule the lot crossed, with the figures the signal reports."""

    rule: SignalRule
    window_start: datetime
    window_end: datetime
    serious_cases: int
    doses: int
    observed: float
    threshold: float


def measure(spec: RuleSpec, serious_in_window: int, doses: int) -> float | None:
    """The rule's measure, or None when the lot has too few doses for the rule to speak."""
    if doses < spec.min_doses:
        return None
    if spec.rule is SignalRule.SERIOUS_CASES_IN_WINDOW:
        return float(serious_in_window)
    if doses == 0:
        return None
    return serious_in_window * PER / doses


def crossings(rules: Sequence[RuleSpec], lot: LotPicture, now: datetime) -> list[Crossing]:
    """The rules whose measure is at or above their threshold now."""
    found = []
    for spec in rules:
        start = now - spec.window
        in_window = sum(1 for at in lot.serious_onsets if start <= at <= now)
        value = measure(spec, in_window, lot.doses)
        if value is not None and in_window > 0 and value >= spec.threshold:
            found.append(
                Crossing(spec.rule, start, now, in_window, lot.doses, value, spec.threshold)
            )
    return found


def signal_id(lot_id: UUID, rule: SignalRule, episode: int) -> UUID:
    """The one signal a rule may raise on a lot in an episode (between releases)."""
    return uuid5(SIGNAL_NAMESPACE, f"{lot_id}|{rule.value}|{episode}")
