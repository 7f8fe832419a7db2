"""AEFI cases: what a report must satisfy, and the workflow reported → investigating →
classified → closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from vaxflow_events import (
    AefiOutcome,
    ObservedReaction,
    ReactionSeverity,
    SeriousnessCriterion,
)
from vaxflow_monitoring.domain.codes import symptoms
from vaxflow_monitoring.domain.errors import Refused, Violation

_SEVERITY_ORDER = (ReactionSeverity.MILD, ReactionSeverity.MODERATE, ReactionSeverity.SEVERE)


class CaseStatus(StrEnum):
    """Where a case stands in its workflow."""

    REPORTED = "reported"
    INVESTIGATING = "investigating"
    CLASSIFIED = "classified"
    CLOSED = "closed"


class CaseAction(StrEnum):
    """What an operator may do to a case."""

    INVESTIGATE = "investigate"
    CLASSIFY = "classify"
    CLOSE = "close"


# Each action: the status it needs and the status it leads to.
TRANSITIONS: dict[CaseAction, tuple[CaseStatus, CaseStatus]] = {
    CaseAction.INVESTIGATE: (CaseStatus.REPORTED, CaseStatus.INVESTIGATING),
    CaseAction.CLASSIFY: (CaseStatus.INVESTIGATING, CaseStatus.CLASSIFIED),
    CaseAction.CLOSE: (CaseStatus.CLASSIFIED, CaseStatus.CLOSED),
}
_DONE = {
    CaseAction.INVESTIGATE: "put under investigation",
    CaseAction.CLASSIFY: "classified",
    CaseAction.CLOSE: "closed",
}
OPEN_STATUSES = (CaseStatus.REPORTED, CaseStatus.INVESTIGATING, CaseStatus.CLASSIFIED)


def next_status(current: CaseStatus, action: CaseAction) -> CaseStatus:
    """The status after the action, or a 409 refusal when the case is not where it must be."""
    needed, after = TRANSITIONS[action]
    if current is not needed:
        raise Refused.one(
            "wrong_transition",
            "status",
            f"Only a {needed.value} case can be {_DONE[action]}; this one is {current.value}.",
            status=409,
        )
    return after


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """What a reporter says about the adverse event."""

    onset_at: datetime
    symptom_codes: tuple[str, ...]
    severity: ReactionSeverity
    outcome: AefiOutcome
    seriousness: tuple[SeriousnessCriterion, ...]

    @property
    def serious(self) -> bool:
        """True when a seriousness criterion is met."""
        return bool(self.seriousness)


def report_violations(
    facts: ReportFacts, *, dose_at: datetime | None, now: datetime, clock_skew: timedelta
) -> list[Violation]:
    """Every rule the report breaks: onset in time, known codes, seriousness consistent."""
    found: list[Violation] = []
    if facts.onset_at > now + clock_skew:
        found.append(Violation("onset_in_future", "body.onset_at", "The onset is in the future."))
    if dose_at is not None and facts.onset_at < dose_at:
        found.append(
            Violation(
                "onset_before_dose",
                "body.onset_at",
                f"The onset is before the dose ({dose_at.isoformat()}).",
            )
        )
    known = symptoms()
    for i, code in enumerate(facts.symptom_codes):
        if code not in known:
            found.append(
                Violation(
                    "unknown_symptom",
                    f"body.symptom_codes[{i}]",
                    f"{code!r} is not on the list of signs and symptoms.",
                )
            )
    if len(set(facts.symptom_codes)) != len(facts.symptom_codes):
        found.append(Violation("duplicate_symptom", "body.symptom_codes", "A code is named twice."))
    implied = [c for c in facts.symptom_codes if c in known and known[c].implies is not None]
    if implied and not facts.serious:
        found.append(
            Violation(
                "seriousness_required",
                "body.seriousness",
                f"{implied[0]} is serious on its own: give its seriousness criteria.",
            )
        )
    if facts.outcome is AefiOutcome.DIED and SeriousnessCriterion.DEATH not in facts.seriousness:
        found.append(
            Violation(
                "death_not_serious",
                "body.seriousness",
                "An outcome of death needs the `death` seriousness criterion.",
            )
        )
    return found


def facts_of_observation(
    reactions: Sequence[ObservedReaction],
    seriousness: Sequence[SeriousnessCriterion],
    dose_at: datetime,
) -> ReportFacts:
    """A site observation's serious reactions as a report: onset at the earliest reaction."""
    if not reactions:
        raise ValueError("a serious observation names its reactions")
    first = min(r.onset_minutes for r in reactions)
    codes = tuple(dict.fromkeys(r.code for r in reactions))
    worst = max((r.severity for r in reactions), key=_SEVERITY_ORDER.index)
    return ReportFacts(
        onset_at=dose_at + timedelta(minutes=first),
        symptom_codes=codes,
        severity=worst,
        outcome=AefiOutcome.UNKNOWN,
        seriousness=tuple(dict.fromkeys(seriousness)),
    )
