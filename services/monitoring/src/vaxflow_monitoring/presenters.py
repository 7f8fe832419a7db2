"""From stored documents to HTTP answers: cases, signals, lots, pages and problems."""

from __future__ import annotations

import base64
from typing import Any

from vaxflow_monitoring.domain.errors import Refused
from vaxflow_monitoring.handlers.lots import LotView
from vaxflow_monitoring.schemas import (
    AefiCaseRead,
    HistoryRead,
    LotRead,
    LotSignalRead,
    SuspensionRead,
)
from vaxflow_servicekit.mongo import Document
from vaxflow_servicekit.problems import FieldError, ProblemError


def problem_of(refused: Refused) -> ProblemError:
    """The problem+json answer of a refusal: its first rule as type, every rule in `errors`."""
    errors = [FieldError(field=v.field, rule=v.rule, message=v.message) for v in refused.violations]
    return ProblemError(
        refused.status,
        refused.violations[0].message,
        slug=refused.rule.replace("_", "-"),
        errors=errors,
    )


def aefi_read(case: Document) -> AefiCaseRead:
    """A case as reporters and staff see it."""
    return AefiCaseRead(
        aefi_id=case["_id"],
        citizen_id=case["citizen_id"],
        dose_id=case.get("dose_id"),
        lot_id=case["lot_id"],
        product_code=case["product_code"],
        lot_number=case["lot_number"],
        site_id=case.get("site_id"),
        source=case["source"],
        onset_at=case["onset_at"],
        symptom_codes=case["symptom_codes"],
        severity=case["severity"],
        outcome=case["outcome"],
        serious=case["serious"],
        seriousness=case["seriousness"],
        description=case.get("description"),
        status=case["status"],
        causality=case.get("causality"),
        reported_at=case["reported_at"],
        history=[
            HistoryRead(
                action=h["action"],
                status=h["status"],
                at=h["at"],
                role=h["role"],
                note=h.get("note"),
                causality=h.get("causality"),
            )
            for h in case.get("history", [])
        ],
    )


def signal_read(doc: Document) -> LotSignalRead:
    """A lot signal."""
    return LotSignalRead(signal_id=doc["_id"], **{k: v for k, v in doc.items() if k in _SIGNAL})


_SIGNAL = set(LotSignalRead.model_fields) - {"signal_id"}


def lot_read(view: LotView) -> LotRead:
    """A lot's state and figures."""
    lot = view.lot
    suspension: Any = lot.get("suspension") if lot["suspended"] else None
    return LotRead(
        lot_id=lot["_id"],
        product_code=lot["product_code"],
        lot_number=lot["lot_number"],
        status="suspended" if lot["suspended"] else "in_use",
        suspension=SuspensionRead(
            reason=suspension["reason"],
            note=suspension.get("note"),
            signal_id=suspension.get("signal_id"),
            at=suspension["at"],
        )
        if suspension
        else None,
        doses_administered=view.doses,
        serious_cases=view.serious_cases,
        signals=[signal_read(s) for s in view.signals],
    )


def encode_cursor(offset: int) -> str:
    """An opaque cursor for the next page."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for; a bad cursor is a 422 on `query.cursor`."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        offset = int(text.removeprefix("o:")) if text.startswith("o:") else -1
    except (ValueError, UnicodeDecodeError):
        offset = -1
    if offset < 0:
        raise Refused.one("invalid_cursor", "query.cursor", "Not a cursor of this collection.")
    return offset
