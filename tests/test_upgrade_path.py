"""Upgrades keep data: a database from an old revision, filled by plain SQL, upgraded to head."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from backend.db import make_engine
from backend.migrate import upgrade_database
from backend.ops.readiness import head_revision
from tests.support.old_rows import BEFORE_HARDENING_ROWS, FIRST_SCHEMA_ROWS, T1

FIRST = "5cf48a644413"
BEFORE_HARDENING = "g8_jobs"


def _sql_value(value: object, dialect: str) -> object:
    """Write values as an old release's plain SQL would: text for dates and times."""
    if isinstance(value, datetime):
        stamp = value.astimezone(UTC)
        return f"{stamp:%Y-%m-%d %H:%M:%S.%f}" + ("" if dialect == "sqlite" else "+00")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _insert(engine: Engine, rows: dict[str, list[dict[str, object]]]) -> None:
    with engine.begin() as connection:
        for table, records in rows.items():
            for record in records:
                columns = ", ".join(f'"{name}"' for name in record)
                values = ", ".join(f":{name}" for name in record)
                statement = text(f'INSERT INTO "{table}" ({columns}) VALUES ({values})')
                dialect = connection.dialect.name
                connection.execute(
                    statement, {k: _sql_value(v, dialect) for k, v in record.items()}
                )


def _assert_rows_kept(engine: Engine, rows: dict[str, list[dict[str, object]]]) -> dict:
    """Read every row back through today's table definitions; return their new columns."""
    added: dict[str, list[dict[str, object]]] = {}
    with engine.connect() as connection:
        for name, records in rows.items():
            table = SQLModel.metadata.tables[name]
            found = [row._asdict() for row in connection.execute(select(table))]
            assert len(found) == len(records), name
            keys = [column.name for column in table.primary_key.columns]
            by_key = {tuple(row[k] for k in keys): row for row in found}
            for record in records:
                row = by_key[tuple(record[k] for k in keys)]
                assert {k: row[k] for k in record} == record, name
            added[name] = [{k: v for k, v in row.items() if k not in records[0]} for row in found]
    return added


def _assert_new_columns_filled(engine: Engine, added: dict) -> None:
    for name, rows in added.items():
        table = SQLModel.metadata.tables[name]
        for row in rows:
            for column, value in row.items():
                assert value is not None or table.c[column].nullable, (name, column)


def test_first_revision_upgrades_to_head_without_losing_data(fresh_url):
    engine = make_engine(fresh_url)
    upgrade_database(engine, FIRST)
    assert set(inspect(engine).get_table_names()) == {*FIRST_SCHEMA_ROWS, "alembic_version"}
    _insert(engine, FIRST_SCHEMA_ROWS)
    upgrade_database(engine)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == head_revision()
    added = _assert_rows_kept(engine, FIRST_SCHEMA_ROWS)
    _assert_new_columns_filled(engine, added)
    engine.dispose()


def test_columns_added_by_hardening_get_their_values(fresh_url):
    engine = make_engine(fresh_url)
    upgrade_database(engine, BEFORE_HARDENING)
    _insert(engine, {**FIRST_SCHEMA_ROWS, **BEFORE_HARDENING_ROWS})
    upgrade_database(engine)
    added = _assert_rows_kept(engine, {**FIRST_SCHEMA_ROWS, **BEFORE_HARDENING_ROWS})
    _assert_new_columns_filled(engine, added)
    epochs = [row["session_epoch"] for row in added["account"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", epoch) for epoch in epochs)
    assert len(set(epochs)) == len(epochs)  # each account its own stamp
    assert [row["network"] for row in added["rating"]] == [""]
    assert [row["announced_at"] for row in added["workorder"]] == [T1]  # already announced
    engine.dispose()
