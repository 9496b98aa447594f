"""The runtime of one `lvzhi` command, built from the settings as in the web app and scheduler."""

from __future__ import annotations

import click

from backend.migrate import upgrade_database
from backend.runtime import Runtime, build_runtime
from backend.settings import Settings, SettingsError, load_settings


def command_settings() -> Settings:
    """Read the settings, failing the command with a message naming each bad setting."""
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def command_runtime(*, upgrade: bool = False) -> Runtime:
    """Build this command's runtime, with `upgrade` bringing the database schema up to date."""
    runtime = build_runtime(command_settings())
    if upgrade:
        upgrade_database(runtime.engine)
    return runtime
