"""Events of the AEFI stream, produced by monitoring; keyed by citizen.

Monitoring is the only producer of AefiReported, whatever the source of the report: a serious
reaction seen at the site arrives as ObservationCompleted on injection.dose.v1 and monitoring
opens the case from it, so one stream holds every case exactly once.
"""

from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, model_validator

from vaxflow_events.base import Event, UtcDatetime
from vaxflow_events.common import (
    ReactionCode,
    ReactionSeverity,
    SeriousnessCriterion,
    ValueSetCode,
    check_seriousness,
)

_CITIZEN = "VaxFlow id of the vaccinated person; the message key."
_SERIOUS = "True when the event meets a seriousness criterion."
_SERIOUSNESS = "Seriousness criteria met; empty when not serious."
SymptomCodes = Annotated[tuple[ReactionCode, ...], Field(min_length=1)]


class AefiSource(StrEnum):
    """Where the report came from."""

    SITE_OBSERVATION = "site_observation"
    CITIZEN_REPORT = "citizen_report"
    STAFF_REPORT = "staff_report"


class AefiOutcome(StrEnum):
    """Outcome of the adverse event at the time of the report (WHO AEFI reporting form)."""

    RECOVERED = "recovered"
    RECOVERING = "recovering"
    NOT_RECOVERED = "not_recovered"
    RECOVERED_WITH_SEQUELAE = "recovered_with_sequelae"
    DIED = "died"
    UNKNOWN = "unknown"


class AefiCausality(StrEnum):
    """WHO causality assessment category (2018 revision)."""

    A1_VACCINE_PRODUCT = "a1_vaccine_product"
    A2_VACCINE_QUALITY_DEFECT = "a2_vaccine_quality_defect"
    A3_IMMUNIZATION_ERROR = "a3_immunization_error"
    A4_IMMUNIZATION_ANXIETY = "a4_immunization_anxiety"
    B1_INDETERMINATE_TEMPORAL = "b1_indeterminate_temporal"
    B2_INDETERMINATE_CONFLICTING = "b2_indeterminate_conflicting"
    C_COINCIDENTAL = "c_coincidental"
    D_UNCLASSIFIABLE = "d_unclassifiable"


class AefiReported(Event):
    """An adverse event following immunization was reported and a case opened."""

    aefi_id: UUID = Field(description="Id of the AEFI case.")
    citizen_id: UUID = Field(description=_CITIZEN)
    dose_id: UUID | None = Field(
        description="Dose the event followed, or null when only the lot is known."
    )
    lot_id: UUID = Field(description="VaxFlow lot id of the vaccine given.")
    product_code: ValueSetCode = Field(description="Vaccine product (EU DCC `mp` value set).")
    source: AefiSource = Field(description="Where the report came from.")
    observation_id: UUID | None = Field(
        description="Site observation the case was opened from, or null for other sources."
    )
    onset_at: UtcDatetime = Field(description="When the first sign or symptom began.")
    symptom_codes: SymptomCodes = Field(
        description="Signs and symptoms, codes from VaxFlow's reaction list."
    )
    severity: ReactionSeverity = Field(description="Severity of the worst sign or symptom.")
    outcome: AefiOutcome = Field(description="Outcome at the time of the report.")
    serious: bool = Field(description=_SERIOUS)
    seriousness: tuple[SeriousnessCriterion, ...] = Field(description=_SERIOUSNESS)

    @model_validator(mode="after")
    def _seriousness_matches(self) -> Self:
        check_seriousness(self.serious, self.seriousness)
        return self


class AefiClassified(Event):
    """An MCC operator classified the causality of an AEFI case."""

    aefi_id: UUID = Field(description="Id of the AEFI case.")
    citizen_id: UUID = Field(description=_CITIZEN)
    lot_id: UUID = Field(description="VaxFlow lot id of the vaccine given.")
    causality: AefiCausality = Field(description="WHO causality category.")
    serious: bool = Field(description=_SERIOUS + " May revise the report.")
    seriousness: tuple[SeriousnessCriterion, ...] = Field(description=_SERIOUSNESS)
    classified_by: UUID = Field(description="Staff account of the MCC operator.")

    @model_validator(mode="after")
    def _seriousness_matches(self) -> Self:
        check_seriousness(self.serious, self.seriousness)
        return self
