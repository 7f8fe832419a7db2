"""The dashboard's HTTP shapes (the contract the `/mcc/` page reads)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vaxflow_servicekit.models import StrictModel, Uuid, examples

AlertStatus = Literal["open", "acknowledged", "closed"]
RuleName = Literal["crowding", "stock_low", "lot_signal", "pipeline_lag", "dead_letters"]

_SITE_ID = "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"
_HOUR = {"hour": "2026-11-26T08:00:00+07:00", "doses": 120}
_AREA = {
    "province_code": "79",
    "district_code": "760",
    "district_name": "Quận 1",
    "doses_today": 100,
    "doses_total": 900,
    "waiting": 12,
    "sites": 3,
}
_COVERAGE = {
    "campaign_id": "hcmc-2026",
    "name": "Ho Chi Minh City COVID-19 campaign",
    "target": 930000,
    "doses": 56789,
    "ratio": 0.0611,
}
_APPOINTMENTS = {"booked_today": 4000, "capacity_today": 5000, "checked_in_today": 1500}
_SITE = {
    "site_id": _SITE_ID,
    "name": "Trạm y tế phường Bến Nghé (Quận 1)",
    "district_code": "760",
    "waiting": 12,
    "longest_wait_s": 840,
    "doses_today": 100,
    "days_of_supply": 3.5,
}
_SIGNAL = {
    "lot_id": "0b9f3c5e-2a41-5d8e-9c11-4f7a2b6d8e90",
    "lot_number": "FF2587",
    "rule": "serious_cases_in_window",
    "raised_at": "2026-11-26T02:10:00Z",
}
_AEFI = {"reported_today": 3, "serious_today": 1, "open_cases": 4, "open_signals": [_SIGNAL]}
_CERTIFICATES = {"issued_today": 1200, "lag_p50_s": 0.4, "lag_p95_s": 0.9, "lag_p99_s": 1.3}
_PIPELINE = {
    "consumer_lag": [{"group": "certificate.doses", "lag": 0}],
    "dead_letters": [{"topic": "certificate.doses.dlq", "count": 0}],
    "checked_at": "2026-11-26T02:15:00Z",
}
_ALERT = {
    "alert_id": "5d0c8f7a-1b2e-4c3d-8e9f-0a1b2c3d4e5f",
    "rule": "crowding",
    "subject": _SITE_ID,
    "subject_name": "Trạm y tế phường Bến Nghé (Quận 1)",
    "status": "open",
    "opened_at": "2026-11-26T02:14:00Z",
    "acknowledged_at": None,
    "acknowledged_by": None,
    "closed_at": None,
    "message": "23 people waiting (threshold 20)",
    "value": 23,
    "threshold": 20,
    "note": None,
}
_SUMMARY = {
    "as_of": "2026-11-26T02:15:02.123Z",
    "date": "2026-11-26",
    "doses": {"today": 1234, "total": 56789, "by_hour": [_HOUR], "by_area": [_AREA]},
    "coverage": [_COVERAGE],
    "appointments": _APPOINTMENTS,
    "sites": [_SITE],
    "aefi": _AEFI,
    "certificates": _CERTIFICATES,
    "pipeline": _PIPELINE,
    "alerts": [_ALERT],
}
_RULE = {
    "rule": "crowding",
    "description": "People waiting at a site at or above the threshold.",
    "threshold": 20,
    "unit": "people",
    "per_site": True,
    "site_overrides": [{"site_id": _SITE_ID, "threshold": 5}],
}


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True)


class HourRead(_Read):
    model_config = ConfigDict(
        **examples({"hour": "2026-11-26T08:00:00+07:00", "doses": 120}), frozen=True
    )

    hour: datetime = Field(description="Start of the local hour, with its UTC offset.")
    doses: int


class AreaRead(_Read):
    model_config = ConfigDict(
        **examples(
            {
                "province_code": "79",
                "district_code": "760",
                "district_name": "Quận 1",
                "doses_today": 100,
                "doses_total": 900,
                "waiting": 12,
                "sites": 3,
            }
        ),
        frozen=True,
    )

    province_code: str | None
    district_code: str | None
    district_name: str | None
    doses_today: int
    doses_total: int
    waiting: int
    sites: int


class DosesRead(_Read):
    model_config = ConfigDict(
        **examples({"today": 1234, "total": 56789, "by_hour": [_HOUR], "by_area": [_AREA]}),
        frozen=True,
    )

    today: int
    total: int
    by_hour: list[HourRead] = Field(description="Today's local hours so far, ascending.")
    by_area: list[AreaRead]


class CoverageRead(_Read):
    model_config = ConfigDict(**examples(_COVERAGE), frozen=True)

    campaign_id: str
    name: str
    target: int
    doses: int
    ratio: float


class AppointmentsRead(_Read):
    model_config = ConfigDict(**examples(_APPOINTMENTS), frozen=True)

    booked_today: int
    capacity_today: int
    checked_in_today: int


class SiteRead(_Read):
    model_config = ConfigDict(**examples(_SITE), frozen=True)

    site_id: str
    name: str
    district_code: str | None
    waiting: int
    longest_wait_s: int
    doses_today: int
    days_of_supply: float | None = Field(description="Null when the site gives no doses yet.")


class SignalRead(_Read):
    model_config = ConfigDict(**examples(_SIGNAL), frozen=True)

    lot_id: str
    lot_number: str
    rule: str
    raised_at: datetime


class AefiRead(_Read):
    model_config = ConfigDict(**examples(_AEFI), frozen=True)

    reported_today: int
    serious_today: int
    open_cases: int
    open_signals: list[SignalRead]


class CertificatesRead(_Read):
    model_config = ConfigDict(**examples(_CERTIFICATES), frozen=True)

    issued_today: int
    lag_p50_s: float | None
    lag_p95_s: float | None
    lag_p99_s: float | None


class GroupLagRead(_Read):
    model_config = ConfigDict(**examples({"group": "certificate.doses", "lag": 0}), frozen=True)

    group: str
    lag: int


class DeadLettersRead(_Read):
    model_config = ConfigDict(
        **examples({"topic": "certificate.doses.dlq", "count": 0}), frozen=True
    )

    topic: str
    count: int


class PipelineRead(_Read):
    model_config = ConfigDict(**examples(_PIPELINE), frozen=True)

    consumer_lag: list[GroupLagRead]
    dead_letters: list[DeadLettersRead]
    checked_at: datetime | None = Field(
        default=None, description="When Kafka was last asked (null: not yet)."
    )


class AlertRead(_Read):
    model_config = ConfigDict(**examples(_ALERT), frozen=True)

    alert_id: str
    rule: str
    subject: str = Field(description="The site id, lot id, consumer group or topic.")
    subject_name: str
    status: AlertStatus
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    closed_at: datetime | None = None
    message: str
    value: float
    threshold: float
    note: str | None = None


class SummaryRead(_Read):
    model_config = ConfigDict(**examples(_SUMMARY), frozen=True)

    as_of: datetime = Field(description="When this picture was computed (UTC).")
    date: dt.date = Field(description="The local campaign date that 'today' means.")
    doses: DosesRead
    coverage: list[CoverageRead]
    appointments: AppointmentsRead
    sites: list[SiteRead] = Field(description="Sorted by waiting, most first; at most 200.")
    aefi: AefiRead
    certificates: CertificatesRead
    pipeline: PipelineRead
    alerts: list[AlertRead] = Field(description="Open and acknowledged, newest first.")


class AlertPage(_Read):
    model_config = ConfigDict(**examples({"items": [_ALERT], "next_cursor": None}), frozen=True)

    items: list[AlertRead]
    next_cursor: str | None


class AcknowledgeCreate(StrictModel):
    model_config = ConfigDict(
        **examples({"note": "Second queue line opened."}), extra="forbid", strict=True
    )

    note: str | None = Field(default=None, max_length=1000)


class SiteOverrideRead(_Read):
    model_config = ConfigDict(**examples({"site_id": _SITE_ID, "threshold": 5}), frozen=True)

    site_id: str
    threshold: float


class RuleRead(_Read):
    model_config = ConfigDict(**examples(_RULE), frozen=True)

    rule: RuleName
    description: str
    threshold: float
    unit: str
    per_site: bool = Field(description="Whether a site may have its own threshold.")
    site_overrides: list[SiteOverrideRead]


class RulePage(_Read):
    model_config = ConfigDict(**examples({"items": [_RULE]}), frozen=True)

    items: list[RuleRead]


class RuleUpdate(StrictModel):
    model_config = ConfigDict(
        **examples(
            {"threshold": 30}, {"threshold": 5, "site_id": "3f1c2a8e-6b7d-4e59-9c0a-1d2e3f4a5b01"}
        ),
        extra="forbid",
        strict=True,
    )

    threshold: float = Field(ge=0, le=1e9)
    site_id: Uuid | None = Field(
        default=None, description="Set the threshold for this site only (crowding, stock_low)."
    )
