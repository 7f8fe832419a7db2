"""HTTP schemas: request bodies (`...Create`) and responses (`...Read`); never the events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, Strict

from vaxflow_events import (
    BodySite,
    DoseKind,
    ReactionSeverity,
    ScreeningOutcome,
    SeriousnessCriterion,
    VoidReason,
)
from vaxflow_injection.domain.screening import checklist
from vaxflow_servicekit.models import IsoDate, IsoDateTime, StrictModel, Uuid, examples
from vaxflow_servicekit.problems import FieldError

CITIZEN = "0b6f8a7e-1c1d-4c55-9a55-2f0f3e1c5d10"
SITE = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
DOSE = "7c0e6a52-4a0b-5d1e-9f3c-2b8d4e6f1a07"
ProductCode = Annotated[str, Field(min_length=1, max_length=64)]
LotNumberIn = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]
Reason = Annotated[str, Field(min_length=3, max_length=500)]
Outcome = Annotated[ScreeningOutcome, Strict(False)]
Site = Annotated[BodySite, Strict(False)]
Kind = Annotated[DoseKind, Strict(False)]
Severity = Annotated[ReactionSeverity, Strict(False)]
Criterion = Annotated[SeriousnessCriterion, Strict(False)]
Void = Annotated[VoidReason, Strict(False)]

_QUESTIONS = "; ".join(f"`{key}`: {text}" for key, text in checklist().questions.items())
_ANSWERS = {key: False for key in checklist().questions} | {"other_allergy_history": True}


class VitalsIn(StrictModel):
    """Vital signs measured at screening."""

    model_config = ConfigDict(
        **examples(
            {
                "temperature_c": 36.8,
                "pulse_per_min": 82,
                "systolic_mmhg": 125,
                "diastolic_mmhg": 80,
                "spo2_percent": 98,
            }
        ),
        extra="forbid",
        strict=True,
    )

    temperature_c: float = Field(ge=30, le=45)
    pulse_per_min: int = Field(ge=20, le=250)
    systolic_mmhg: int = Field(ge=40, le=300)
    diastolic_mmhg: int = Field(ge=20, le=200)
    spo2_percent: int | None = Field(default=None, ge=50, le=100)


class ScreeningAnswers(StrictModel):
    """The checklist answers and vital signs; the rules propose an outcome from them."""

    model_config = ConfigDict(
        **examples(
            {
                "citizen_id": CITIZEN,
                "product_code": "EU/1/20/1528",
                "answers": _ANSWERS,
                "vitals": {
                    "temperature_c": 36.8,
                    "pulse_per_min": 82,
                    "systolic_mmhg": 125,
                    "diastolic_mmhg": 80,
                    "spo2_percent": 98,
                },
            }
        ),
        extra="forbid",
        strict=True,
    )

    citizen_id: Uuid
    site_id: Uuid | None = Field(default=None, description="Default: the caller's site.")
    appointment_id: Uuid | None = Field(default=None, description="Null for a walk-in.")
    product_code: ProductCode | None = Field(
        default=None, description="Product screened for (EU DCC `mp`), if already chosen."
    )
    answers: dict[str, bool] = Field(
        description="Every question of the checklist (Decision 3802/QĐ-BYT), yes or no: "
        + _QUESTIONS
    )
    vitals: VitalsIn


class ScreeningCreate(ScreeningAnswers):
    """A screening: the answers, and the doctor's outcome (the proposal when left out)."""

    model_config = ConfigDict(
        **examples(
            {
                "citizen_id": CITIZEN,
                "product_code": "EU/1/20/1528",
                "answers": _ANSWERS,
                "vitals": {
                    "temperature_c": 37.9,
                    "pulse_per_min": 90,
                    "systolic_mmhg": 130,
                    "diastolic_mmhg": 85,
                },
                "outcome": "eligible",
                "override_reason": "Fever from the sun outside; 37.1 after 15 minutes in shade.",
            }
        ),
        extra="forbid",
        strict=True,
    )

    outcome: Outcome | None = Field(
        default=None,
        description="The doctor's outcome; differing from the proposal needs a reason.",
    )
    override_reason: Reason | None = None
    postponed_until: IsoDate | None = Field(
        default=None, description="For postpone: earliest date to screen again."
    )
    postpone_condition: Reason | None = Field(
        default=None, description="For postpone: the condition to wait for."
    )
    contraindicated_products: list[ProductCode] = Field(
        default_factory=list,
        max_length=20,
        description="For contraindicated: the products (default: the one screened for).",
    )


class ProposalRead(BaseModel):
    """The outcome the rules propose, with the rules that held."""

    model_config = examples(
        {
            "proposed_outcome": "postpone",
            "reasons": ["fever"],
            "postponed_until": "2021-08-12",
            "postpone_condition": None,
        }
    )

    proposed_outcome: ScreeningOutcome
    reasons: list[str]
    postponed_until: date | None
    postpone_condition: str | None


class ScreeningRead(BaseModel):
    """A recorded screening."""

    model_config = examples(
        {
            "screening_id": DOSE,
            "citizen_id": CITIZEN,
            "site_id": SITE,
            "product_code": "EU/1/20/1528",
            "proposed_outcome": "caution",
            "outcome": "caution",
            "overridden": False,
            "override_reason": None,
            "reasons": ["other_allergy_history"],
            "postponed_until": None,
            "postpone_condition": None,
            "contraindicated_products": [],
            "screened_at": "2021-08-11T02:15:00Z",
        }
    )

    screening_id: UUID
    citizen_id: UUID
    site_id: UUID
    product_code: str | None
    proposed_outcome: ScreeningOutcome
    outcome: ScreeningOutcome
    overridden: bool
    override_reason: str | None
    reasons: list[str]
    postponed_until: date | None
    postpone_condition: str | None
    contraindicated_products: list[str]
    screened_at: datetime


class DoseCreate(StrictModel):
    """A dose given now at the caller's site."""

    model_config = ConfigDict(
        **examples(
            {
                "citizen_id": CITIZEN,
                "product_code": "EU/1/20/1528",
                "lot_number": "FF2587",
                "body_site": "left_deltoid",
                "administered_at": "2021-08-11T09:31:00+07:00",
            }
        ),
        extra="forbid",
        strict=True,
    )

    citizen_id: Uuid
    site_id: Uuid | None = Field(default=None, description="Default: the caller's site.")
    product_code: ProductCode = Field(description="Vaccine product (EU DCC `mp`).")
    lot_number: LotNumberIn = Field(description="Lot number on the vial.")
    body_site: Site
    administered_at: IsoDateTime | None = Field(
        default=None, description="When the dose was injected; default: now."
    )


class OfflineDose(DoseCreate):
    """A dose captured on a device without connection."""

    model_config = ConfigDict(
        **examples(
            {
                "client_id": "dev7-000153",
                "captured_at": "2021-08-11T09:31:00+07:00",
                "citizen_id": CITIZEN,
                "product_code": "EU/1/20/1528",
                "lot_number": "FF2587",
                "body_site": "left_deltoid",
            }
        ),
        extra="forbid",
        strict=True,
    )

    client_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="Id the device gave the record; an id uploaded twice is recorded once.",
    )
    captured_at: IsoDateTime = Field(
        description="When the device captured the record (and, by default, the dose time)."
    )


class BatchCreate(StrictModel):
    """Records captured offline, uploaded together; recorded in capture-time order."""

    model_config = ConfigDict(
        **examples(
            {
                "records": [
                    {
                        "client_id": "dev7-000153",
                        "captured_at": "2021-08-11T09:31:00+07:00",
                        "citizen_id": CITIZEN,
                        "product_code": "EU/1/20/1528",
                        "lot_number": "FF2587",
                        "body_site": "left_deltoid",
                    }
                ]
            }
        ),
        extra="forbid",
        strict=True,
    )

    records: list[OfflineDose] = Field(min_length=1, max_length=5000)


class DoseChangeRead(BaseModel):
    """A correction or void of the record: who, when, why."""

    model_config = examples(
        {
            "kind": "correction",
            "at": "2021-08-12T03:00:00Z",
            "role": "site_manager",
            "reason": "Lot number typed from the wrong vial tray.",
        }
    )

    kind: Literal["correction", "void"]
    at: datetime
    role: str
    reason: str


class DoseRead(BaseModel):
    """A dose record as it stands after corrections."""

    model_config = examples(
        {
            "dose_id": DOSE,
            "citizen_id": CITIZEN,
            "site_id": SITE,
            "status": "active",
            "product_code": "EU/1/20/1528",
            "manufacturer_code": "ORG-100030215",
            "lot_number": "FF2587",
            "expiry_date": "2021-11-30",
            "dose_number": 1,
            "series_doses": 2,
            "dose_kind": "primary",
            "administered_at": "2021-08-11T02:31:00Z",
            "administered_on": "2021-08-11",
            "body_site": "left_deltoid",
            "captured_offline": False,
            "client_id": None,
            "appointment_id": None,
            "screening_id": DOSE,
            "recorded_at": "2021-08-11T02:31:00Z",
            "changes": [],
        }
    )

    dose_id: UUID
    citizen_id: UUID
    site_id: UUID
    status: Literal["active", "voided"]
    product_code: str
    manufacturer_code: str
    lot_number: str
    expiry_date: date
    dose_number: int
    series_doses: int
    dose_kind: DoseKind
    administered_at: datetime
    administered_on: date
    body_site: BodySite
    captured_offline: bool
    client_id: str | None
    appointment_id: UUID | None
    screening_id: UUID
    recorded_at: datetime
    changes: list[DoseChangeRead]


class DosePage(BaseModel):
    """A page of a citizen's dose records, oldest first."""

    model_config = examples({"citizen_id": CITIZEN, "items": [], "next_cursor": None})

    citizen_id: UUID
    items: list[DoseRead]
    next_cursor: str | None


class RecordProblem(BaseModel):
    """Why one uploaded record was refused (the problem details of the online refusal)."""

    model_config = examples(
        {
            "type": "https://vaxflow.example/problems/lot-expired",
            "status": 422,
            "detail": "The lot expired on 2021-11-30.",
            "errors": [
                {
                    "field": "body.lot_number",
                    "rule": "lot_expired",
                    "message": "The lot expired on 2021-11-30.",
                }
            ],
        }
    )

    type: str
    status: int
    detail: str
    errors: list[FieldError]


class BatchItemRead(BaseModel):
    """What became of one uploaded record."""

    model_config = examples(
        {"client_id": "dev7-000153", "status": "recorded", "dose_id": DOSE, "problem": None}
    )

    client_id: str
    status: Literal["recorded", "already_recorded", "refused"]
    dose_id: UUID | None
    problem: RecordProblem | None


class BatchRead(BaseModel):
    """Per-record results, in the order of the upload, and the counts."""

    model_config = examples(
        {
            "recorded": 1,
            "already_recorded": 0,
            "refused": 0,
            "results": [
                {"client_id": "dev7-000153", "status": "recorded", "dose_id": DOSE, "problem": None}
            ],
        }
    )

    recorded: int
    already_recorded: int
    refused: int
    results: list[BatchItemRead]


class ReactionIn(StrictModel):
    """A reaction seen during observation."""

    model_config = ConfigDict(
        **examples({"code": "anaphylaxis", "severity": "severe", "onset_minutes": 8}),
        extra="forbid",
        strict=True,
    )

    code: str = Field(min_length=1, max_length=64, description="Code of the reaction list.")
    severity: Severity
    onset_minutes: int = Field(ge=0, le=240)


class ObservationCreate(StrictModel):
    """The end of the observation after a dose."""

    model_config = ConfigDict(
        **examples(
            {
                "dose_id": DOSE,
                "observed_minutes": 30,
                "reactions": [{"code": "anaphylaxis", "severity": "severe", "onset_minutes": 8}],
                "seriousness": ["life_threatening"],
            }
        ),
        extra="forbid",
        strict=True,
    )

    dose_id: Uuid
    observed_minutes: int = Field(default=30, ge=0, le=240)
    reactions: list[ReactionIn] = Field(default_factory=list, max_length=20)
    seriousness: list[Criterion] = Field(
        default_factory=list,
        max_length=6,
        description="Why the reactions are serious (WHO AEFI criteria); reactions serious by "
        "nature (anaphylaxis, seizure) add `life_threatening` themselves.",
    )


class ObservationRead(BaseModel):
    """A recorded observation."""

    model_config = examples(
        {
            "observation_id": DOSE,
            "dose_id": DOSE,
            "citizen_id": CITIZEN,
            "serious": True,
            "seriousness": ["life_threatening"],
            "reactions": [{"code": "anaphylaxis", "severity": "severe", "onset_minutes": 8}],
        }
    )

    observation_id: UUID
    dose_id: UUID
    citizen_id: UUID
    serious: bool
    seriousness: list[SeriousnessCriterion]
    reactions: list[dict[str, Any]]


class CorrectionCreate(StrictModel):
    """What to correct in a record, and why; fields left out stay as they are."""

    model_config = ConfigDict(
        **examples({"lot_number": "FF2588", "reason": "Lot number typed from the wrong tray."}),
        extra="forbid",
        strict=True,
    )

    reason: Reason
    product_code: ProductCode | None = None
    lot_number: LotNumberIn | None = None
    administered_at: IsoDateTime | None = None
    dose_number: int | None = Field(default=None, ge=1, le=20)
    dose_kind: Kind | None = None


class VoidCreate(StrictModel):
    """Why a record is voided."""

    model_config = ConfigDict(
        **examples({"reason": "duplicate_record", "note": "Recorded twice at the desk."}),
        extra="forbid",
        strict=True,
    )

    reason: Void
    note: Reason
