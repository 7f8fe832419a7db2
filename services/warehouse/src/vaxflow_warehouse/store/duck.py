"""DuckDB over the Parquet parts: one view per event type, the reference data, the analyses.

A view reads every part of its event type by name (`union_by_name`, so parts written before a
new optional field appear with NULL in its column); an event type with no parts yet is an
empty view with the same columns, so every analysis runs on any directory.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from vaxflow_events import ALL_EVENTS
from vaxflow_warehouse.domain.columns import Column, Kind
from vaxflow_warehouse.domain.rows import columns_for

DUCK_TYPES: dict[Kind, str] = {
    "string": "VARCHAR",
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
    "list_string": "VARCHAR[]",
    "json": "VARCHAR",
}


def view_name(event_type: str) -> str:
    """`DoseAdministered` -> `dose_administered`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", event_type).lower()


def connect(root: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per event type over `root` and the reference tables."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    for event in ALL_EVENTS:
        con.execute(_view_sql(root, event.event_type, columns_for(event)))
    _load_population(con)
    _load_products(con)
    con.execute(DOSES_VIEW)
    return con


def _view_sql(root: Path, event_type: str, columns: Sequence[Column]) -> str:
    name = view_name(event_type)
    folder = root / event_type
    if any(folder.glob("day=*/*.parquet")):
        pattern = _quote(str(folder / "day=*" / "*.parquet"))
        return (
            # Built from the contracts' event types and a quoted path, never from user input.
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet({pattern}, "  # noqa: S608  # nosec B608  # contract names, quoted path
            "union_by_name = true, hive_partitioning = true)"
        )
    typed = ", ".join(f"CAST(NULL AS {DUCK_TYPES[c.kind]}) AS {c.name}" for c in columns)
    return f"CREATE VIEW {name} AS SELECT {typed}, CAST(NULL AS DATE) AS day WHERE false"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _load_population(con: duckdb.DuckDBPyConnection) -> None:
    text = resources.files("vaxflow_warehouse.data").joinpath("population.csv").read_text()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    con.execute(
        "CREATE TABLE population (province_code VARCHAR, age_band VARCHAR, population BIGINT)"
    )
    con.executemany(
        "INSERT INTO population VALUES (?, ?, ?)",
        [(r["province_code"], r["age_band"], int(r["population"])) for r in rows],
    )


def _load_products(con: duckdb.DuckDBPyConnection) -> None:
    text = resources.files("vaxflow_warehouse.data").joinpath("products.toml").read_text()
    data: dict[str, Any] = tomllib.loads(text)
    con.execute(
        "CREATE TABLE product_rules (product_code VARCHAR, name VARCHAR, "
        "primary_min_days INTEGER, booster_min_days INTEGER)"
    )
    con.executemany(
        "INSERT INTO product_rules VALUES (?, ?, ?, ?)",
        [
            (code, rule["name"], rule["primary_min_days"], data["booster_min_days"])
            for code, rule in data["product"].items()
        ],
    )


# Doses as they stand: voided ones removed, the latest correction applied.
DOSES_VIEW = """
CREATE VIEW doses AS
WITH latest_correction AS (
    SELECT * FROM dose_corrected
    QUALIFY row_number() OVER (
        PARTITION BY dose_id ORDER BY occurred_at DESC, kafka_offset DESC
    ) = 1
), administered AS (
    SELECT * FROM dose_administered
    QUALIFY row_number() OVER (PARTITION BY dose_id ORDER BY occurred_at, kafka_offset) = 1
)
SELECT
    d.dose_id,
    d.citizen_key,
    d.occurred_at AS recorded_at,
    d.holder_age_band AS age_band,
    d.residence_province_code,
    d.site_area_province_code,
    d.site_area_district_code,
    d.site_area_ward_code,
    coalesce(c.current_product_code, d.vaccination_product_code) AS product_code,
    coalesce(c.current_lot_id, d.vaccination_lot_id) AS lot_id,
    coalesce(c.current_lot_number, d.vaccination_lot_number) AS lot_number,
    coalesce(c.current_dose_number, d.vaccination_dose_number) AS dose_number,
    coalesce(c.current_series_doses, d.vaccination_series_doses) AS series_doses,
    coalesce(c.current_dose_kind, d.vaccination_dose_kind) AS dose_kind,
    coalesce(c.current_administered_at, d.vaccination_administered_at) AS administered_at,
    coalesce(c.current_administered_on, d.vaccination_administered_on) AS administered_on
FROM administered d
LEFT JOIN latest_correction c ON c.dose_id = d.dose_id
WHERE NOT EXISTS (SELECT 1 FROM dose_voided v WHERE v.dose_id = d.dose_id)
"""
