"""Lot signal rules: thresholds from data, sliding windows, minimum doses, one id per episode."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from vaxflow_monitoring.domain.signals import (
    LotPicture,
    RuleSpec,
    crossings,
    load_rules,
    signal_id,
)

from vaxflow_events import SignalRule

NOW = datetime(2025, 11, 24, 9, 0, tzinfo=UTC)
CLUSTER = RuleSpec(SignalRule.SERIOUS_CASES_IN_WINDOW, timedelta(days=7), 3, 0)
RATE = RuleSpec(SignalRule.SERIOUS_RATE_PER_100K_DOSES, timedelta(days=30), 10.0, 10_000)


def _onsets(*days_ago: float) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in days_ago]


def test_the_packaged_rules_cover_both_signal_kinds_with_a_dose_minimum_for_the_rate() -> None:
    rules = {r.rule: r for r in load_rules()}
    assert set(rules) == set(SignalRule)
    assert rules[SignalRule.SERIOUS_RATE_PER_100K_DOSES].min_doses > 3


def test_rules_load_from_another_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    rule = {"rule": "serious_cases_in_window", "window_days": 1, "threshold": 1, "min_doses": 0}
    path.write_text(json.dumps({"rules": [rule]}))
    assert load_rules(path) == (RuleSpec(SignalRule.SERIOUS_CASES_IN_WINDOW, timedelta(1), 1, 0),)


def test_three_serious_cases_within_the_window_cross_the_cluster_rule() -> None:
    [crossing] = crossings([CLUSTER], LotPicture(500, _onsets(0.5, 2, 6)), NOW)
    assert (crossing.rule, crossing.serious_cases, crossing.observed) == (CLUSTER.rule, 3, 3.0)
    assert crossing.window_start == NOW - timedelta(days=7)


def test_cases_outside_the_window_do_not_count() -> None:
    assert crossings([CLUSTER], LotPicture(500, _onsets(0.5, 2, 8)), NOW) == []


def test_the_rate_is_per_100000_doses_and_needs_its_minimum_of_doses() -> None:
    # One case in three doses is a huge rate, but three doses say nothing.
    assert crossings([RATE], LotPicture(3, _onsets(1)), NOW) == []
    # Two cases in 12,000 doses: 16.7 per 100,000, above 10.
    [crossing] = crossings([RATE], LotPicture(12_000, _onsets(1, 3)), NOW)
    assert round(crossing.observed, 1) == 16.7
    # One case in 20,000 doses: 5 per 100,000, below.
    assert crossings([RATE], LotPicture(20_000, _onsets(1)), NOW) == []


def test_a_rule_has_one_signal_id_per_lot_and_episode() -> None:
    lot = uuid4()
    rule = SignalRule.SERIOUS_CASES_IN_WINDOW
    assert signal_id(lot, rule, 0) == signal_id(lot, rule, 0)
    assert signal_id(lot, rule, 0) != signal_id(lot, rule, 1)
    assert signal_id(lot, rule, 0) != signal_id(lot, SignalRule.SERIOUS_RATE_PER_100K_DOSES, 0)
