"""FerretDB on PostgreSQL: the indexes the services ask for serve their lookups."""

from __future__ import annotations

import pytest
from pymongo import MongoClient

from vaxflow.stack.config import StackSettings
from vaxflow.stack.postgres import PostgreSQL
from vaxflow_servicekit.testing import unique_name


@pytest.fixture
def postgres(running_stack: StackSettings) -> PostgreSQL:
    if running_stack.ferretdb_backend != "postgresql":
        pytest.fail("these tests check the PostgreSQL backend, the stack's default")
    return PostgreSQL(running_stack)


def table_of(postgres: PostgreSQL, schema: str, collection: str) -> str:
    """The PostgreSQL table FerretDB keeps a collection in."""
    rows = postgres.query(
        f"SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' "
        f"AND tablename LIKE '{collection}%'"
    )
    return f'"{schema}"."{rows[0]}"'


def test_indexed_lookups_do_not_read_the_whole_collection(
    running_stack: StackSettings, postgres: PostgreSQL
) -> None:
    database = unique_name("indexes")
    client: MongoClient[dict[str, object]] = MongoClient(running_stack.mongo_url)
    try:
        people = client[database]["people"]
        people.create_index("phone_index", unique=True)
        people.create_index([("site_id", 1), ("day", -1)])
        people.insert_many(
            [
                {"_id": f"p{i}", "phone_index": f"h{i}", "site_id": f"s{i % 1000}", "day": i % 7}
                for i in range(5000)
            ]
        )
        table = table_of(postgres, database, "people")
        postgres.query(f"ANALYZE {table}")

        for field, value in (("_id", "p42"), ("phone_index", "h42"), ("site_id", "s7")):
            # The filter FerretDB sends for {field: value}.
            sql = f"EXPLAIN SELECT _jsonb FROM {table} WHERE _jsonb -> '{field}' @> '\"{value}\"'"
            plan = "\n".join(postgres.query(sql))
            assert "Index Scan" in plan, f"{field}: {plan}"
        assert people.find_one({"phone_index": "h4321"}) == {
            "_id": "p4321",
            "phone_index": "h4321",
            "site_id": "s321",
            "day": 4321 % 7,
        }
    finally:
        client.drop_database(database)
        client.close()
