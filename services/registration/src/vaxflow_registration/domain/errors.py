"""How the domain says that an input breaks a rule, without echoing the input."""

from __future__ import annotations

from dataclasses import dataclass


class RuleViolation(ValueError):
    """A value breaks a registration rule; `rule` is machine-readable, the message is for people."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class Violation:
    """A broken rule located on one field (`national_id`, `address.ward_code`, ...)."""

    field: str
    rule: str
    message: str

    @classmethod
    def of(cls, field: str, error: RuleViolation) -> Violation:
        """Locate a rule violation on a field."""
        return cls(field, error.rule, error.message)
