"""Reactions to the citizen stream: which phone account holds which citizen."""

from __future__ import annotations

from typing import Any

from vaxflow_certificate.handlers.components import Components
from vaxflow_events import CitizenRegistered, CitizenUpdated, Envelope


async def remember_holder_of_citizen(
    event: CitizenRegistered | CitizenUpdated, envelope: Envelope[Any], c: Components
) -> None:
    """The account named by the event holds the citizen from now on (a plain overwrite)."""
    await c.holders.hold(event.citizen_id, event.account_id)
