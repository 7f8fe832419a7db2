"""The citizen: what is checked before anyone is registered, and the events that follow.

`validate_person` turns what a person typed (in a form or a CSV row) into checked details, or
raises `InvalidPerson` naming every field that breaks a rule. The national ID number itself
leaves the domain only through `NationalId`, which the adapters protect (blind index and
ciphertext); a `Citizen` keeps only its type and last four characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal, TypeVar
from uuid import UUID

from vaxflow_events import (
    AdminArea,
    CitizenField,
    CitizenRegistered,
    CitizenUpdated,
    Holder,
    RegistrationChannel,
    Sex,
)
from vaxflow_registration.domain import areas, national_id, people
from vaxflow_registration.domain.errors import RuleViolation, Violation
from vaxflow_registration.domain.national_id import IdType
from vaxflow_registration.domain.people import PersonName
from vaxflow_registration.domain.priority_groups import priority_groups

T = TypeVar("T")
MAX_ADDRESS_LINE = 200


class Relationship(StrEnum):
    """Who the registered person is to the phone account that registered them."""

    SELF = "self"
    FAMILY_MEMBER = "family_member"


class InvalidPerson(ValueError):
    """The input breaks one or more rules; nothing may be stored."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(f"{len(violations)} invalid field(s)")
        self.violations = violations


@dataclass(frozen=True)
class NationalId:
    """A checked identity document number, in the clear: never logged, stored or published."""

    id_type: IdType
    number: str
    country: str | None

    def index_text(self) -> str:
        """The canonical text of the blind index: type, issuing country and number."""
        return f"{self.id_type.value}:{self.country or 'VNM'}:{self.number}"

    @property
    def last4(self) -> str:
        """The last four characters, the part that may be shown."""
        return national_id.last_four(self.number)


@dataclass(frozen=True)
class Residence:
    """Where the person lives, as current administrative unit codes."""

    province_code: str
    ward_code: str

    def area(self) -> AdminArea:
        """The codes as the events carry them (no district under the two-level structure)."""
        return AdminArea(
            province_code=self.province_code, district_code=None, ward_code=self.ward_code
        )


@dataclass(frozen=True)
class PersonInput:
    """What a person gave, typed but not yet checked against the rules."""

    id_type: IdType
    national_id: str
    passport_country: str | None
    full_name: str
    date_of_birth: date
    sex: Sex
    phone: str
    province_code: str
    ward_code: str
    address_line: str | None
    priority_group: int | None
    health_insurance_number: str | None


@dataclass(frozen=True)
class PersonDetails:
    """A person's checked details (everything but the national ID number)."""

    name: PersonName
    date_of_birth: date
    sex: Sex
    phone: str
    residence: Residence
    address_line: str | None
    priority_group: int | None
    health_insurance_number: str | None

    def holder(self) -> Holder:
        """The holder snapshot the citizen stream carries."""
        return Holder(
            family_name=self.name.family_name,
            given_name=self.name.given_name,
            family_name_icao=self.name.family_name_icao,
            given_name_icao=self.name.given_name_icao,
            date_of_birth=self.date_of_birth,
        )


class _Checker:
    """Runs each field check, keeping the value or the violation on that field."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def field(self, name: str, check: Callable[[], T]) -> T | None:
        try:
            return check()
        except RuleViolation as error:
            self.violations.append(Violation.of(name, error))
            return None


def validate_person(raw: PersonInput, today: date) -> tuple[NationalId, PersonDetails]:
    """Check every field and their consistency; raise InvalidPerson naming each broken rule."""
    c = _Checker()
    number = c.field(
        "national_id", lambda: national_id.normalise_number(raw.id_type, raw.national_id)
    )
    country = c.field(
        "passport_country", lambda: national_id.check_country(raw.id_type, raw.passport_country)
    )
    name = c.field("full_name", lambda: people.parse_name(raw.full_name))
    born = c.field("date_of_birth", lambda: people.check_birth_date(raw.date_of_birth, today))
    phone = c.field("phone", lambda: people.normalise_phone(raw.phone))
    residence = c.field("address", lambda: _residence(c, raw))
    line = c.field("address.line", lambda: _address_line(raw.address_line))
    group = c.field(
        "priority_group", lambda: _optional(raw.priority_group, priority_groups().check)
    )
    insurance = c.field(
        "health_insurance_number",
        lambda: _optional(raw.health_insurance_number, people.normalise_health_insurance),
    )
    if number is not None and born is not None and raw.id_type is IdType.CCCD:
        c.field("national_id", lambda: national_id.check_cccd_matches(number, born, raw.sex))
    if c.violations:
        raise InvalidPerson(c.violations)
    if number is None or name is None or born is None or phone is None or residence is None:
        raise AssertionError("a field without a violation has a value")
    details = PersonDetails(name, born, raw.sex, phone, residence, line, group, insurance)
    return NationalId(raw.id_type, number, country), details


def _residence(c: _Checker, raw: PersonInput) -> Residence | None:
    province = c.field("address.province_code", lambda: areas.check_province(raw.province_code))
    if province is None:
        return None
    ward = c.field("address.ward_code", lambda: areas.check_ward(province, raw.ward_code))
    return Residence(province, ward) if ward is not None else None


def _address_line(line: str | None) -> str | None:
    text = " ".join(line.split()) if line else ""
    if len(text) > MAX_ADDRESS_LINE:
        raise RuleViolation(
            "address_line_too_long", f"An address line has at most {MAX_ADDRESS_LINE} characters"
        )
    return text or None


def _optional(value: T | None, check: Callable[[T], T]) -> T | None:
    return None if value is None or value == "" else check(value)


@dataclass(frozen=True)
class Citizen:
    """A registered person: their checked details and how they came to be registered."""

    citizen_id: UUID
    account_id: str | None
    relationship: Relationship | None
    channel: RegistrationChannel
    import_id: UUID | None
    id_type: IdType
    id_last4: str
    id_country: str | None
    details: PersonDetails
    registered_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def masked_national_id(self) -> str:
        """The national ID as anyone but its owner sees it: its last four characters."""
        return national_id.masked(self.id_type, self.id_last4)


def registered_event(citizen: Citizen) -> CitizenRegistered:
    """The event announcing a new citizen on the citizen stream."""
    d = citizen.details
    return CitizenRegistered(
        citizen_id=citizen.citizen_id,
        holder=d.holder(),
        sex=d.sex,
        residence=d.residence.area(),
        priority_group=d.priority_group,
        channel=citizen.channel,
        import_id=citizen.import_id,
        account_id=citizen.account_id,
    )


ChangedBy = Literal["citizen", "staff"]


def updated_event(
    citizen: Citizen, changed: tuple[CitizenField, ...], by: ChangedBy
) -> CitizenUpdated:
    """The event carrying a citizen's state after a change of published attributes."""
    d = citizen.details
    return CitizenUpdated(
        citizen_id=citizen.citizen_id,
        holder=d.holder(),
        sex=d.sex,
        residence=d.residence.area(),
        priority_group=d.priority_group,
        changed_fields=changed,
        changed_by=by,
        account_id=citizen.account_id,
    )


def claimed_document(id_type: IdType, number: str, country: str | None) -> NationalId:
    """The identity document a claim names, checked; InvalidPerson naming each broken rule."""
    c = _Checker()
    checked = c.field("national_id", lambda: national_id.normalise_number(id_type, number))
    issuer = c.field("passport_country", lambda: national_id.check_country(id_type, country))
    if c.violations or checked is None:
        raise InvalidPerson(c.violations)
    return NationalId(id_type, checked, issuer)


def claimed_by(
    citizen: Citizen, account_id: str, relationship: Relationship, now: datetime
) -> Citizen:
    """The record of a bulk import, now held by the phone account that proved it knows it."""
    if citizen.account_id is not None:
        raise AssertionError("only a record nobody holds can be claimed")
    return replace(
        citizen,
        account_id=account_id,
        relationship=relationship,
        updated_at=now,
        version=citizen.version + 1,
    )


def claimed_event(citizen: Citizen) -> CitizenUpdated:
    """The event telling other services which account now acts for the citizen."""
    return updated_event(citizen, (), "citizen")


def person_input(details: PersonDetails, nid: NationalId) -> PersonInput:
    """The input that gives these details back: the base a partial change is applied to."""
    return PersonInput(
        id_type=nid.id_type,
        national_id=nid.number,
        passport_country=nid.country,
        full_name=details.name.full_name,
        date_of_birth=details.date_of_birth,
        sex=details.sex,
        phone=details.phone,
        province_code=details.residence.province_code,
        ward_code=details.residence.ward_code,
        address_line=details.address_line,
        priority_group=details.priority_group,
        health_insurance_number=details.health_insurance_number,
    )


CHANGEABLE = frozenset(
    f.name
    for f in fields(PersonInput)
    if f.name not in ("id_type", "national_id", "passport_country")
)


def changed_input(base: PersonInput, changes: Mapping[str, Any]) -> PersonInput:
    """The base input with the given fields replaced (only fields a person may change)."""
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValueError(f"not changeable: {sorted(unknown)}")
    return replace(base, **changes)


def differences(before: PersonDetails, after: PersonDetails) -> dict[str, tuple[Any, Any]]:
    """Each stored attribute that differs, with its value before and after."""
    old, new = flatten(before), flatten(after)
    return {key: (old[key], new[key]) for key in old if old[key] != new[key]}


def flatten(d: PersonDetails) -> dict[str, Any]:
    """The details as flat attributes, the way history records them."""
    return {
        "family_name": d.name.family_name,
        "given_name": d.name.given_name,
        "date_of_birth": d.date_of_birth.isoformat(),
        "sex": d.sex.value,
        "phone": d.phone,
        "province_code": d.residence.province_code,
        "ward_code": d.residence.ward_code,
        "address_line": d.address_line,
        "priority_group": d.priority_group,
        "health_insurance_number": d.health_insurance_number,
    }


_PUBLISHED: dict[str, CitizenField] = {
    "family_name": CitizenField.FAMILY_NAME,
    "given_name": CitizenField.GIVEN_NAME,
    "date_of_birth": CitizenField.DATE_OF_BIRTH,
    "sex": CitizenField.SEX,
    "province_code": CitizenField.RESIDENCE,
    "ward_code": CitizenField.RESIDENCE,
    "priority_group": CitizenField.PRIORITY_GROUP,
}


def published_changes(changed: Mapping[str, Any]) -> tuple[CitizenField, ...]:
    """Which attributes of the citizen stream a change touches (empty: no event)."""
    return tuple(dict.fromkeys(_PUBLISHED[key] for key in changed if key in _PUBLISHED))
