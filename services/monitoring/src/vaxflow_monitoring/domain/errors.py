"""Why the service refuses a command: one rule, the field it concerns, and a human message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule a command broke; `rule` is machine-readable (`onset_before_dose`)."""

    rule: str
    field: str
    message: str


class Refused(Exception):
    """A command that breaks rules and changes nothing; the first violation names the problem."""

    def __init__(self, violations: Sequence[Violation], *, status: int = 422) -> None:
        if not violations:
            raise ValueError("a refusal needs at least one violation")
        super().__init__(violations[0].message)
        self.violations = tuple(violations)
        self.status = status

    @classmethod
    def one(cls, rule: str, field: str, message: str, *, status: int = 422) -> Refused:
        """A refusal for a single rule."""
        return cls([Violation(rule, field, message)], status=status)

    @property
    def rule(self) -> str:
        """The first rule broken."""
        return self.violations[0].rule


class NotFound(Exception):
    """The thing does not exist, or the caller may not know that it does."""

    def __init__(self, what: str = "AEFI case") -> None:
        super().__init__(what)
        self.what = what
