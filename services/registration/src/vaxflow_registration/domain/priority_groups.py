"""The campaign's priority groups, read from the data file that names their source."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from vaxflow_registration.domain.errors import RuleViolation


@dataclass(frozen=True)
class PriorityGroup:
    """One numbered priority group."""

    number: int
    label: str
    label_vi: str


@dataclass(frozen=True)
class PriorityGroups:
    """The numbered list and the decision it comes from."""

    source: str
    groups: tuple[PriorityGroup, ...]

    def check(self, number: int) -> int:
        """A group number of the list."""
        if all(group.number != number for group in self.groups):
            raise RuleViolation(
                "priority_group_unknown", f"A priority group is numbered 1 to {len(self.groups)}"
            )
        return number


@cache
def priority_groups() -> PriorityGroups:
    """The priority groups of the data file."""
    text = resources.files("vaxflow_registration.data").joinpath("priority_groups.toml")
    data = tomllib.loads(text.read_text(encoding="utf-8"))
    groups = tuple(PriorityGroup(**group) for group in data["group"])
    return PriorityGroups(source=data["source"], groups=groups)
