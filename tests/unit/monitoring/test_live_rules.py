"""The alert rules as data and the conditions they find in a summary (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from vaxflow_monitoring.live.rules import conditions, default_rules
from vaxflow_monitoring.live.schemas import SummaryRead

SITE = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
OTHER = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b02"
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def site(site_id: str, waiting: int, longest_s: int = 0, supply: float | None = 9.0) -> Any:
    return {
        "site_id": site_id,
        "name": site_id[:8],
        "district_code": "760",
        "waiting": waiting,
        "longest_wait_s": longest_s,
        "doses_today": 10,
        "days_of_supply": supply,
    }


def summary(
    sites: list[Any] = [],  # noqa: B006
    lag: list[Any] = [],  # noqa: B006
    dead: list[Any] = [],  # noqa: B006
    signals: list[Any] = [],  # noqa: B006
) -> SummaryRead:
    return SummaryRead.model_validate(
        {
            "as_of": NOW,
            "date": date(2026, 11, 26),
            "doses": {"today": 0, "total": 0, "by_hour": [], "by_area": []},
            "coverage": [],
            "appointments": {"booked_today": 0, "capacity_today": 0, "checked_in_today": 0},
            "sites": sites,
            "aefi": {
                "reported_today": 0,
                "serious_today": 0,
                "open_cases": 0,
                "open_signals": signals,
            },
            "certificates": {
                "issued_today": 0,
                "lag_p50_s": None,
                "lag_p95_s": None,
                "lag_p99_s": None,
            },
            "pipeline": {"consumer_lag": lag, "dead_letters": dead},
            "alerts": [],
        }
    )


def test_the_default_rules_come_from_the_data_file() -> None:
    rules = default_rules()

    assert set(rules) == {"crowding", "stock_low", "lot_signal", "pipeline_lag", "dead_letters"}
    assert rules["crowding"].threshold == 20
    assert rules["crowding"].extra["longest_wait_min"] == 45
    assert rules["stock_low"].threshold == 2
    assert rules["pipeline_lag"].threshold == 1000


def test_crowding_holds_at_the_threshold_or_after_a_long_wait() -> None:
    found = conditions(
        default_rules(),
        summary([site(SITE, 20), site(OTHER, 3, longest_s=46 * 60), site("c" * 36, 19)]),
    )

    crowded = {c.subject: c for c in found if c.rule == "crowding"}
    assert set(crowded) == {SITE, OTHER}
    assert crowded[SITE].message == "20 people waiting (threshold 20)"
    assert crowded[OTHER].message.startswith("longest wait 46 min")


def test_a_site_override_changes_only_that_site() -> None:
    rules = default_rules()
    rules["crowding"] = rules["crowding"].with_stored({"site_overrides": {SITE: 2}})

    found = conditions(rules, summary([site(SITE, 2), site(OTHER, 2)]))

    assert [(c.rule, c.subject, c.threshold) for c in found] == [("crowding", SITE, 2.0)]


def test_stock_low_pipeline_lag_dead_letters_and_lot_signals() -> None:
    found = conditions(
        default_rules(),
        summary(
            [site(SITE, 0, supply=1.5), site(OTHER, 0, supply=None)],
            lag=[{"group": "certificate.doses", "lag": 1000}, {"group": "warehouse", "lag": 999}],
            dead=[{"topic": "warehouse.dlq", "count": 1}, {"topic": "x.dlq", "count": 0}],
            signals=[
                {"lot_id": "l1", "lot_number": "FF2587", "rule": "r", "raised_at": NOW.isoformat()}
            ],
        ),
    )

    assert sorted((c.rule, c.subject) for c in found) == [
        ("dead_letters", "warehouse.dlq"),
        ("lot_signal", "l1"),
        ("pipeline_lag", "certificate.doses"),
        ("stock_low", SITE),
    ]
