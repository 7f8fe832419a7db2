"""The ledger's arithmetic: balance = receipts - doses - wastage +/- adjustments."""

from __future__ import annotations

from vaxflow_scheduling.domain.stock import balances, days_of_supply


def test_balance_is_receipts_minus_doses_minus_wastage_plus_adjustments() -> None:
    entries = [
        {"lot_id": "a", "kind": "receipt", "delta": 100},
        {"lot_id": "a", "kind": "dose", "delta": -1},
        {"lot_id": "a", "kind": "dose", "delta": -1},
        {"lot_id": "a", "kind": "wastage", "delta": -10},
        {"lot_id": "a", "kind": "adjustment", "delta": 1},
        {"lot_id": "b", "kind": "dose", "delta": -1},
    ]

    sums = balances(entries)

    assert (sums["a"].received, sums["a"].administered, sums["a"].wasted) == (100, 2, 10)
    assert sums["a"].balance == 89
    assert sums["b"].balance == -1


def test_days_of_supply_at_the_recent_rate() -> None:
    assert days_of_supply(30, 70, 7) == (10.0, 3.0)
    assert days_of_supply(30, 0, 7)[1] == float("inf")
