"""How the fault suite reads its history and plans its faults (no stack needed)."""

from __future__ import annotations

from typing import Any

from vaxflow.faults.config import KINDS, FaultsConfig
from vaxflow.faults.history import by_key
from vaxflow.faults.report import recovery_s
from vaxflow.faults.schedule import plan
from vaxflow.simulate.gateway import outcome_of


def attempt(outcome: str, status: int, **ids: str) -> dict[str, Any]:
    return {"at": 1.0, "endpoint": "POST /doses", "outcome": outcome, "status": status, "ids": ids}


def test_answers_are_ok_failed_or_indeterminate() -> None:
    assert [outcome_of(s) for s in (201, 200)] == ["ok", "ok"]
    assert [outcome_of(s) for s in (409, 422, 429)] == ["failed"] * 3
    assert [outcome_of(s) for s in (500, 502, 503, 504)] == ["indeterminate"] * 4


def test_a_dose_is_ok_when_any_attempt_was_else_indeterminate_else_failed() -> None:
    history = [
        attempt("indeterminate", 504, citizen_id="a"),
        attempt("ok", 201, citizen_id="a", dose_id="d-a"),
        attempt("failed", 422, citizen_id="b"),
        attempt("indeterminate", 0, citizen_id="b"),
        attempt("failed", 422, citizen_id="c"),
        attempt("failed", 409, citizen_id="c"),
    ]

    doses = by_key(history, "POST /doses", "citizen_id")

    assert {c: w.outcome for c, w in doses.items()} == {
        "a": "ok",
        "b": "indeterminate",
        "c": "failed",
    }
    assert doses["a"].ids["dose_id"] == "d-a"
    assert doses["b"].attempts == [422, 0]


def test_the_schedule_is_seeded_and_covers_every_kind() -> None:
    config = FaultsConfig(seed=7, faults=12, hours=2, speedup=24)

    first, again = plan(config), plan(config)

    assert first == again
    assert {p.kind for p in first} == set(KINDS)
    times = [p.at_s for p in first]
    assert times == sorted(times)
    assert config.warmup_s <= times[0]
    assert times[-1] <= config.wall_seconds - config.quiet_s
    assert plan(FaultsConfig(seed=8, faults=12, hours=2, speedup=24)) != first


def test_recovery_is_when_ok_writes_flow_again_at_half_the_rate_before() -> None:
    steady = [{"at": s + 0.5, "outcome": "ok"} for s in range(0, 30) for _ in range(4)]
    after = [{"at": s + 0.5, "outcome": "ok"} for s in range(42, 60) for _ in range(4)]
    history = [*steady, {"at": 35.0, "outcome": "failed"}, *after]

    assert recovery_s(history, start_s=30, end_s=32) == 10
    assert recovery_s([], start_s=30, end_s=32) is None


def test_a_booking_is_judged_by_the_appointments_its_citizen_holds() -> None:
    from vaxflow.faults.checker import Verdict, _judge_booking
    from vaxflow.faults.history import Written

    verdict = Verdict()
    cases = [("ok", 1), ("ok", 0), ("ok", 2), ("failed", 0), ("failed", 1)]
    cases += [("indeterminate", 0), ("indeterminate", 1), ("indeterminate", 2)]
    for n, (outcome, held) in enumerate(cases):
        _judge_booking(f"c{n}", Written(f"c{n}", outcome, {"session_id": "s"}), held, verdict)

    broken = [(v["id"].split()[1], v["invariant"]) for v in verdict.violations]
    assert broken == [
        ("c1", "an ok booking is one appointment"),
        ("c2", "an ok booking is one appointment"),
        ("c4", "a refused booking left no appointment"),
        ("c7", "an indeterminate booking is at most one appointment"),
    ]


def test_a_cancellation_is_all_or_nothing() -> None:
    from vaxflow.faults.checker import BOOKED, CANCELLED, Verdict, _judge_cancel
    from vaxflow.faults.history import Written

    half = ("cancelled", True)  # cancelled, but its claim (and place) never given back
    verdict = Verdict()
    cases = [("ok", CANCELLED), ("ok", BOOKED), ("ok", half), ("failed", BOOKED)]
    cases += [("failed", CANCELLED), ("indeterminate", CANCELLED), ("indeterminate", BOOKED)]
    cases += [("indeterminate", half)]
    for n, (outcome, state) in enumerate(cases):
        _judge_cancel(f"a{n}", Written(f"a{n}", outcome), state, verdict)

    assert [(v["id"], v["invariant"]) for v in verdict.violations] == [
        ("a1", "a cancellation answered ok is all or nothing"),
        ("a2", "a cancellation answered ok is all or nothing"),
        ("a4", "a cancellation answered failed is all or nothing"),
        ("a7", "a cancellation answered indeterminate is all or nothing"),
    ]


def test_a_slot_counter_below_its_appointments_is_a_place_freed_twice() -> None:
    from vaxflow.faults.checker import Verdict, _judge_slot

    session = {"booked": {"s1": 3, "s2": 2}, "free": {"s1": 7, "s2": 8}}
    verdict = Verdict()
    _judge_slot("x", {"key": "s1", "capacity": 10}, session, 3, verdict)
    _judge_slot("x", {"key": "s2", "capacity": 10}, session, 3, verdict)

    assert [v["invariant"] for v in verdict.violations] == ["no place freed twice"]
    assert "slot s2" in verdict.violations[0]["id"]
