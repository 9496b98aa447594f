"""Schema migrations through Alembic, run on start and by `lvzhi db upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Build an Alembic config pointing at our migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to the newest revision (or to `revision`, for tests)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    if engine.dialect.name == "sqlite":
        _upgrade_sqlite(engine, config, revision)
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several workers may start at once; let one migrate while the others wait.
            connection.execute(text("SELECT pg_advisory_xact_lock(7720261123)"))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _upgrade_sqlite(engine: Engine, config: Config, revision: str) -> None:
    """Upgrade SQLite with foreign keys off, checking them all once the schema is new.

    SQLite alters a table by copying it and dropping the old one; with foreign keys on, that
    drop fails as soon as another table's rows point at it (a rating with a work order).
    """
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None  # an open connection always has its driver's
        driver.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, or it is ignored
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken references: {broken[:5]}")
        finally:
            driver.execute("PRAGMA foreign_keys=ON")


def make_revision(database_url: str, message: str) -> None:
    """Autogenerate a new revision against an up-to-date database (developer tool)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
