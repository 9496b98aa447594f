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


def upgrade_database(engine: Engine) -> None:
    """Bring the database schema to the newest revision."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several workers may start at once; let one migrate while the others wait.
            connection.execute(text("SELECT pg_advisory_xact_lock(7720261123)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def make_revision(database_url: str, message: str) -> None:
    """Autogenerate a new revision against an up-to-date database (developer tool)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
