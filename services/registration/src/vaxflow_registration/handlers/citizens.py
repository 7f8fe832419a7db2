"""Registering a citizen, reading one's own records, changing them, and staff lookups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from vaxflow_events import RegistrationChannel
from vaxflow_registration.domain.audit import AuditEntry, Reader, districts_of
from vaxflow_registration.domain.citizen import (
    Citizen,
    InvalidPerson,
    NationalId,
    PersonDetails,
    PersonInput,
    Relationship,
    changed_input,
    claimed_by,
    claimed_document,
    claimed_event,
    differences,
    person_input,
    published_changes,
    registered_event,
    updated_event,
    validate_person,
)
from vaxflow_registration.domain.errors import Violation
from vaxflow_registration.domain.national_id import IdType
from vaxflow_registration.handlers import problems
from vaxflow_registration.handlers.components import PRODUCER, Components
from vaxflow_registration.metrics import CITIZENS_REGISTERED
from vaxflow_registration.store.accounts import Place
from vaxflow_registration.store.citizens import ProtectedId, StoredCitizen
from vaxflow_registration.store.reads import CurrentAppointment
from vaxflow_servicekit.auth import NATIONAL_ROLES, Principal
from vaxflow_servicekit.mongo import Document

_CHANGE_ATTEMPTS = 3


@dataclass(frozen=True)
class RegisterCitizen:
    """A phone account registers its holder or a family member."""

    account_id: str
    relationship: Relationship
    person: PersonInput
    consent: bool
    correlation_id: str | None = None


@dataclass(frozen=True)
class OwnCitizen:
    """A citizen as their phone account sees them: the national ID in the clear."""

    citizen: Citizen
    national_id: str


def check_person(person: PersonInput, c: Components) -> tuple[NationalId, PersonDetails]:
    """The checked person, or 422 naming every field that breaks a rule."""
    try:
        return validate_person(person, c.today())
    except InvalidPerson as invalid:
        raise problems.invalid_fields(invalid.violations) from None


def protect(nid: NationalId, citizen_id: UUID, c: Components) -> ProtectedId:
    """The stored form of a national ID: blind index and ciphertext bound to the citizen."""
    return ProtectedId(c.protector.blind_index(nid), c.protector.seal(nid.number, citizen_id))


async def register_citizen(cmd: RegisterCitizen, c: Components) -> OwnCitizen:
    """Register one person on a phone account; the citizen and CitizenRegistered are one write."""
    if not cmd.consent:
        raise problems.invalid_fields(
            [Violation("consent", "consent_required", "Consent must be true")]
        )
    nid, details = check_person(cmd.person, c)
    now = c.now()
    citizen = Citizen(
        citizen_id=uuid4(),
        account_id=cmd.account_id,
        relationship=cmd.relationship,
        channel=_CHANNELS[cmd.relationship],
        import_id=None,
        id_type=nid.id_type,
        id_last4=nid.last4,
        id_country=nid.country,
        details=details,
        registered_at=now,
        updated_at=now,
    )
    await _register_in_place(citizen, nid, cmd.correlation_id, c)
    return OwnCitizen(citizen, nid.number)


_CHANNELS = {
    Relationship.SELF: RegistrationChannel.SELF_SERVICE,
    Relationship.FAMILY_MEMBER: RegistrationChannel.FAMILY_MEMBER,
}


async def _register_in_place(
    citizen: Citizen, nid: NationalId, correlation_id: str | None, c: Components
) -> None:
    if citizen.account_id is None or citizen.relationship is None:
        raise AssertionError("a registration by a phone account names the account")
    place = Place(
        citizen.account_id, citizen.citizen_id, citizen.relationship, citizen.registered_at
    )
    refused = await c.accounts.reserve(place, c.settings.max_people_per_account)
    if refused is not None:
        raise problems.place_refused(refused, c.settings.max_people_per_account)
    event = c.outbox(registered_event(citizen), correlation_id)
    if not await c.citizens.add(citizen, protect(nid, citizen.citizen_id, c), [event]):
        await c.accounts.release(place)
        raise problems.already_registered(c.settings.recovery_url)
    c.events_written()
    CITIZENS_REGISTERED.labels(channel=citizen.channel.value).inc()


async def own_citizen(account_id: str, citizen_id: UUID | None, c: Components) -> OwnCitizen:
    """A citizen of the account (the holder, or the earliest registered, when no id is given)."""
    stored = await owned_citizen(account_id, citizen_id, c)
    number = c.protector.open(stored.sealed_national_id, stored.citizen.citizen_id)
    return OwnCitizen(stored.citizen, number)


async def owned_citizen(account_id: str, citizen_id: UUID | None, c: Components) -> StoredCitizen:
    if citizen_id is None:
        holder = await c.accounts.self_citizen(account_id)
        citizen_id = UUID(holder) if holder else None
    stored = (
        await c.citizens.get(citizen_id)
        if citizen_id is not None
        else await c.citizens.first_of_account(account_id)
    )
    if stored is None or stored.citizen.account_id != account_id:
        raise problems.citizen_not_found()
    return stored


@dataclass(frozen=True)
class ChangeCitizen:
    """A phone account changes one of its citizens' details, saying why."""

    account_id: str
    citizen_id: UUID | None
    changes: Mapping[str, Any]
    reason: str
    correlation_id: str | None = None


async def change_citizen(cmd: ChangeCitizen, c: Components) -> OwnCitizen:
    """Apply a change, record who and why, and publish CitizenUpdated if published data changed."""
    for _ in range(_CHANGE_ATTEMPTS):
        stored = await owned_citizen(cmd.account_id, cmd.citizen_id, c)
        number = c.protector.open(stored.sealed_national_id, stored.citizen.citizen_id)
        changed = _changed(stored.citizen, number, cmd, c)
        if changed is None:
            return OwnCitizen(stored.citizen, number)
        citizen, record, events = changed
        if await c.citizens.save_change(citizen, record, events):
            if events:
                c.events_written()
            return OwnCitizen(citizen, number)
    raise problems.changed_concurrently()


def _changed(
    old: Citizen, number: str, cmd: ChangeCitizen, c: Components
) -> tuple[Citizen, Document, list[Document]] | None:
    nid = NationalId(old.id_type, number, old.id_country)
    _, details = check_person(changed_input(person_input(old.details, nid), cmd.changes), c)
    diff = differences(old.details, details)
    if not diff:
        return None
    now = c.now()
    citizen = replace(old, details=details, updated_at=now, version=old.version + 1)
    record = {
        "at": now,
        "by": {"role": "citizen", "subject": cmd.account_id},
        "reason": cmd.reason,
        "changes": {key: {"from": a, "to": b} for key, (a, b) in diff.items()},
    }
    published = published_changes(diff)
    events = (
        [c.outbox(updated_event(citizen, published, "citizen"), cmd.correlation_id)]
        if published
        else []
    )
    return citizen, record, events


@dataclass(frozen=True)
class ClaimCitizen:
    """A phone account asks for a record a bulk import registered, naming its document."""

    account_id: str
    relationship: Relationship
    id_type: IdType
    national_id: str
    passport_country: str | None
    date_of_birth: date
    consent: bool
    correlation_id: str | None = None


async def claim_citizen(cmd: ClaimCitizen, c: Components) -> OwnCitizen:
    """Give an unclaimed imported record to the account that knows its document and birth date.

    Wrong guesses are counted per account and day, and every refusal looks the same, so a
    claim cannot be used to learn who is registered.
    """
    if not cmd.consent:
        raise problems.invalid_fields(
            [Violation("consent", "consent_required", "Consent must be true")]
        )
    try:
        nid = claimed_document(cmd.id_type, cmd.national_id, cmd.passport_country)
    except InvalidPerson as invalid:
        raise problems.invalid_fields(invalid.violations) from None
    now, today = c.now(), c.today()
    if await c.claims.failures(cmd.account_id, today) >= c.settings.max_claim_failures_per_day:
        raise problems.too_many_claims(c.seconds_to_tomorrow())
    stored = await c.citizens.unclaimed(c.protector.blind_index(nid))
    if stored is None or stored.citizen.details.date_of_birth != cmd.date_of_birth:
        await c.claims.failed(cmd.account_id, today)
        raise problems.no_record_to_claim()
    citizen = claimed_by(stored.citizen, cmd.account_id, cmd.relationship, now)
    place = Place(cmd.account_id, citizen.citizen_id, cmd.relationship, now)
    refused = await c.accounts.reserve(place, c.settings.max_people_per_account)
    if refused is not None:
        raise problems.place_refused(refused, c.settings.max_people_per_account)
    record = {
        "at": now,
        "by": {"role": "citizen", "subject": cmd.account_id},
        "reason": "claimed by the phone account",
        "changes": {"account_id": {"from": None, "to": cmd.account_id}},
    }
    event = c.outbox(claimed_event(citizen), cmd.correlation_id)
    if not await c.citizens.save_claim(citizen, record, [event]):
        await c.accounts.release(place)
        raise problems.no_record_to_claim()
    c.events_written()
    return OwnCitizen(citizen, nid.number)


@dataclass(frozen=True)
class StaffRead:
    """A staff member asks to see a citizen's record, saying why."""

    staff: Principal
    citizen_id: UUID
    reason: str
    request_id: str


async def read_for_staff(query: StaffRead, c: Components) -> Citizen:
    """The citizen if the staff member's scope covers their current appointment; audited."""
    stored = await c.citizens.get(query.citizen_id)
    current = await c.whereabouts.current(query.citizen_id) if stored else None
    allowed = stored is not None and _covers(query.staff, current)
    outcome = "shown" if allowed else ("refused" if stored else "not_found")
    await c.audit.append(_audit_entry(query, outcome, current, c))
    if not allowed or stored is None:
        raise problems.citizen_not_found()
    return stored.citizen


def _covers(staff: Principal, current: CurrentAppointment | None) -> bool:
    if staff.role in NATIONAL_ROLES:
        return True
    if current is None:
        return False
    return staff.covers_site(str(current.site_id), district=current.site_district)


def _audit_entry(
    query: StaffRead, outcome: str, current: CurrentAppointment | None, c: Components
) -> AuditEntry:
    staff = query.staff
    return AuditEntry(
        read_id=uuid4(),
        at=c.now(),
        citizen_id=query.citizen_id,
        service=PRODUCER,
        resource_kind="citizen_record",
        resource_id=query.citizen_id,
        reason=query.reason,
        outcome=outcome,
        reader=Reader(staff.subject, staff.role, staff.scope.site_id, staff.scope.district),
        districts=districts_of(current.site_district if current else None),
        request_id=query.request_id,
    )
