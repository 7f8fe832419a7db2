"""Alert rules as data, and the conditions they find in a summary (pure, no I/O)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from vaxflow_monitoring.live.schemas import SummaryRead


@dataclass(frozen=True)
class Rule:
    """One alert rule: its default threshold and per-site overrides."""

    name: str
    description: str
    threshold: float
    unit: str
    per_site: bool
    extra: Mapping[str, float] = field(default_factory=dict)
    site_overrides: Mapping[str, float] = field(default_factory=dict)

    def threshold_for(self, site_id: str | None = None) -> float:
        """The threshold that applies to a site (its override, else the rule's)."""
        if site_id is not None and site_id in self.site_overrides:
            return self.site_overrides[site_id]
        return self.threshold

    def with_stored(self, stored: Mapping[str, Any] | None) -> Rule:
        """This rule with the thresholds operators stored."""
        if not stored:
            return self
        overrides = {k: float(v) for k, v in (stored.get("site_overrides") or {}).items()}
        return replace(
            self,
            threshold=float(stored.get("threshold", self.threshold)),
            site_overrides={**self.site_overrides, **overrides},
        )


@dataclass(frozen=True)
class Condition:
    """A rule holding for one subject now: an alert should be open for it."""

    rule: str
    subject: str
    subject_name: str
    value: float
    threshold: float
    message: str

    @property
    def key(self) -> str:
        return f"{self.rule}|{self.subject}"


def default_rules() -> dict[str, Rule]:
    """The rules of the package's data file, by name."""
    text = resources.files("vaxflow_monitoring.live.data").joinpath("rules.toml").read_text()
    rules: dict[str, Rule] = {}
    for name, spec in tomllib.loads(text).items():
        known = {"description", "threshold", "unit", "per_site"}
        extra = {k: float(v) for k, v in spec.items() if k not in known}
        rules[name] = Rule(
            name=name,
            description=spec["description"],
            threshold=float(spec["threshold"]),
            unit=spec["unit"],
            per_site=bool(spec["per_site"]),
            extra=extra,
        )
    return rules


def _num(value: float) -> str:
    return f"{value:g}"


def crowding(rule: Rule, summary: SummaryRead) -> list[Condition]:
    """Sites where people crowd: too many waiting, or someone waiting too long."""
    found = []
    longest_s = rule.extra.get("longest_wait_min", 45.0) * 60
    for site in summary.sites:
        threshold = rule.threshold_for(site.site_id)
        if site.waiting >= threshold:
            message = f"{site.waiting} people waiting (threshold {_num(threshold)})"
        elif site.longest_wait_s >= longest_s and site.waiting > 0:
            message = f"longest wait {site.longest_wait_s // 60} min (limit {_num(longest_s / 60)})"
        else:
            continue
        found.append(
            Condition("crowding", site.site_id, site.name, site.waiting, threshold, message)
        )
    return found


def stock_low(rule: Rule, summary: SummaryRead) -> list[Condition]:
    """Sites with fewer days of supply than the threshold."""
    found = []
    for site in summary.sites:
        threshold = rule.threshold_for(site.site_id)
        if site.days_of_supply is not None and site.days_of_supply < threshold:
            message = f"{site.days_of_supply:.1f} days of supply (threshold {_num(threshold)})"
            found.append(
                Condition(
                    "stock_low", site.site_id, site.name, site.days_of_supply, threshold, message
                )
            )
    return found


def lot_signal(rule: Rule, summary: SummaryRead) -> list[Condition]:
    """Lots with an open safety signal."""
    return [
        Condition(
            "lot_signal",
            s.lot_id,
            f"Lot {s.lot_number}",
            1,
            rule.threshold,
            f"Safety signal on lot {s.lot_number} ({s.rule})",
        )
        for s in summary.aefi.open_signals
    ]


def pipeline_lag(rule: Rule, summary: SummaryRead) -> list[Condition]:
    """Consumer groups too far behind."""
    return [
        Condition(
            "pipeline_lag",
            g.group,
            g.group,
            g.lag,
            rule.threshold,
            f"{g.lag} messages behind (threshold {_num(rule.threshold)})",
        )
        for g in summary.pipeline.consumer_lag
        if g.lag >= rule.threshold
    ]


def dead_letters(rule: Rule, summary: SummaryRead) -> list[Condition]:
    """Dead-letter topics holding messages."""
    return [
        Condition(
            "dead_letters",
            d.topic,
            d.topic,
            d.count,
            rule.threshold,
            f"{d.count} dead letters (threshold {_num(rule.threshold)})",
        )
        for d in summary.pipeline.dead_letters
        if d.count > rule.threshold
    ]


_EVALUATORS = {
    "crowding": crowding,
    "stock_low": stock_low,
    "lot_signal": lot_signal,
    "pipeline_lag": pipeline_lag,
    "dead_letters": dead_letters,
}


def conditions(rules: Mapping[str, Rule], summary: SummaryRead) -> list[Condition]:
    """Every condition that holds now, under these rules."""
    found: list[Condition] = []
    for name, rule in rules.items():
        evaluate = _EVALUATORS.get(name)
        if evaluate is not None:
            found.extend(evaluate(rule, summary))
    return found
