"""HTTP schemas: request bodies (`...Create`) and responses (`...Read`); never the events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, Strict

from vaxflow_events import (
    AefiCausality,
    AefiOutcome,
    AefiSource,
    ReactionSeverity,
    ReleaseReason,
    SeriousnessCriterion,
    SignalRule,
    SuspensionReason,
)
from vaxflow_monitoring.domain.cases import CaseStatus
from vaxflow_servicekit.models import IsoDateTime, StrictModel, Uuid, examples

AEFI = "9d2b7c41-3e5a-4f60-8b1c-2a4d6e8f0b13"
CITIZEN = "0b6f8a7e-1c1d-4c55-9a55-2f0f3e1c5d10"
DOSE = "7c0e6a52-4a0b-5d1e-9f3c-2b8d4e6f1a07"
LOT = "6a2d8e1f-0b3c-5d4e-8f7a-9b0c1d2e3f40"
SITE = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
SIGNAL = "1e4c7b2a-9d3f-5a6b-8c0d-2e4f6a8b0c15"
STAFF = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
AT = "2025-11-24T09:30:00+07:00"

Note = Annotated[str, Field(min_length=3, max_length=1000)]
Severity = Annotated[ReactionSeverity, Strict(False)]
Outcome = Annotated[AefiOutcome, Strict(False)]
Criterion = Annotated[SeriousnessCriterion, Strict(False)]
Causality = Annotated[AefiCausality, Strict(False)]
Suspension = Annotated[SuspensionReason, Strict(False)]
Release = Annotated[ReleaseReason, Strict(False)]
SymptomCode = Annotated[str, Field(min_length=1, max_length=64)]


class AefiCreate(StrictModel):
    """An adverse event following immunization, about a dose (or a lot and a person)."""

    model_config = ConfigDict(
        **examples(
            {
                "dose_id": DOSE,
                "onset_at": AT,
                "symptom_codes": ["urticaria", "dyspnoea"],
                "severity": "severe",
                "outcome": "recovering",
                "seriousness": ["hospitalisation"],
                "description": "Hives and shortness of breath the evening after the dose.",
            }
        ),
        extra="forbid",
        strict=True,
    )

    dose_id: Uuid | None = Field(
        default=None, description="The dose the event followed (as injection recorded it)."
    )
    lot_id: Uuid | None = Field(
        default=None,
        description="The lot, when the dose is not known to VaxFlow; then `citizen_id` is needed.",
    )
    citizen_id: Uuid | None = Field(
        default=None, description="The vaccinated person; implied by `dose_id`."
    )
    onset_at: IsoDateTime = Field(
        description="When the first sign or symptom began: not before the dose, not in the future."
    )
    symptom_codes: list[SymptomCode] = Field(
        min_length=1,
        max_length=20,
        description="Signs and symptoms from the coded list (`GET /api/v1/aefi/symptoms`).",
    )
    severity: Severity = Field(description="Severity of the worst sign or symptom.")
    outcome: Outcome = Field(description="Outcome at the time of the report.")
    seriousness: list[Criterion] = Field(
        default_factory=list,
        max_length=6,
        description="Seriousness criteria met (WHO): empty when not serious.",
    )
    description: str | None = Field(
        default=None, max_length=4000, description="Free text: what happened, care given."
    )


class InvestigationCreate(StrictModel):
    """An operator opens the investigation of a case."""

    model_config = ConfigDict(
        **examples({"note": "Hospital records requested from Bệnh viện Nhi Đồng 1."}),
        extra="forbid",
        strict=True,
    )

    note: Note | None = None


class ClassificationCreate(StrictModel):
    """The WHO causality assessment of a case, and its seriousness as confirmed."""

    model_config = ConfigDict(
        **examples(
            {
                "causality": "a1_vaccine_product",
                "seriousness": ["hospitalisation"],
                "note": "Anaphylaxis within 15 minutes; Brighton level 1.",
            }
        ),
        extra="forbid",
        strict=True,
    )

    causality: Causality = Field(description="WHO causality category (2018).")
    seriousness: list[Criterion] | None = Field(
        default=None,
        max_length=6,
        description="Seriousness as confirmed by the investigation; omit to keep the report's.",
    )
    note: Note | None = None


class ClosureCreate(StrictModel):
    """An operator closes a classified case."""

    model_config = ConfigDict(
        **examples({"note": "Family informed; follow-up complete."}), extra="forbid", strict=True
    )

    note: Note | None = None


class HistoryRead(BaseModel):
    """One step of a case: which role did what, when (the account is kept in the audit)."""

    model_config = examples(
        {"action": "report", "status": "reported", "at": AT, "role": "vaccinator", "note": None}
    )

    action: str
    status: CaseStatus
    at: datetime
    role: str
    note: str | None = None
    causality: AefiCausality | None = None


class AefiCaseRead(BaseModel):
    """An AEFI case as the reporter and staff in scope see it."""

    model_config = examples(
        {
            "aefi_id": AEFI,
            "citizen_id": CITIZEN,
            "dose_id": DOSE,
            "lot_id": LOT,
            "product_code": "EU/1/20/1528",
            "lot_number": "FF2587",
            "site_id": SITE,
            "source": "citizen_report",
            "onset_at": AT,
            "symptom_codes": ["urticaria", "dyspnoea"],
            "severity": "severe",
            "outcome": "recovering",
            "serious": True,
            "seriousness": ["hospitalisation"],
            "description": "Hives and shortness of breath the evening after the dose.",
            "status": "reported",
            "causality": None,
            "reported_at": AT,
            "history": [],
        }
    )

    aefi_id: UUID
    citizen_id: UUID
    dose_id: UUID | None
    lot_id: UUID
    product_code: str
    lot_number: str
    site_id: UUID | None
    source: AefiSource
    onset_at: datetime
    symptom_codes: list[str]
    severity: ReactionSeverity
    outcome: AefiOutcome
    serious: bool
    seriousness: list[SeriousnessCriterion]
    description: str | None
    status: CaseStatus
    causality: AefiCausality | None
    reported_at: datetime
    history: list[HistoryRead]


class AefiCasePage(BaseModel):
    """A page of AEFI cases, newest report first."""

    model_config = examples({"items": [], "next_cursor": None})

    items: list[AefiCaseRead]
    next_cursor: str | None


class SymptomRead(BaseModel):
    """A sign or symptom of the coded list."""

    model_config = examples({"code": "anaphylaxis", "implies": "life_threatening"})

    code: str
    implies: SeriousnessCriterion | None


class SymptomList(BaseModel):
    """The coded list of signs and symptoms."""

    model_config = examples({"items": [{"code": "fever", "implies": None}]})

    items: list[SymptomRead]


class LotSignalRead(BaseModel):
    """A lot signal: the rule crossed and the figures at the time."""

    model_config = examples(
        {
            "signal_id": SIGNAL,
            "lot_id": LOT,
            "product_code": "EU/1/20/1528",
            "lot_number": "FF2587",
            "rule": "serious_cases_in_window",
            "window_start": "2025-11-17T09:30:00Z",
            "window_end": "2025-11-24T09:30:00Z",
            "serious_cases": 3,
            "doses_administered": 5200,
            "observed_value": 3.0,
            "threshold": 3.0,
            "raised_at": "2025-11-24T09:30:01Z",
        }
    )

    signal_id: UUID
    lot_id: UUID
    product_code: str
    lot_number: str
    rule: SignalRule
    window_start: datetime
    window_end: datetime
    serious_cases: int
    doses_administered: int
    observed_value: float
    threshold: float
    raised_at: datetime


class LotSignalPage(BaseModel):
    """A page of lot signals, newest first."""

    model_config = examples({"items": [], "next_cursor": None})

    items: list[LotSignalRead]
    next_cursor: str | None


class SuspensionCreate(StrictModel):
    """Why a lot is suspended."""

    model_config = ConfigDict(
        **examples(
            {
                "reason": "safety_signal",
                "note": "Three anaphylaxis cases in two days; pending investigation.",
                "signal_id": SIGNAL,
            }
        ),
        extra="forbid",
        strict=True,
    )

    reason: Suspension
    note: Note
    signal_id: Uuid | None = Field(default=None, description="The signal that led to it, if any.")


class ReleaseCreate(StrictModel):
    """Why a suspended lot is released."""

    model_config = ConfigDict(
        **examples({"reason": "investigation_cleared", "note": "Cases classified coincidental."}),
        extra="forbid",
        strict=True,
    )

    reason: Release
    note: Note


class SuspensionRead(BaseModel):
    """The suspension in force."""

    model_config = examples(
        {"reason": "safety_signal", "note": "Pending investigation.", "signal_id": None, "at": AT}
    )

    reason: SuspensionReason
    note: str | None
    signal_id: UUID | None
    at: datetime


class LotRead(BaseModel):
    """A lot's state: usable or suspended, doses given, serious cases, this episode's signals."""

    model_config = examples(
        {
            "lot_id": LOT,
            "product_code": "EU/1/20/1528",
            "lot_number": "FF2587",
            "status": "suspended",
            "suspension": {
                "reason": "safety_signal",
                "note": "Pending investigation.",
                "signal_id": None,
                "at": AT,
            },
            "doses_administered": 5200,
            "serious_cases": 3,
            "signals": [],
        }
    )

    lot_id: UUID
    product_code: str
    lot_number: str
    status: Literal["in_use", "suspended"]
    suspension: SuspensionRead | None
    doses_administered: int
    serious_cases: int
    signals: list[LotSignalRead]
