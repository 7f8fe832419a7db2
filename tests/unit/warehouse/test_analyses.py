"""The named analyses on a small known history, and schema evolution through DuckDB."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from vaxflow_warehouse.domain.columns import event_columns
from vaxflow_warehouse.handlers.analyses import UnknownAnalysis, run_analysis
from vaxflow_warehouse.handlers.ingest import PartitionBatch
from vaxflow_warehouse.store.duck import connect
from vaxflow_warehouse.store.parquet import to_table

from tests.unit.warehouse.factory import KEY
from tests.unit.warehouse.sink_parts import ingest_into, raw_messages
from vaxflow.warehouse import write_result
from vaxflow_events import (
    AefiClassified,
    AefiReported,
    DoseAdministered,
    DoseVoided,
    Envelope,
    Event,
    Holder,
    Vaccination,
)
from vaxflow_events.examples import EXAMPLES

DOSE = EXAMPLES["DoseAdministered"]
assert isinstance(DOSE, DoseAdministered)
START = datetime(2021, 8, 10, 2, 0, tzinfo=UTC)


def _dose(citizen: uuid.UUID, number: int, day: date, *, lot: str = "FF2587") -> Event:
    at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    vaccination = DOSE.vaccination.model_copy(
        update={
            "dose_number": number,
            "administered_on": day,
            "administered_at": at,
            "lot_number": lot,
            "lot_id": uuid.uuid5(uuid.NAMESPACE_URL, lot),
        }
    )
    assert isinstance(vaccination, Vaccination)
    holder = DOSE.holder.model_copy(update={"date_of_birth": date(1950, 1, 1)})
    assert isinstance(holder, Holder)
    return DOSE.model_copy(
        update={
            "dose_id": uuid.uuid4(),
            "citizen_id": citizen,
            "vaccination": vaccination,
            "holder": holder,
        }
    )


def _history() -> list[Envelope[Event]]:
    """Three people over 65 in HCMC: one compliant, one too early, one whose dose was voided."""
    ann, bao, chi = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    registered = EXAMPLES["CitizenRegistered"]
    events: list[tuple[Event, datetime]] = []
    for who, group in ((ann, 11), (bao, 11), (chi, None)):
        citizen = registered.model_copy(update={"citizen_id": who, "priority_group": group})
        events.append((citizen, START))
    ann1, ann2 = _dose(ann, 1, date(2021, 8, 10)), _dose(ann, 2, date(2021, 8, 31))
    bao1, bao2 = _dose(bao, 1, date(2021, 8, 10)), _dose(bao, 2, date(2021, 8, 20), lot="X1")
    chi1 = _dose(chi, 1, date(2021, 8, 11))
    for dose in (ann1, ann2, bao1, bao2, chi1):
        assert isinstance(dose, DoseAdministered)
        events.append((dose, dose.vaccination.administered_at))
    void = EXAMPLES["DoseVoided"]
    assert isinstance(chi1, DoseAdministered)
    assert isinstance(void, DoseVoided)
    events.append((void.model_copy(update={"dose_id": chi1.dose_id, "citizen_id": chi}), START))
    certificate = EXAMPLES["CertificateIssued"]
    for dose, delay in ((ann1, 2.0), (ann2, 4.0), (bao1, 30.0)):
        assert isinstance(dose, DoseAdministered)
        issued = dose.vaccination.administered_at + timedelta(seconds=delay)
        update = {"dose_id": dose.dose_id, "citizen_id": dose.citizen_id, "issued_at": issued}
        events.append(
            (certificate.model_copy(update={**update, "certificate_id": uuid.uuid4()}), issued)
        )
    assert isinstance(bao2, DoseAdministered)
    report = EXAMPLES["AefiReported"]
    assert isinstance(report, AefiReported)
    case = report.model_copy(
        update={"citizen_id": bao, "lot_id": bao2.vaccination.lot_id, "dose_id": bao2.dose_id}
    )
    assert isinstance(case, AefiReported)
    classified = EXAMPLES["AefiClassified"]
    assert isinstance(classified, AefiClassified)
    events.append((case, START + timedelta(days=12)))
    events.append(
        (
            classified.model_copy(
                update={"aefi_id": case.aefi_id, "lot_id": case.lot_id, "citizen_id": bao}
            ),
            START + timedelta(days=13),
        )
    )
    return [Envelope.new(e, producer="test", occurred_at=at) for e, at in events]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("warehouse")
    ingest, _ = ingest_into(root)
    batch = PartitionBatch("t.s.v1", 0)
    ingest.add(batch, raw_messages(_history()))
    ingest.store(batch)
    return root


def _rows(root: Path, name: str) -> list[dict[str, object]]:
    result = run_analysis(root, name)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def test_doses_per_day_counts_doses_by_site_unit_without_voided_ones(warehouse: Path) -> None:
    rows = _rows(warehouse, "doses-per-day")

    assert [(r["day"], r["ward_code"], r["doses"]) for r in rows] == [
        (date(2021, 8, 10), DOSE.site_area.ward_code, 2),
        (date(2021, 8, 20), DOSE.site_area.ward_code, 1),
        (date(2021, 8, 31), DOSE.site_area.ward_code, 1),
    ]


def test_coverage_by_age_band_is_against_the_population_file(warehouse: Path) -> None:
    rows = {(r["province_code"], r["age_band"]): r for r in _rows(warehouse, "coverage-age")}

    older = rows[("79", "65+")]
    assert older["at_least_one_dose"] == 2
    assert older["series_complete"] == 2
    assert older["population"] == 967733
    assert rows[("79", "18-49")]["at_least_one_dose"] == 0
    assert [band for (p, band) in rows if p == "79"] == [
        "0-4",
        "5-11",
        "12-17",
        "18-49",
        "50-64",
        "65+",
    ]


def test_coverage_by_priority_group_is_against_the_registered(warehouse: Path) -> None:
    rows = {r["priority_group"]: r for r in _rows(warehouse, "coverage-priority")}

    assert rows["11"]["registered"] == 2
    assert rows["11"]["at_least_one_dose"] == 2
    assert rows["none"]["registered"] == 1
    assert rows["none"]["at_least_one_dose"] == 0  # their only dose was voided


def test_dose_intervals_are_checked_against_the_product_minimum(warehouse: Path) -> None:
    (row,) = _rows(warehouse, "dose-intervals")

    assert row["product_code"] == "EU/1/20/1528"
    assert (row["doses_checked"], row["compliant"], row["too_early"]) == (2, 1, 1)
    assert row["min_interval_days"] == 10


def test_aefi_rate_per_lot_uses_the_latest_classification(warehouse: Path) -> None:
    rows = {r["lot_number"]: r for r in _rows(warehouse, "aefi-per-lot")}

    assert rows["X1"]["doses"] == 1
    assert rows["X1"]["aefi_reports"] == 1
    assert rows["X1"]["aefi_per_100k_doses"] == 100000.0
    classified = EXAMPLES["AefiClassified"]
    assert isinstance(classified, AefiClassified)
    assert rows["X1"]["serious_reports"] == int(classified.serious)
    assert rows["FF2587"]["aefi_reports"] == 0


def test_time_to_certificate_per_day(warehouse: Path) -> None:
    rows = {r["day"]: r for r in _rows(warehouse, "time-to-certificate")}

    first = rows[date(2021, 8, 10)]
    assert (first["doses"], first["certified"]) == (2, 2)
    assert first["p50_seconds"] == 16.0
    assert first["max_seconds"] == 30.0
    assert rows[date(2021, 8, 20)]["certified"] == 0


def test_an_unknown_analysis_is_refused(warehouse: Path) -> None:
    with pytest.raises(UnknownAnalysis, match="doses-per-day"):
        run_analysis(warehouse, "everything")


def test_every_analysis_runs_on_an_empty_directory(tmp_path: Path) -> None:
    for name in ("doses-per-day", "coverage-priority", "aefi-per-lot", "time-to-certificate"):
        assert run_analysis(tmp_path, name).rows == []


def test_results_print_as_table_csv_and_json(warehouse: Path) -> None:
    result = run_analysis(warehouse, "doses-per-day")
    outputs = {}
    for form in ("table", "csv", "json"):
        out = io.StringIO()
        write_result(result, form, out)
        outputs[form] = out.getvalue()

    assert outputs["table"].splitlines()[0].split() == list(result.columns)
    assert outputs["table"].rstrip().endswith("(3 rows)")
    assert outputs["csv"].splitlines()[1].startswith("2021-08-10,79,")
    assert json.loads(outputs["json"])[0]["doses"] == 2


def test_a_new_optional_field_is_null_in_older_files_and_versions_are_recorded(
    tmp_path: Path,
) -> None:
    class DoseAdministeredV2(DoseAdministered):
        event_type = "DoseAdministered"
        schema_version = 2
        vial_opened_at: datetime | None = None

    old_row = _row_of(DOSE, 1)
    new_row = {**_row_of(DOSE, 2), "schema_version": 2, "vial_opened_at": START}
    folder = tmp_path / "DoseAdministered" / "day=2021-08-10"
    folder.mkdir(parents=True)
    old = to_table(event_columns(DoseAdministered), "DoseAdministered", [old_row])
    new = to_table(event_columns(DoseAdministeredV2), "DoseAdministered", [new_row])
    pq.write_table(old, folder / "t+0+00000000000000000000-00000000000000000000.parquet")
    pq.write_table(new, folder / "t+0+00000000000000000001-00000000000000000001.parquet")

    rows = (
        connect(tmp_path)
        .execute(
            "SELECT schema_version, vial_opened_at FROM dose_administered ORDER BY kafka_offset"
        )
        .fetchall()
    )

    assert rows == [(1, None), (2, START)]
    metadata = pq.read_schema(folder / "t+0+00000000000000000001-00000000000000000001.parquet")
    assert metadata.metadata[b"vaxflow.schema_versions"] == b"[2]"
    assert metadata.field("vial_opened_at").nullable


def _row_of(event: Event, offset: int) -> dict[str, object]:
    from vaxflow_warehouse.domain.pseudonyms import Pseudonymiser
    from vaxflow_warehouse.domain.rows import Provenance, RowShaper

    envelope = Envelope.new(event, producer="injection", occurred_at=START)
    return RowShaper(Pseudonymiser(KEY)).shape(envelope, Provenance("t", 0, offset)).row
