"""Bulk imports on the real stack: every row checked, nobody registered twice, a usable report."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.integration.registration.conftest import (
    Registration,
    running_service,
    settings_for,
)
from tests.integration.registration.people import CSV_HEADER, csv_file, person
from vaxflow_servicekit.testing import poll_until, read_topic

pytestmark = pytest.mark.stack

IMPORTS = "/api/v1/registration/imports"
CSV = {"Content-Type": "text/csv"}


async def upload(registration: Registration, content: bytes, **headers: str) -> Any:
    staff = registration.staff("district_admin", district="760")
    return await registration.client.post(IMPORTS, content=content, headers=CSV | staff | headers)


async def finished(registration: Registration, location: str) -> Any:
    admin = registration.staff("admin")

    async def state() -> Any:
        return (await registration.client.get(location, headers=admin)).json()

    return await poll_until(
        state, accept=lambda s: s["state"] in ("completed", "failed"), what="import finished"
    )


async def report(registration: Registration, import_id: str) -> list[dict[str, str]]:
    response = await registration.client.get(
        f"{IMPORTS}/{import_id}/report.csv", headers=registration.staff("admin")
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))


async def test_valid_rows_are_registered_and_each_bad_row_is_reported(
    registration: Registration,
) -> None:
    good = [person() for _ in range(3)]
    bad_year = person(date_of_birth="1991-01-01", national_id="079090001234", sex="male")
    no_consent = person(consent=False)
    content = csv_file([good[0], bad_year, good[1], no_consent, good[2]], bom=True)

    response = await upload(registration, content)

    assert response.status_code == 202, response.text
    outcome = await finished(registration, response.headers["location"])
    assert outcome["state"] == "completed"
    assert outcome["counts"] == {
        "rows": 5,
        "registered": 3,
        "already_registered": 0,
        "duplicate_in_file": 0,
        "rejected": 2,
    }
    assert outcome["progress"] == 1.0
    lines = await report(registration, outcome["import_id"])
    assert [(r["line"], r["field"], r["rule"]) for r in lines] == [
        ("3", "national_id", "cccd_birth_year"),
        ("5", "consent", "consent_required"),
    ]
    events = await read_topic(registration.kafka, registration.topics.citizen, 3)
    assert {e.payload.channel for e in events} == {"bulk_import"}
    assert {str(e.payload.import_id) for e in events} == {outcome["import_id"]}
    assert await registration.db["citizens"].count_documents({}) == 3


async def test_reuploading_a_file_registers_nobody_twice(registration: Registration) -> None:
    people = [person() for _ in range(4)]
    first = await upload(registration, csv_file(people))
    done = await finished(registration, first.headers["location"])

    again = await upload(registration, csv_file(people))

    assert again.status_code == 200
    assert again.json()["import_id"] == done["import_id"]
    assert await registration.db["citizens"].count_documents({}) == 4


async def test_an_overlapping_file_reports_who_is_already_registered(
    registration: Registration,
) -> None:
    people = [person() for _ in range(3)]
    await finished(registration, (await upload(registration, csv_file(people))).headers["location"])
    newcomer = person()
    overlapping = csv_file([people[0], newcomer, people[2], newcomer])

    second = await upload(registration, overlapping)

    outcome = await finished(registration, second.headers["location"])
    assert outcome["counts"]["registered"] == 1
    assert outcome["counts"]["already_registered"] == 2
    assert outcome["counts"]["duplicate_in_file"] == 1
    lines = await report(registration, outcome["import_id"])
    assert [(r["line"], r["rule"]) for r in lines] == [
        ("2", "already_registered"),
        ("4", "already_registered"),
        ("5", "duplicate_in_file"),
    ]
    assert await registration.db["citizens"].count_documents({}) == 4


@pytest.mark.parametrize(
    ("content", "content_type", "status", "slug"),
    [
        (b"not json", "application/json", 415, "unsupported-media-type"),
        (
            "full_name,phone\r\nNguyễn Văn An,0912345678\r\n".encode(),
            "text/csv",
            422,
            "malformed-csv",
        ),
        (CSV_HEADER.encode() + b"\r\ncccd,\xff\xfe,,x\r\n", "text/csv", 422, "malformed-csv"),
        (CSV_HEADER.encode() + b'\r\ncccd,"079090001234\r\n', "text/csv", 422, "malformed-csv"),
        (CSV_HEADER.encode() + b"\r\n", "text/csv", 422, "malformed-csv"),
        (b"", "text/csv", 422, "malformed-csv"),
        (csv_file([person()]), "text/csv; charset=latin-1", 415, "unsupported-media-type"),
    ],
    ids=["json", "header", "not-utf8", "open-quote", "no-rows", "empty", "latin1"],
)
async def test_a_file_that_cannot_be_read_is_refused_whole(
    registration: Registration, content: bytes, content_type: str, status: int, slug: str
) -> None:
    response = await upload(registration, content, **{"Content-Type": content_type})

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(f"/{slug}")
    assert await registration.db["imports"].count_documents({}) == 0


async def test_an_oversized_file_is_refused(registration: Registration) -> None:
    settings = settings_for(registration.db.name, import_max_bytes=4096)
    content = csv_file([person() for _ in range(100)])
    assert len(content) > 4096
    async with running_service(settings, registration.topics, registration.issuer) as client:
        response = await client.post(
            IMPORTS, content=content, headers=CSV | registration.staff("admin")
        )

    assert response.status_code == 413
    assert "4096" in response.json()["detail"]


async def test_only_district_admins_and_admins_import_and_read_their_imports(
    registration: Registration,
) -> None:
    content = csv_file([person()])
    as_citizen = await registration.client.post(
        IMPORTS, content=content, headers=CSV | registration.citizen()
    )
    as_vaccinator = await registration.client.post(
        IMPORTS, content=content, headers=CSV | registration.staff("vaccinator", site_id="s-1")
    )
    created = await upload(registration, content)
    other_district = await registration.client.get(
        created.headers["location"], headers=registration.staff("district_admin", district="761")
    )

    assert (as_citizen.status_code, as_vaccinator.status_code) == (403, 403)
    assert other_district.status_code == 404
    await finished(registration, created.headers["location"])
