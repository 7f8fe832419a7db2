"""Signal detection: after each serious report or classification, the lot's figures are
checked against the rules; a crossing raises LotSignalRaised once per rule per lot episode.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from vaxflow_events import AefiClassified, AefiReported, Envelope, LotSignalRaised
from vaxflow_monitoring import metrics
from vaxflow_monitoring.domain.signals import LotPicture, crossings, signal_id
from vaxflow_monitoring.handlers.components import Components
from vaxflow_servicekit.mongo import Document


async def on_case(
    event: AefiReported | AefiClassified, envelope: Envelope[Any], c: Components
) -> None:
    """Check the lot of a serious case (a downgrade cannot raise a signal)."""
    if event.serious:
        await evaluate_lot(event.lot_id, c, envelope.correlation_id, str(envelope.event_id))


async def evaluate_lot(
    lot_id: UUID, c: Components, correlation_id: str | None = None, causation: str | None = None
) -> list[Document]:
    """Raise the signals the lot crosses now and has not raised in this episode."""
    lot = await c.lots.get(lot_id)
    if lot is None:
        return []
    picture = LotPicture(
        doses=await c.reads.doses_of_lot(lot_id),
        serious_onsets=await c.cases.serious_onsets(lot_id),
    )
    now = c.now()
    raised = []
    for crossing in crossings(c.rules, picture, now):
        sid = signal_id(lot_id, crossing.rule, lot["episode"])
        event = LotSignalRaised(
            signal_id=sid,
            lot_id=lot_id,
            product_code=lot["product_code"],
            lot_number=lot["lot_number"],
            rule=crossing.rule,
            window_start=crossing.window_start,
            window_end=crossing.window_end,
            serious_cases=crossing.serious_cases,
            doses_administered=crossing.doses,
            observed_value=crossing.observed,
            threshold=crossing.threshold,
        )
        document: Document = {
            "_id": str(sid),
            "lot_id": str(lot_id),
            "product_code": lot["product_code"],
            "lot_number": lot["lot_number"],
            "episode": lot["episode"],
            "rule": crossing.rule.value,
            "window_start": crossing.window_start,
            "window_end": crossing.window_end,
            "serious_cases": crossing.serious_cases,
            "doses_administered": crossing.doses,
            "observed_value": crossing.observed,
            "threshold": crossing.threshold,
            "raised_at": now,
        }
        entry = c.lot_event(event, correlation_id, now, causation)
        if await c.lots.add_signal(document, [entry], now):
            c.events_written()
            metrics.signal_raised(crossing.rule.value)
            raised.append(document)
    return raised
