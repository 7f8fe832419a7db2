"""The site board's response: ids, outcomes, lots and times; no names or other personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from vaxflow_events import ScreeningOutcome
from vaxflow_servicekit.models import IsoDate, examples

_CITIZEN = "0b6f8a7e-1c1d-4c55-9a55-2f0f3e1c5d10"
_DOSE = "7c0e6a52-4a0b-5d1e-9f3c-2b8d4e6f1a07"
_SITE = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"


class BoardScreened(BaseModel):
    """Someone screened today who has had no dose here today (their latest screening)."""

    model_config = examples(
        {
            "citizen_id": _CITIZEN,
            "queue_number": 17,
            "screening_id": _DOSE,
            "appointment_id": None,
            "product_code": "EU/1/20/1528",
            "outcome": "eligible",
            "proposed_outcome": "eligible",
            "cleared": True,
            "screened_at": "2026-11-27T02:10:00Z",
        }
    )

    citizen_id: UUID
    queue_number: int | None = Field(description="Given at check-in today (null if unknown).")
    screening_id: UUID
    appointment_id: UUID | None
    product_code: str | None
    outcome: ScreeningOutcome = Field(description="The doctor's outcome.")
    proposed_outcome: ScreeningOutcome
    cleared: bool = Field(
        description="True when the outcome allows the dose here (eligible, caution)."
    )
    screened_at: datetime


class BoardDose(BaseModel):
    """A dose given here today."""

    model_config = examples(
        {
            "dose_id": _DOSE,
            "citizen_id": _CITIZEN,
            "queue_number": 17,
            "product_code": "EU/1/20/1528",
            "lot_number": "FF2587",
            "dose_number": 1,
            "administered_at": "2026-11-27T02:14:00Z",
            "observation": "open",
        }
    )

    dose_id: UUID
    citizen_id: UUID
    queue_number: int | None = Field(description="Given at check-in today (null if unknown).")
    product_code: str
    lot_number: str
    dose_number: int
    administered_at: datetime
    observation: Literal["open", "closed"]


class BoardOpenObservation(BaseModel):
    """Someone in the observation after the dose: the console counts down to `due_at`."""

    model_config = examples(
        {
            "dose_id": _DOSE,
            "citizen_id": _CITIZEN,
            "queue_number": 17,
            "started_at": "2026-11-27T02:14:00Z",
            "due_at": "2026-11-27T02:44:00Z",
        }
    )

    dose_id: UUID
    citizen_id: UUID
    queue_number: int | None = Field(description="Given at check-in today (null if unknown).")
    started_at: datetime = Field(description="When the dose was given.")
    due_at: datetime = Field(description="`started_at` plus the observation minutes.")


class BoardClosedObservation(BaseModel):
    """An observation closed here today."""

    model_config = examples(
        {
            "dose_id": _DOSE,
            "citizen_id": _CITIZEN,
            "queue_number": 17,
            "closed_at": "2026-11-27T02:45:00Z",
            "observed_minutes": 30,
            "reactions": ["fever"],
            "serious": False,
        }
    )

    dose_id: UUID
    citizen_id: UUID
    queue_number: int | None = Field(description="Given at check-in today (null if unknown).")
    closed_at: datetime
    observed_minutes: int | None
    reactions: list[str] = Field(description="Codes of the reactions seen (none: no reaction).")
    serious: bool


class SiteBoardRead(BaseModel):
    """The site's day for its board. Each list holds at most `limit` entries (screened oldest
    first, doses and observations newest first); each `*_total` is the full count of the day."""

    model_config = examples(
        {
            "site_id": _SITE,
            "date": "2026-11-27",
            "observation_minutes": 30,
            "limit": 100,
            "screened": [
                {
                    "citizen_id": _CITIZEN,
                    "queue_number": 17,
                    "screening_id": _DOSE,
                    "appointment_id": None,
                    "product_code": "EU/1/20/1528",
                    "outcome": "eligible",
                    "proposed_outcome": "eligible",
                    "cleared": True,
                    "screened_at": "2026-11-27T02:10:00Z",
                }
            ],
            "screened_total": 1,
            "doses": [],
            "doses_total": 0,
            "observations_open": [],
            "observations_open_total": 0,
            "observations_closed": [],
            "observations_closed_total": 0,
        }
    )

    site_id: UUID
    date: IsoDate = Field(description="Today where the site is.")
    observation_minutes: int
    limit: int
    screened: list[BoardScreened]
    screened_total: int
    doses: list[BoardDose]
    doses_total: int
    observations_open: list[BoardOpenObservation]
    observations_open_total: int
    observations_closed: list[BoardClosedObservation]
    observations_closed_total: int
