"""The typed handler of each consumed event type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pymongo.errors import OperationFailure

from vaxflow_certificate.handlers.components import Components
from vaxflow_certificate.handlers.holders import remember_holder_of_citizen
from vaxflow_certificate.handlers.issuing import (
    issue_certificate_when_dose_administered,
    issue_certificates_when_doses_administered,
    reissue_certificate_when_dose_corrected,
    revoke_certificate_when_dose_voided,
)
from vaxflow_events import (
    CitizenRegistered,
    CitizenUpdated,
    DoseAdministered,
    DoseCorrected,
    DoseVoided,
)
from vaxflow_servicekit.batching import BatchHandler
from vaxflow_servicekit.consumer import Handler, TransientError

Reaction = Callable[[Any, Any, Components], Awaitable[None]]
BatchReaction = Callable[[Sequence[Any], Components], Awaitable[None]]

# Server errors that say "not now" rather than "never": interrupted, timed out, unreachable.
_TRANSIENT_CODES = frozenset({1, 6, 7, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435})
_UNAVAILABLE_WORDS = ("connect", "timeout", "timed out", "maxtimems", "unavailable")

DOSE_REACTIONS: dict[str, Reaction] = {
    DoseAdministered.event_type: issue_certificate_when_dose_administered,
    DoseCorrected.event_type: reissue_certificate_when_dose_corrected,
    DoseVoided.event_type: revoke_certificate_when_dose_voided,
}
# Runs of DoseAdministered are issued together; corrections and voids stay one at a time.
DOSE_BATCH_REACTIONS: dict[str, BatchReaction] = {
    DoseAdministered.event_type: issue_certificates_when_doses_administered,
}
HOLDER_REACTIONS: dict[str, Reaction] = {
    CitizenRegistered.event_type: remember_holder_of_citizen,
    CitizenUpdated.event_type: remember_holder_of_citizen,
}


def bound(reactions: dict[str, Reaction], c: Components) -> dict[str, Handler]:
    """The consumer's handlers: each reaction with the components bound."""

    def bind(reaction: Reaction) -> Handler:
        async def handle(event: Any, envelope: Any) -> None:
            with _unavailable_is_transient():
                await reaction(event, envelope, c)

        return handle

    return {event_type: bind(reaction) for event_type, reaction in reactions.items()}


def bound_batches(reactions: dict[str, BatchReaction], c: Components) -> dict[str, BatchHandler]:
    """The consumer's batch handlers: each batch reaction with the components bound."""

    def bind(reaction: BatchReaction) -> BatchHandler:
        async def handle(envelopes: Sequence[Any]) -> None:
            with _unavailable_is_transient():
                await reaction(envelopes, c)

        return handle

    return {event_type: bind(reaction) for event_type, reaction in reactions.items()}


@contextmanager
def _unavailable_is_transient() -> Iterator[None]:
    """A database that refuses for now makes the failure transient: the consumer retries."""
    try:
        yield
    except OperationFailure as exc:
        if is_unavailable(exc):
            raise TransientError(f"database unavailable: {exc.code}") from exc
        raise


def is_unavailable(exc: OperationFailure) -> bool:
    """True when the database refused for now (FerretDB reports a lost backend this way)."""
    text = str(exc).lower()
    return exc.code in _TRANSIENT_CODES or any(word in text for word in _UNAVAILABLE_WORDS)
