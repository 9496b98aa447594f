"""Backups and restores on both databases, taken while the bot keeps writing."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import stat
import subprocess
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

from backend.cli import main
from backend.db import make_engine, writing
from backend.entries.service import EntryFields, create_entry
from backend.migrate import upgrade_database
from backend.models import Duty, OutboxMessage, Staff
from backend.ops.backup import (
    NAME,
    BackupError,
    backup_to_file,
    backup_to_folder,
    prune_backups,
    restore_database,
)
from backend.ops.backup_pg import pg_tool
from backend.runtime import build_runtime
from backend.settings import load_settings
from scheduled import lease
from scheduled.jobs import JOBS, nightly_backup
from tests.support.org import add_small_county
from tests.support.stack import TEST_WECOM

BLOB = os.urandom(96 * 1024)  # a few MB of files in the outbox, so a copy takes several steps


def _fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """Return every table's row count and a checksum of its rows, ordered by primary key."""
    tables = [*SQLModel.metadata.sorted_tables]
    result = {}
    with engine.connect() as connection:
        for table in tables:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
            result[table.name] = (len(rows), digest)
        version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        result["alembic_version"] = (len(version), repr(version))
    return result


def _entries(engine: Engine) -> dict[int, tuple]:
    with engine.connect() as connection:
        table = SQLModel.metadata.tables["dutyentry"]
        return {row.id: tuple(row) for row in connection.execute(select(table))}


@pytest.fixture
def county(engine: Engine) -> Engine:
    """The small county, some entries and a few MB of outbox files."""
    with writing(engine) as session:
        add_small_county(session)
    for index in range(40):
        with writing(engine) as session:
            session.add(OutboxMessage(channel="webhook", target="k", msgtype="file", blob=BLOB))
            _add_entry(session, f"seed-{index}", index)
    return engine


def _add_entry(session, key: str, index: int) -> None:
    alice = session.execute(select(Staff).where(Staff.wecom_userid == "alice")).scalar_one()
    duty = session.execute(select(Duty).order_by(Duty.id)).scalars().first()
    fields = EntryFields(
        work_date=date(2020, 1, 1) + timedelta(days=index),
        duty_id=duty.id,
        key_task_id=None,
        task_type_code="business",
        hours=1.5,
        items=None,
        description=f"日常检查第 {index} 次",
    )
    create_entry(session, staff=alice, fields=fields, client_key=key)


class Writer(threading.Thread):
    """Save duty entries through the entries service, one short transaction each, until stopped."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.engine, self.count, self.stop = engine, 0, threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        """Write until asked to stop."""
        try:
            while not self.stop.is_set():
                with writing(self.engine) as session:
                    _add_entry(session, f"live-{self.count}", 100 + self.count)
                self.count += 1
        except BaseException as exc:  # reported by the test
            self.error = exc

    def wait_for(self, count: int) -> None:
        """Block until at least `count` entries were written."""
        while self.count < count and self.is_alive():
            threading.Event().wait(0.005)


def _restore_into(url: str, backup: Path) -> Engine:
    target = make_engine(url)
    restore_database(target, backup)
    upgrade_database(target)
    return target


def test_round_trip_while_writes_go_on(county, fresh_url, tmp_path):
    before = _entries(county)
    writer = Writer(county)
    writer.start()
    writer.wait_for(5)
    started = writer.count
    during = backup_to_folder(county, tmp_path / "backups", keep=5)
    written_during = writer.count - started
    writer.wait_for(writer.count + 5)
    writer.stop.set()
    writer.join()
    assert writer.error is None
    assert written_during > 0, "the writer should have kept writing while the backup ran"
    settled = _fingerprint(county)
    final = backup_to_folder(county, tmp_path / "backups", keep=5)

    for made in (during, final):
        assert NAME.match(made.path.name)
        assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
        assert made.size == made.path.stat().st_size > len(BLOB) * 40

    restored = _restore_into(fresh_url, final.path)
    assert _fingerprint(restored) == settled
    with writing(restored) as session:  # ids continue after the restored rows
        _add_entry(session, "after-restore", 99_999)

    restore_database(restored, during.path)  # over existing data, this time
    upgrade_database(restored)
    _assert_consistent_snapshot(restored, county, before)
    restored.dispose()


def _assert_consistent_snapshot(restored: Engine, source: Engine, before: dict) -> None:
    """The first backup holds every row written before it, and the live rows up to one moment."""
    got, now = _entries(restored), _entries(source)
    assert set(before) <= set(got) and len(got) < len(now)
    assert got == {key: row for key, row in now.items() if key <= max(got)}
    untouched = {name for name in _fingerprint(source) if name != "dutyentry"}
    settled, copy = _fingerprint(source), _fingerprint(restored)
    assert {n: copy[n] for n in untouched} == {n: settled[n] for n in untouched}


def test_backup_to_a_named_file(county, tmp_path):
    made = backup_to_file(county, tmp_path / "here" / "manual-copy.bin")
    assert made.path == tmp_path / "here" / "manual-copy.bin"
    assert [p.name for p in made.path.parent.iterdir()] == ["manual-copy.bin"]  # no part file


def test_retention_keeps_the_newest_and_leaves_other_files(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    ours = [folder / f"lvzhi-2026010{day}T022300.000000Z.sqlite3" for day in range(1, 6)]
    foreign = [folder / name for name in ("notes.txt", "lvzhi-manual.sqlite3", "lvzhi.db")]
    for path in [*ours, *foreign]:
        path.write_bytes(b"x")
    engine = make_engine(f"sqlite:///{tmp_path / 'live.db'}")
    upgrade_database(engine)
    made = backup_to_folder(engine, folder, keep=3)
    assert made.removed == ours[:3]
    assert sorted(folder.iterdir()) == sorted([*ours[3:], made.path, *foreign])
    assert prune_backups(folder, keep=3) == []
    engine.dispose()


def test_restore_refuses_what_is_not_an_lvzhi_backup(engine, tmp_path):
    with writing(engine) as session:
        add_small_county(session)
    kept = _fingerprint(engine)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("这不是备份", encoding="utf-8")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    connection.close()
    expected = {
        tmp_path / "missing.sqlite3": "找不到备份文件",
        text_file: "不是履职助手的备份文件",
        other: "不是履职助手的数据库" if engine.dialect.name == "sqlite" else "这是 SQLite 的备份",
    }
    for path, message in expected.items():
        with pytest.raises(BackupError, match=message):
            restore_database(engine, path)
    assert _fingerprint(engine) == kept


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # pg_dump files only
def test_restore_refuses_a_dump_of_another_postgres_database(engine, fresh_url, tmp_path):
    other = make_engine(fresh_url)
    with other.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id int primary key)"))
    other.dispose()
    dump = tmp_path / "other.pgdump"
    conninfo = make_url(fresh_url).set(drivername="postgresql").render_as_string()
    tool = pg_tool("pg_dump", 15)
    subprocess.run([tool, "--format=custom", f"--file={dump}", conninfo], check=True)
    damaged = tmp_path / "damaged.pgdump"
    damaged.write_bytes(b"PGDMP" + b"\0" * 100)
    kept = _fingerprint(engine)
    with pytest.raises(BackupError, match="不是履职助手的数据库备份"):
        restore_database(engine, dump)
    with pytest.raises(BackupError, match="不是有效的 pg_dump 备份"):
        restore_database(engine, damaged)
    assert _fingerprint(engine) == kept


def test_restore_waits_for_the_scheduler_to_stop(engine, tmp_path):
    made = backup_to_file(engine, tmp_path / "copy")
    holder = lease.holder_name()
    assert lease.try_acquire(engine, holder=holder, seconds=60)
    try:
        with pytest.raises(BackupError, match="定时任务进程"):
            restore_database(engine, made.path)
        restore_database(engine, made.path, force=True)
    finally:
        lease.release(engine, holder=holder)


def test_no_pg_tool_new_enough_is_explained():
    with pytest.raises(BackupError, match="postgresql-client-99"):
        pg_tool("pg_dump", 99)


def test_backup_and_restore_commands(cli_county, tmp_path, monkeypatch):
    monkeypatch.setenv("LVZHI_BACKUP_DIR", str(tmp_path / "nightly"))
    runner = CliRunner()
    made = runner.invoke(main, ["backup"])
    assert made.exit_code == 0, made.output
    assert "备份完成" in made.output
    (path,) = (tmp_path / "nightly").iterdir()
    assert str(path) in made.output

    with writing(cli_county) as session:
        _add_entry(session, "after-backup", 1)
    refused = runner.invoke(main, ["restore", str(path)], input="n\n")
    assert refused.exit_code == 1
    assert "请先停止 lvzhi serve 和 lvzhi scheduler" in refused.output
    assert "已取消，数据库没有改动" in refused.output
    assert "after-backup" in repr(_entries(cli_county))

    restored = runner.invoke(main, ["restore", str(path), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "已从" in restored.output
    assert "after-backup" not in repr(_entries(cli_county))

    missing = runner.invoke(main, ["restore", str(tmp_path / "nope.sqlite3"), "--yes"])
    assert missing.exit_code == 1
    assert "找不到备份文件" in missing.output


def test_commands_on_each_database(county, database_url, tmp_path, monkeypatch):
    for key, value in {**TEST_WECOM, "DATABASE_URL": database_url}.items():
        monkeypatch.setenv(key, str(value))
    runner = CliRunner()
    made = runner.invoke(main, ["backup", "--to", str(tmp_path)])
    assert made.exit_code == 0, made.output
    (path,) = [p for p in tmp_path.iterdir() if NAME.match(p.name)]
    kept = _fingerprint(county)
    with writing(county) as session:
        _add_entry(session, "after-backup", 1)
    restored = runner.invoke(main, ["restore", str(path), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert _fingerprint(county) == kept


def test_nightly_backup_job(engine, tmp_path, caplog, database_url):
    (job,) = [job for job in JOBS if job.name == "backup"]
    assert job.trigger == {"trigger": "cron", "hour": 2, "minute": 23}
    folder = tmp_path / "nightly"
    settings = load_settings(DATABASE_URL=database_url, LVZHI_BACKUP_DIR=str(folder), **TEST_WECOM)
    runtime = build_runtime(settings, engine=engine)
    with caplog.at_level(logging.INFO, logger="scheduled.jobs"):
        made = nightly_backup(runtime)
    assert made.path.parent == folder
    assert f"nightly backup written: {made.path}" in caplog.text

    blocked = tmp_path / "a-file"
    blocked.write_text("")
    broken = settings.model_copy(update={"LVZHI_BACKUP_DIR": str(blocked)})
    with pytest.raises(BackupError), caplog.at_level(logging.ERROR, logger="scheduled.jobs"):
        nightly_backup(build_runtime(broken, engine=engine))
    assert f"nightly backup into {blocked} failed" in caplog.text


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_pg_tools_reach_only_the_configured_database(county, fresh_url, tmp_path, monkeypatch):
    # An operator's shell may carry libpq variables; they must not redirect or alter the tools.
    monkeypatch.setenv("PGHOST", "203.0.113.1")
    monkeypatch.setenv("PGDATABASE", "somewhere_else")
    monkeypatch.setenv("PGOPTIONS", "-c default_transaction_read_only=on")
    made = backup_to_file(county, tmp_path / "env.pgdump")
    restored = _restore_into(fresh_url, made.path)
    assert _fingerprint(restored) == _fingerprint(county)
    restored.dispose()
