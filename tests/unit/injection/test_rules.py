"""The screening rules, the dose number and interval, and seriousness, as pure domain logic."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from vaxflow_injection.domain.doses import (
    Circumstances,
    DoseRequest,
    PastDose,
    ScreeningSeen,
    SiteLot,
    dose_id_for,
    plan_dose,
)
from vaxflow_injection.domain.errors import Refused
from vaxflow_injection.domain.observation import Reaction, observe
from vaxflow_injection.domain.screening import Decision, Vitals, checklist, decide, propose

from vaxflow_events import DoseKind, ReactionSeverity, ScreeningOutcome, SeriousnessCriterion

TODAY = date(2021, 8, 11)
NORMAL = Vitals(36.7, 78, 120, 78, 98)
NO = dict.fromkeys(checklist().questions, False)
CITIZEN = uuid.UUID("0b6f8a7e-1c1d-4c55-9a55-2f0f3e1c5d10")
LOT = SiteLot("EU/1/20/1528", "ORG-100030215", "FF2587", date(2021, 11, 30))
CLEARED = ScreeningSeen(uuid.uuid4(), ScreeningOutcome.ELIGIBLE, None, ())


@pytest.mark.parametrize(
    ("answers", "vitals", "age", "outcome"),
    [
        ({}, NORMAL, 40, ScreeningOutcome.ELIGIBLE),
        ({}, NORMAL, 70, ScreeningOutcome.CAUTION),
        ({"other_allergy_history": True}, NORMAL, 40, ScreeningOutcome.CAUTION),
        ({}, Vitals(38.0, 78, 120, 78), 40, ScreeningOutcome.POSTPONE),
        ({}, Vitals(36.7, 78, 120, 78, 91), 40, ScreeningOutcome.REFER_TO_HOSPITAL),
        (
            {"severe_allergy_history": True, "acute_illness": True},
            NORMAL,
            40,
            ScreeningOutcome.REFER_TO_HOSPITAL,
        ),
        (
            {"anaphylaxis_to_covid_vaccine": True, "breastfeeding": True},
            NORMAL,
            40,
            ScreeningOutcome.CONTRAINDICATED,
        ),
    ],
)
def test_the_gravest_rule_that_holds_is_proposed(
    answers: dict[str, bool], vitals: Vitals, age: int, outcome: ScreeningOutcome
) -> None:
    assert propose(NO | answers, vitals, age, TODAY).outcome is outcome


def test_a_postponement_lasts_as_long_as_its_longest_rule() -> None:
    answers = NO | {"covid19_last_6_months": True, "other_vaccine_last_14_days": True}

    proposal = propose(answers, NORMAL, 40, TODAY)

    assert proposal.postponed_until == TODAY + timedelta(days=180)


def test_an_override_without_reason_is_refused_and_with_one_is_recorded() -> None:
    proposal = propose(NO, Vitals(38.0, 78, 120, 78), 40, TODAY)

    with pytest.raises(Refused) as refused:
        decide(proposal, Decision(outcome=ScreeningOutcome.ELIGIBLE), None)
    outcome = decide(
        proposal, Decision(outcome=ScreeningOutcome.ELIGIBLE, override_reason="Re-measured."), None
    )

    assert refused.value.rule == "override_reason_required"
    assert outcome.overridden
    assert outcome.postponed_until is None


def _request(on: date) -> DoseRequest:
    at = datetime(on.year, on.month, on.day, 2, 0, tzinfo=UTC)
    return DoseRequest(CITIZEN, uuid.uuid4(), "EU/1/20/1528", "FF2587", at, on)


def _seen(*history: PastDose, screening: ScreeningSeen | None = CLEARED) -> Circumstances:
    return Circumstances(True, True, True, screening, LOT, False, history)


def _past(position: int, on: date, *, number: int | None = None, voided: bool = False) -> PastDose:
    at = datetime(on.year, on.month, on.day, 2, 0, tzinfo=UTC)
    return PastDose(
        dose_id_for(CITIZEN, position, 0),
        position,
        voided,
        "EU/1/20/1528",
        number or position,
        at,
        on,
    )


def test_the_dose_number_and_kind_come_from_history() -> None:
    history = (_past(1, date(2021, 7, 1)), _past(2, date(2021, 7, 22)))

    planned = plan_dose(_request(date(2021, 10, 25)), _seen(*history))

    assert (planned.dose_number, planned.series_doses, planned.dose_kind) == (
        3,
        2,
        DoseKind.BOOSTER,
    )


def test_a_second_dose_before_the_minimum_interval_is_refused_with_its_date() -> None:
    with pytest.raises(Refused) as refused:
        plan_dose(_request(date(2021, 7, 20)), _seen(_past(1, date(2021, 7, 1))))

    assert refused.value.rule == "interval_not_met"
    assert "2021-07-22" in refused.value.violations[0].message


def test_the_same_history_gives_the_same_dose_id_and_a_void_gives_a_new_one() -> None:
    first = plan_dose(_request(TODAY), _seen())
    again = plan_dose(_request(TODAY), _seen())
    after_void = plan_dose(_request(TODAY), _seen(_past(1, TODAY, voided=True)))

    assert first.dose_id == again.dose_id
    assert after_void.dose_number == 1
    assert after_void.dose_id != first.dose_id


def test_every_broken_rule_is_named() -> None:
    expired = SiteLot("EU/1/20/1528", "ORG-100030215", "FF2587", TODAY - timedelta(days=1))
    seen = Circumstances(True, True, False, None, expired, True, ())

    with pytest.raises(Refused) as refused:
        plan_dose(_request(TODAY), seen)

    rules = {v.rule for v in refused.value.violations}
    assert rules == {"not_checked_in", "no_screening", "lot_expired", "lot_suspended"}


def test_anaphylaxis_is_serious_by_nature_and_mild_pain_is_not() -> None:
    serious = observe([Reaction("anaphylaxis", ReactionSeverity.SEVERE, 5)], [])
    mild = observe([Reaction("injection_site_pain", ReactionSeverity.MILD, 10)], [])

    assert serious.serious
    assert serious.seriousness == (SeriousnessCriterion.LIFE_THREATENING,)
    assert not mild.serious
    assert mild.seriousness == ()
