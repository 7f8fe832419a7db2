"""Value objects and codes shared by several streams."""

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from vaxflow_events.base import ValueObject

ProvinceCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]
DistrictCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
WardCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=80)]
IcaoName = Annotated[str, StringConstraints(pattern=r"^[A-Z<]+$", max_length=80)]
# Value-set codes (EU DCC product, manufacturer, prophylaxis, disease) are open lists that
# grow with new vaccines, so they are strings, not enums.
ValueSetCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]
LotNumber = Annotated[str, StringConstraints(min_length=1, max_length=40)]
SiteLabel = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ReactionCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Count = Annotated[int, Field(ge=0)]
DoseNumber = Annotated[int, Field(ge=1)]


class DoseKind(StrEnum):
    """Whether a dose belongs to the primary series of its product or is a booster."""

    PRIMARY = "primary"
    BOOSTER = "booster"


class ReactionSeverity(StrEnum):
    """How severe a reaction is, as the observing staff or the reporter judged it."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class SeriousnessCriterion(StrEnum):
    """Why an adverse event counts as serious (WHO AEFI reporting form, plus clusters)."""

    DEATH = "death"
    LIFE_THREATENING = "life_threatening"
    HOSPITALISATION = "hospitalisation"
    DISABILITY = "disability"
    CONGENITAL_ANOMALY = "congenital_anomaly"
    CLUSTER = "cluster"


class Holder(ValueObject):
    """The person as a certificate names them: names, ICAO 9303 transliterations, birth date."""

    family_name: PersonName = Field(
        description="Family name as registered, Unicode with diacritics (DCC `fn`)."
    )
    given_name: PersonName | None = Field(
        description="Middle and given names as registered, or null when there are none (DCC `gn`)."
    )
    family_name_icao: IcaoName = Field(
        description="ICAO 9303 transliteration of the family name: A-Z and `<` only (DCC `fnt`)."
    )
    given_name_icao: IcaoName | None = Field(
        description="ICAO 9303 transliteration of the given names, or null (DCC `gnt`)."
    )
    date_of_birth: date = Field(description="Date of birth (DCC `dob`).")

    @model_validator(mode="after")
    def _given_name_and_transliteration_together(self) -> Self:
        if (self.given_name is None) != (self.given_name_icao is None):
            raise ValueError("given_name and given_name_icao must both be set or both be null")
        return self


class AdminArea(ValueObject):
    """Administrative unit codes from the official lists: codes only, never an address line."""

    province_code: ProvinceCode = Field(description="Province code, 2 digits (e.g. `79`).")
    district_code: DistrictCode | None = Field(
        description=(
            "District code, 3 digits, under the three-level units in force before July 2025; "
            "null under the current two-level structure."
        )
    )
    ward_code: WardCode = Field(description="Ward or commune code, 5 digits (e.g. `26734`).")


def check_seriousness(serious: bool, criteria: Sequence[SeriousnessCriterion]) -> None:
    """Refuse a `serious` flag that disagrees with its criteria."""
    if serious != bool(criteria):
        raise ValueError("serious must be true exactly when seriousness criteria are given")
