"""Events of the dose stream, produced by injection; keyed by citizen."""

from datetime import date, timedelta
from enum import StrEnum
from typing import Self
from uuid import UUID

from pydantic import Field, model_validator

from vaxflow_events.base import Event, UtcDatetime, ValueObject
from vaxflow_events.common import (
    AdminArea,
    Count,
    DoseKind,
    DoseNumber,
    Holder,
    LotNumber,
    ReactionCode,
    ReactionSeverity,
    SeriousnessCriterion,
    ValueSetCode,
    check_seriousness,
)

_CITIZEN = "VaxFlow id of the citizen; the message key."
_HOLDER = "The holder snapshot the certificate is built from; the warehouse drops it."


class ScreeningOutcome(StrEnum):
    """Outcome of pre-injection screening (Decision 3802/QĐ-BYT)."""

    ELIGIBLE = "eligible"
    CAUTION = "caution"
    POSTPONE = "postpone"
    CONTRAINDICATED = "contraindicated"
    REFER_TO_HOSPITAL = "refer_to_hospital"


class BodySite(StrEnum):
    """Where on the body the dose was injected."""

    LEFT_DELTOID = "left_deltoid"
    RIGHT_DELTOID = "right_deltoid"
    LEFT_THIGH = "left_thigh"
    RIGHT_THIGH = "right_thigh"


class VoidReason(StrEnum):
    """Why a dose record was voided."""

    RECORDED_IN_ERROR = "recorded_in_error"
    DUPLICATE_RECORD = "duplicate_record"
    WRONG_CITIZEN = "wrong_citizen"


class Vaccination(ValueObject):
    """What was given and when: the facts of a certificate's vaccination entry."""

    product_code: ValueSetCode = Field(description="Vaccine product (EU DCC `mp` value set).")
    manufacturer_code: ValueSetCode = Field(
        description="Marketing authorisation holder or manufacturer (EU DCC `ma` value set)."
    )
    vaccine_type_code: ValueSetCode = Field(
        description="Vaccine or prophylaxis type (EU DCC `vp` value set)."
    )
    target_disease_code: ValueSetCode = Field(
        description="Disease targeted (EU DCC `tg`; `840539006` is COVID-19)."
    )
    lot_id: UUID = Field(description="VaxFlow lot id: `lot_id_for(product_code, lot_number)`.")
    lot_number: LotNumber = Field(description="Manufacturer's lot number.")
    dose_number: DoseNumber = Field(
        description="Number of the dose in the citizen's series, from their history (DCC `dn`)."
    )
    series_doses: DoseNumber = Field(
        description="Doses in the product's primary series (DCC `sd`)."
    )
    dose_kind: DoseKind = Field(description="Primary series dose or booster.")
    administered_at: UtcDatetime = Field(
        description="When the dose was injected; before `occurred_at` for offline capture."
    )
    administered_on: date = Field(
        description="Calendar date of the injection at the site, in local time (DCC `dt`)."
    )

    @model_validator(mode="after")
    def _local_date_near_instant(self) -> Self:
        # Time zones are at most 14 hours from UTC, so the local date is within a day.
        if abs(self.administered_on - self.administered_at.date()) > timedelta(days=1):
            raise ValueError("administered_on is more than a day from administered_at")
        return self


class ObservedReaction(ValueObject):
    """A reaction seen during post-vaccination observation."""

    code: ReactionCode = Field(
        description="Code from VaxFlow's reaction list, e.g. `injection_site_pain`, `anaphylaxis`."
    )
    severity: ReactionSeverity = Field(description="Severity judged by the observing staff.")
    onset_minutes: Count = Field(description="Minutes after the dose the reaction began.")


class ScreeningRecorded(Event):
    """A citizen was screened before injection; the answers stay in injection."""

    screening_id: UUID = Field(description="Id of the screening.")
    citizen_id: UUID = Field(description=_CITIZEN)
    site_id: UUID = Field(description="Site where the screening took place.")
    appointment_id: UUID | None = Field(description="Appointment screened for, or null (walk-in).")
    product_code: ValueSetCode | None = Field(
        description="Product the citizen was screened for, or null when not yet chosen."
    )
    outcome: ScreeningOutcome = Field(description="Outcome confirmed by the screening doctor.")
    proposed_outcome: ScreeningOutcome = Field(
        description="Outcome the rules proposed; differs from `outcome` if the doctor overrode it."
    )
    postponed_until: date | None = Field(
        description="Earliest date to screen again when the outcome is postpone, else null."
    )
    contraindicated_products: tuple[ValueSetCode, ...] = Field(
        description="Products the citizen must not receive; empty unless contraindicated."
    )
    screened_by: UUID = Field(description="Staff account of the screening doctor.")


class DoseAdministered(Event):
    """A dose was injected and recorded; certificates, stock and read models follow from it."""

    dose_id: UUID = Field(description="Id of the dose record.")
    citizen_id: UUID = Field(description=_CITIZEN)
    site_id: UUID = Field(description="Site where the dose was injected.")
    appointment_id: UUID | None = Field(description="Appointment completed, or null (walk-in).")
    screening_id: UUID = Field(description="Screening that cleared the citizen for this dose.")
    holder: Holder = Field(description=_HOLDER)
    residence: AdminArea = Field(
        description="The citizen's administrative units of residence, codes only."
    )
    site_area: AdminArea = Field(description="Administrative units of the site.")
    vaccination: Vaccination = Field(description="What was given and when.")
    body_site: BodySite = Field(description="Where on the body the dose was injected.")
    administered_by: UUID = Field(description="Staff account of the vaccinator.")
    captured_offline: bool = Field(
        description="True when the record was captured offline and uploaded later."
    )


class DoseCorrected(Event):
    """A dose record was corrected; the original stays and this is the new fact."""

    correction_id: UUID = Field(description="Id of the correction.")
    dose_id: UUID = Field(description="Dose record corrected.")
    citizen_id: UUID = Field(description=_CITIZEN)
    site_id: UUID = Field(description="Site where the dose was injected.")
    holder: Holder = Field(description=_HOLDER + " The reissued certificate needs it.")
    previous: Vaccination = Field(description="The record before the correction.")
    current: Vaccination = Field(description="The record after the correction.")
    corrected_by: UUID = Field(description="Staff account that made the correction.")

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if self.previous == self.current:
            raise ValueError("a correction must change the record")
        return self


class DoseVoided(Event):
    """A dose record was voided as recorded in error; its effects are to be reversed."""

    dose_id: UUID = Field(description="Dose record voided.")
    citizen_id: UUID = Field(description=_CITIZEN)
    site_id: UUID = Field(description="Site where the dose was recorded.")
    reason: VoidReason = Field(description="Why the record was voided.")
    vaccination: Vaccination = Field(
        description="The voided record, so consumers can reverse its effects without a lookup."
    )
    voided_by: UUID = Field(description="Staff account that voided the record.")


class ObservationCompleted(Event):
    """Post-vaccination observation at the site ended; a serious one opens an AEFI case."""

    observation_id: UUID = Field(description="Id of the observation.")
    dose_id: UUID = Field(description="Dose the observation followed.")
    citizen_id: UUID = Field(description=_CITIZEN)
    site_id: UUID = Field(description="Site of the observation.")
    observed_minutes: Count = Field(description="Minutes the citizen was observed.")
    reactions: tuple[ObservedReaction, ...] = Field(
        description="Reactions seen; empty when there was none."
    )
    serious: bool = Field(
        description="True when a reaction is serious; monitoring then opens an AEFI case."
    )
    seriousness: tuple[SeriousnessCriterion, ...] = Field(
        description="Why the reactions are serious; empty when not serious."
    )
    observed_by: UUID = Field(description="Staff account that ended the observation.")

    @model_validator(mode="after")
    def _seriousness_matches(self) -> Self:
        check_seriousness(self.serious, self.seriousness)
        return self
