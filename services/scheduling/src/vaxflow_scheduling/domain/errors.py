"""How the domain says that an input breaks a rule, without echoing the input."""

from __future__ import annotations


class RuleViolation(ValueError):
    """A value breaks a scheduling rule: which field, which rule, and a message for people."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message
