"""The problems registration answers with, in one place so that every route says the same."""

from __future__ import annotations

from collections.abc import Sequence

from vaxflow_registration.domain.errors import Violation
from vaxflow_registration.store import PlaceRefused
from vaxflow_servicekit.problems import FieldError, ProblemError, validation_problem


def invalid_fields(violations: Sequence[Violation], *, location: str = "body") -> ProblemError:
    """422 naming each field that breaks a rule."""
    errors = [
        FieldError(field=f"{location}.{v.field}", rule=v.rule, message=v.message)
        for v in violations
    ]
    return validation_problem(errors)


def already_registered(recovery_url: str) -> ProblemError:
    """409 for a national ID already registered: how to recover access, never whose it is."""
    return ProblemError(
        409,
        "This national ID is already registered. If it is yours, sign in with the phone number "
        "it was registered with; if you no longer have that phone, recover access with your ID "
        "card as described at recovery_url.",
        title="National ID already registered",
        slug="national-id-registered",
        extensions={"recovery_url": recovery_url},
    )


def place_refused(reason: PlaceRefused, max_people: int) -> ProblemError:
    """409 when the phone account cannot take one more person."""
    if reason is PlaceRefused.SELF_TAKEN:
        return ProblemError(
            409,
            "This phone account already registered its holder; register others as family members.",
            title="Account holder already registered",
            slug="account-holder-registered",
        )
    return ProblemError(
        409,
        f"A phone account may register at most {max_people} people.",
        title="Phone account is full",
        slug="account-full",
        extensions={"max_people": max_people},
    )


def citizen_not_found() -> ProblemError:
    """404 that says nothing about whether the citizen exists."""
    return ProblemError(404, "No such citizen for you.", slug="citizen-not-found")


def changed_concurrently() -> ProblemError:
    """409 when another change won the race; the caller can read and try again."""
    return ProblemError(
        409,
        "The record was changed at the same time; read it again and repeat the change.",
        title="Changed concurrently",
        slug="changed-concurrently",
    )


def no_record_to_claim() -> ProblemError:
    """404 for a claim that names no unclaimed record: the same whatever the reason."""
    return ProblemError(
        404,
        "No record registered by an organisation or ward matches this document and date of "
        "birth, or it is already held by a phone account.",
        title="No record to claim",
        slug="no-record-to-claim",
    )


def too_many_claims(retry_after_s: int) -> ProblemError:
    """429 once a phone account got too many claims wrong today."""
    return ProblemError(
        429,
        "Too many claims that matched no record today; try again tomorrow.",
        title="Too many claims",
        slug="too-many-claims",
        headers={"Retry-After": str(retry_after_s)},
    )
