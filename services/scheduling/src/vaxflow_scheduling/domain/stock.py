"""The stock ledger's arithmetic: balance = receipts - doses - wastage +/- adjustments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

WASTAGE_REASONS = frozenset(
    {"opened_vial_expired", "cold_chain_failure", "breakage", "lot_expired"}
)
STAFF_REASONS = WASTAGE_REASONS | {"count_correction"}


@dataclass(frozen=True, slots=True)
class LotBalance:
    """A lot's figures at a site, summed from its ledger entries."""

    received: int = 0
    administered: int = 0
    wasted: int = 0
    adjusted: int = 0

    @property
    def balance(self) -> int:
        """Doses on hand according to the ledger (negative: more given than held)."""
        return self.received - self.administered - self.wasted + self.adjusted


def balances(entries: Iterable[Mapping[str, Any]]) -> dict[str, LotBalance]:
    """Sum ledger entries by lot id."""
    sums: dict[str, dict[str, int]] = {}
    for entry in entries:
        lot = sums.setdefault(
            entry["lot_id"], {"received": 0, "administered": 0, "wasted": 0, "adjusted": 0}
        )
        kind, delta = entry["kind"], int(entry["delta"])
        if kind == "receipt":
            lot["received"] += delta
        elif kind == "dose":
            lot["administered"] -= delta
        elif kind == "wastage":
            lot["wasted"] -= delta
        else:
            lot["adjusted"] += delta
    return {lot_id: LotBalance(**figures) for lot_id, figures in sums.items()}


def days_of_supply(on_hand: int, doses_in_window: int, window_days: int) -> tuple[float, float]:
    """(doses per day at the recent rate, days of supply); infinite supply when nothing is given."""
    per_day = doses_in_window / window_days
    return per_day, (max(on_hand, 0) / per_day if per_day > 0 else float("inf"))


def usable_lot(lot: Mapping[str, Any], day: date) -> bool:
    """A lot neither suspended nor expired on `day` (its `expiry_date` is an ISO date)."""
    expiry = lot.get("expiry_date")
    expired = expiry is not None and date.fromisoformat(expiry) < day
    return not lot.get("suspended", False) and not expired
