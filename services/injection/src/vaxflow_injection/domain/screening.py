"""Pre-injection screening: the checklist as data, the proposed outcome, the doctor's decision."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from vaxflow_events import ScreeningOutcome
from vaxflow_injection.domain.errors import Refused, Violation

CLEARING = frozenset({ScreeningOutcome.ELIGIBLE, ScreeningOutcome.CAUTION})


@dataclass(frozen=True, slots=True)
class Vitals:
    """Vital signs measured at screening; SpO2 where a pulse oximeter is available."""

    temperature_c: float
    pulse_per_min: int
    systolic_mmhg: int
    diastolic_mmhg: int
    spo2_percent: int | None = None

    def value(self, name: str) -> float | None:
        """The measured value of a vital sign by name, None when not measured."""
        measured: float | None = getattr(self, name)
        return measured


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the checklist: when it holds, and what it proposes."""

    id: str
    outcome: ScreeningOutcome
    answer: str | None = None
    vital: str | None = None
    below: float | None = None
    at_least: float | None = None
    age_at_least: int | None = None
    postpone_days: int | None = None
    postpone_condition: str | None = None

    def holds(self, answers: Mapping[str, bool], vitals: Vitals, age: int) -> bool:
        """True when the answers, vital signs or age meet the rule's condition."""
        if self.answer is not None:
            return answers.get(self.answer, False)
        if self.vital is not None:
            return _beyond(vitals.value(self.vital), self.below, self.at_least)
        return self.age_at_least is not None and age >= self.age_at_least


def _beyond(value: float | None, below: float | None, at_least: float | None) -> bool:
    if value is None:
        return False
    return (below is not None and value < below) or (at_least is not None and value >= at_least)


@dataclass(frozen=True, slots=True)
class Checklist:
    """The questions and rules of data/screening.toml."""

    questions: dict[str, str]
    rules: tuple[Rule, ...]
    precedence: tuple[ScreeningOutcome, ...]

    def gravest(self, outcomes: set[ScreeningOutcome]) -> ScreeningOutcome:
        """The first outcome in precedence order among these (eligible when none)."""
        return next((o for o in self.precedence if o in outcomes), ScreeningOutcome.ELIGIBLE)


@cache
def checklist() -> Checklist:
    """The checklist of Decision 3802/QĐ-BYT as configured."""
    text = resources.files("vaxflow_injection.data").joinpath("screening.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    rules = tuple(
        Rule(**{**row, "outcome": ScreeningOutcome(row["outcome"])}) for row in data["rule"]
    )
    questions = {q["key"]: q["text"] for q in data["question"]}
    unknown = {r.answer for r in rules if r.answer is not None} - set(questions)
    if unknown:
        raise ValueError(f"screening rules name unknown questions: {sorted(unknown)}")
    return Checklist(questions, rules, tuple(ScreeningOutcome(o) for o in data["precedence"]))


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the rules propose, with the rules that led to it."""

    outcome: ScreeningOutcome
    reasons: tuple[str, ...]
    postponed_until: date | None = None
    postpone_condition: str | None = None


def age_on(born: date, day: date) -> int:
    """Age in whole years on a day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def propose(answers: Mapping[str, bool], vitals: Vitals, age: int, today: date) -> Proposal:
    """Apply every rule; the gravest outcome of those that hold is proposed."""
    rules = checklist()
    held = [r for r in rules.rules if r.holds(answers, vitals, age)]
    outcome = rules.gravest({r.outcome for r in held})
    deciding = [r for r in held if r.outcome == outcome]
    days = [r.postpone_days for r in deciding if r.postpone_days is not None]
    conditions = [r.postpone_condition for r in deciding if r.postpone_condition]
    return Proposal(
        outcome=outcome,
        reasons=tuple(r.id for r in held),
        postponed_until=today + timedelta(days=max(days)) if days else None,
        postpone_condition="; ".join(conditions) or None,
    )


@dataclass(frozen=True, slots=True)
class Decision:
    """The doctor's outcome: the proposal confirmed, or overridden with a reason."""

    outcome: ScreeningOutcome | None = None
    override_reason: str | None = None
    postponed_until: date | None = None
    postpone_condition: str | None = None
    contraindicated_products: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The recorded outcome of a screening."""

    outcome: ScreeningOutcome
    proposal: Proposal
    overridden: bool
    override_reason: str | None
    postponed_until: date | None
    postpone_condition: str | None
    contraindicated_products: tuple[str, ...]


def decide(proposal: Proposal, decision: Decision, product_code: str | None) -> Outcome:
    """The outcome to record; refuses an override without reason and an incomplete outcome."""
    outcome = decision.outcome or proposal.outcome
    overridden = outcome != proposal.outcome
    violations = _decision_violations(decision, outcome, overridden)
    contraindicated = _contraindicated(decision, outcome, product_code, violations)
    until = _postponed_until(decision, proposal, outcome, not overridden)
    condition = _postpone_condition(decision, proposal, outcome, not overridden)
    if outcome == ScreeningOutcome.POSTPONE and until is None and condition is None:
        violations.append(
            Violation(
                "postpone_until_required",
                "body.postponed_until",
                "A postponement needs a date to screen again or a condition.",
            )
        )
    if violations:
        raise Refused(violations)
    return Outcome(
        outcome=outcome,
        proposal=proposal,
        overridden=overridden,
        override_reason=decision.override_reason,
        postponed_until=until,
        postpone_condition=condition,
        contraindicated_products=contraindicated,
    )


def _decision_violations(
    decision: Decision, outcome: ScreeningOutcome, overridden: bool
) -> list[Violation]:
    violations = []
    if overridden and not decision.override_reason:
        violations.append(
            Violation(
                "override_reason_required",
                "body.override_reason",
                "The outcome differs from the proposed one: give the reason for the override.",
            )
        )
    postponing = outcome == ScreeningOutcome.POSTPONE
    if not postponing and (decision.postponed_until or decision.postpone_condition):
        violations.append(
            Violation(
                "postpone_without_postpone_outcome",
                "body.postponed_until",
                "A postponement date or condition goes only with the outcome postpone.",
            )
        )
    return violations


def _contraindicated(
    decision: Decision,
    outcome: ScreeningOutcome,
    product_code: str | None,
    violations: list[Violation],
) -> tuple[str, ...]:
    if outcome != ScreeningOutcome.CONTRAINDICATED:
        if decision.contraindicated_products:
            violations.append(
                Violation(
                    "contraindication_without_contraindicated_outcome",
                    "body.contraindicated_products",
                    "Contraindicated products go only with the outcome contraindicated.",
                )
            )
        return ()
    products = decision.contraindicated_products or ((product_code,) if product_code else ())
    if not products:
        violations.append(
            Violation(
                "contraindicated_product_required",
                "body.contraindicated_products",
                "Name the product the citizen must not receive (or screen for a product).",
            )
        )
    return tuple(dict.fromkeys(products))


def _postponed_until(
    decision: Decision, proposal: Proposal, outcome: ScreeningOutcome, same: bool
) -> date | None:
    if outcome != ScreeningOutcome.POSTPONE:
        return None
    return decision.postponed_until or (proposal.postponed_until if same else None)


def _postpone_condition(
    decision: Decision, proposal: Proposal, outcome: ScreeningOutcome, same: bool
) -> str | None:
    if outcome != ScreeningOutcome.POSTPONE:
        return None
    return decision.postpone_condition or (proposal.postpone_condition if same else None)
