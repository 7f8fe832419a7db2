"""The end of post-vaccination observation: coded reactions, and whether they are serious."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from vaxflow_events import ReactionSeverity, SeriousnessCriterion
from vaxflow_injection.domain.errors import Refused, Violation


@cache
def reaction_list() -> dict[str, SeriousnessCriterion | None]:
    """The coded reactions of data/reactions.toml, with the criterion that makes one serious."""
    text = resources.files("vaxflow_injection.data").joinpath("reactions.toml").read_text("utf-8")
    rows = tomllib.loads(text)["reaction"]
    return {
        row["code"]: SeriousnessCriterion(row["serious"]) if "serious" in row else None
        for row in rows
    }


@dataclass(frozen=True, slots=True)
class Reaction:
    """A reaction seen during observation."""

    code: str
    severity: ReactionSeverity
    onset_minutes: int


@dataclass(frozen=True, slots=True)
class Observed:
    """The reactions of an observation and the seriousness that follows from them."""

    reactions: tuple[Reaction, ...]
    serious: bool
    seriousness: tuple[SeriousnessCriterion, ...]


def observe(reactions: Sequence[Reaction], criteria: Sequence[SeriousnessCriterion]) -> Observed:
    """Check the codes; a reaction serious by nature adds its criterion to the staff's."""
    known = reaction_list()
    violations = [
        Violation(
            "unknown_reaction",
            f"body.reactions.{i}.code",
            "Not a code of the reaction list.",
        )
        for i, r in enumerate(reactions)
        if r.code not in known
    ]
    codes = [r.code for r in reactions]
    if len(set(codes)) < len(codes):
        violations.append(
            Violation("repeated_reaction", "body.reactions", "Each reaction is given once.")
        )
    if criteria and not reactions:
        violations.append(
            Violation(
                "seriousness_without_reaction",
                "body.seriousness",
                "Seriousness criteria need at least one reaction.",
            )
        )
    if violations:
        raise Refused(violations)
    implied = [c for r in reactions if (c := known[r.code]) is not None]
    seriousness = tuple(dict.fromkeys([*criteria, *implied]))
    return Observed(tuple(reactions), bool(seriousness), seriousness)
