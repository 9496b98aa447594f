"""Migrations: the schema from Alembic matches the tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from backend.migrate import upgrade_database


def test_upgrade_creates_every_table(engine):
    names = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= names
    assert "alembic_version" in names


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_upgrade_twice_is_harmless(engine):
    upgrade_database(engine)
    upgrade_database(engine)
