"""AEFI reports and their workflow: the rules a report must meet, and the case's steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from vaxflow_monitoring.domain.cases import (
    CaseAction,
    CaseStatus,
    ReportFacts,
    facts_of_observation,
    next_status,
    report_violations,
)
from vaxflow_monitoring.domain.codes import symptoms
from vaxflow_monitoring.domain.errors import Refused

from vaxflow_events import AefiOutcome, ObservedReaction, ReactionSeverity, SeriousnessCriterion

DOSE_AT = datetime(2025, 11, 24, 2, 0, tzinfo=UTC)
NOW = DOSE_AT + timedelta(days=1)
SKEW = timedelta(minutes=5)


def _facts(**changes: object) -> ReportFacts:
    base: dict[str, object] = {
        "onset_at": DOSE_AT + timedelta(hours=6),
        "symptom_codes": ("fever", "headache"),
        "severity": ReactionSeverity.MODERATE,
        "outcome": AefiOutcome.RECOVERED,
        "seriousness": (),
    }
    return ReportFacts(**(base | changes))  # type: ignore[arg-type]


def _rules(facts: ReportFacts, dose_at: datetime | None = DOSE_AT) -> list[str]:
    return [v.rule for v in report_violations(facts, dose_at=dose_at, now=NOW, clock_skew=SKEW)]


def test_a_plausible_report_breaks_no_rule() -> None:
    assert _rules(_facts()) == []


def test_an_onset_before_the_dose_or_in_the_future_is_refused() -> None:
    assert _rules(_facts(onset_at=DOSE_AT - timedelta(minutes=1))) == ["onset_before_dose"]
    assert _rules(_facts(onset_at=NOW + timedelta(hours=1))) == ["onset_in_future"]
    # Within the clock tolerance, a moment ahead of the server is accepted.
    assert _rules(_facts(onset_at=NOW + timedelta(minutes=1))) == []
    # Without a known dose (a report by lot), only the future is checked.
    assert _rules(_facts(onset_at=DOSE_AT - timedelta(days=3)), dose_at=None) == []


def test_codes_off_the_list_are_named_with_their_position() -> None:
    found = report_violations(
        _facts(symptom_codes=("fever", "feeling_odd")), dose_at=DOSE_AT, now=NOW, clock_skew=SKEW
    )
    assert [(v.rule, v.field) for v in found] == [("unknown_symptom", "body.symptom_codes[1]")]
    assert _rules(_facts(symptom_codes=("fever", "fever"))) == ["duplicate_symptom"]


def test_a_sign_serious_on_its_own_and_a_death_need_their_seriousness() -> None:
    assert _rules(_facts(symptom_codes=("anaphylaxis",))) == ["seriousness_required"]
    assert (
        _rules(
            _facts(
                symptom_codes=("anaphylaxis",),
                seriousness=(SeriousnessCriterion.LIFE_THREATENING,),
            )
        )
        == []
    )
    assert _rules(_facts(outcome=AefiOutcome.DIED)) == ["death_not_serious"]


def test_every_injection_reaction_code_is_on_the_symptom_list() -> None:
    injection_codes = {
        "injection_site_pain",
        "fever",
        "syncope",
        "urticaria",
        "allergic_reaction",
        "dyspnoea",
        "hypotension",
        "anaphylaxis",
        "seizure",
    }
    assert injection_codes <= set(symptoms())


def test_the_workflow_runs_reported_investigating_classified_closed() -> None:
    status = CaseStatus.REPORTED
    for action in (CaseAction.INVESTIGATE, CaseAction.CLASSIFY, CaseAction.CLOSE):
        status = next_status(status, action)
    assert status is CaseStatus.CLOSED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (CaseStatus.REPORTED, CaseAction.CLASSIFY),
        (CaseStatus.REPORTED, CaseAction.CLOSE),
        (CaseStatus.INVESTIGATING, CaseAction.INVESTIGATE),
        (CaseStatus.CLASSIFIED, CaseAction.CLASSIFY),
        (CaseStatus.CLOSED, CaseAction.INVESTIGATE),
    ],
)
def test_a_step_out_of_order_is_a_conflict(status: CaseStatus, action: CaseAction) -> None:
    with pytest.raises(Refused) as refused:
        next_status(status, action)
    assert (refused.value.status, refused.value.rule) == (409, "wrong_transition")


def test_a_serious_observation_becomes_a_report_from_its_earliest_and_worst_reaction() -> None:
    reactions = [
        ObservedReaction(code="urticaria", severity=ReactionSeverity.MODERATE, onset_minutes=9),
        ObservedReaction(code="anaphylaxis", severity=ReactionSeverity.SEVERE, onset_minutes=12),
    ]
    facts = facts_of_observation(reactions, [SeriousnessCriterion.LIFE_THREATENING], DOSE_AT)
    assert facts.onset_at == DOSE_AT + timedelta(minutes=9)
    assert facts.symptom_codes == ("urticaria", "anaphylaxis")
    assert facts.severity is ReactionSeverity.SEVERE
    assert facts.serious
