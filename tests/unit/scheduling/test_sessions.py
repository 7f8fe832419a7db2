"""Sessions are planned from the site's hours: slots, capacities and the dates allowed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from vaxflow_scheduling.domain.doses import DoseSlot
from vaxflow_scheduling.domain.errors import RuleViolation
from vaxflow_scheduling.domain.sessions import SessionPlan, plan_session
from vaxflow_scheduling.domain.sites import Area, Site, SiteKind

TODAY = date(2026, 11, 25)


def site(**changes: object) -> Site:
    fields: dict[str, object] = {
        "site_id": "s1",
        "name": "Trạm Y tế",
        "kind": SiteKind.FIXED,
        "area": Area("79", "760", "26734"),
        "address": None,
        "opens": time(7, 30),
        "closes": time(11, 30),
        "slot_minutes": 30,
        "daily_capacity": 100,
        "latitude": None,
        "longitude": None,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    } | changes
    return Site(**fields)  # type: ignore[arg-type]


def plan(**changes: object) -> SessionPlan:
    fields: dict[str, object] = {
        "day": TODAY,
        "product_code": "EU/1/21/1529",
        "doses": (DoseSlot.FIRST,),
        "slot_capacity": None,
        "campaign_id": None,
        "min_age": 18,
    } | changes
    return SessionPlan(**fields)  # type: ignore[arg-type]


def planned(p: SessionPlan) -> object:
    return plan_session("x", site(), p, today=TODAY, max_days_ahead=30, tz="Asia/Ho_Chi_Minh")


def test_slots_cover_the_opening_hours_in_local_time_with_the_daily_capacity_spread() -> None:
    session = plan_session(
        "x", site(), plan(), today=TODAY, max_days_ahead=30, tz="Asia/Ho_Chi_Minh"
    )

    assert [s.key for s in session.slots][:3] == ["s0730", "s0800", "s0830"]
    assert len(session.slots) == 8
    assert session.slots[0].start.astimezone(UTC).time() == time(0, 30)
    assert [s.capacity for s in session.slots] == [13, 13, 13, 13, 12, 12, 12, 12]
    assert session.capacity == 100


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"day": date(2026, 11, 24)}, "date", "not_in_past"),
        ({"day": date(2027, 1, 30)}, "date", "within_horizon"),
        ({"product_code": "NOT-A-VACCINE"}, "product_code", "known_product"),
        ({"doses": ()}, "doses", "not_empty"),
    ],
)
def test_bad_plans_name_the_field_and_rule(
    changes: dict[str, object], field: str, rule: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        planned(plan(**changes))

    assert (caught.value.field, caught.value.rule) == (field, rule)


def test_a_site_must_close_after_it_opens() -> None:
    with pytest.raises(RuleViolation) as caught:
        site(opens=time(12, 0), closes=time(8, 0))

    assert caught.value.field == "closes"
