"""Upgrades keep data: a database from an old revision, filled by plain SQL, upgraded to head."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from backend.db import make_engine
from backend.migrate import upgrade_database
from backend.readiness import head_revision

FIRST = "5cf48a644413"
BEFORE_HARDENING = "g8_jobs"
T1 = datetime(2026, 11, 20, 0, 30, 5, 123456, tzinfo=UTC)
T2 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
BLOB = bytes(range(256)) * 4

# Every table of the first schema, one or more rows each, every column given.
FIRST_SCHEMA_ROWS: dict[str, list[dict[str, object]]] = {
    "tasktype": [
        {"code": "business", "name": "业务", "sort_order": 1, "standard_hours": 8.0},
        {"code": "party", "name": "党建", "sort_order": 2, "standard_hours": 4.0},
    ],
    "department": [
        {"id": 1, "name": "县市场监督管理局", "short_name": "市场监管局", "kind": "bureau",
         "parent_id": None, "wecom_department_id": 2, "chat_target_kind": "webhook",
         "chat_target": "key-1", "sort_order": 1, "created_at": T1},
        {"id": 2, "name": "县食品药品检验所", "short_name": "检验所", "kind": "institution",
         "parent_id": 1, "wecom_department_id": None, "chat_target_kind": None,
         "chat_target": None, "sort_order": 2, "created_at": T2},
    ],
    "section": [{"id": 1, "department_id": 1, "name": "食品安全监管股"}],
    "staff": [
        {"id": 1, "wecom_userid": "alice", "name": "李晓燕", "department_id": 1, "section_id": 1,
         "staffing_type": "civil_servant", "post": "科员", "is_leader": False,
         "is_principal_head": False, "public_facing": True, "role": "member", "active": True,
         "joined_on": date(2019, 7, 1), "created_at": T1},
        {"id": 2, "wecom_userid": "dave", "name": "张伟", "department_id": 1, "section_id": None,
         "staffing_type": "civil_servant", "post": "局长", "is_leader": True,
         "is_principal_head": True, "public_facing": False, "role": "admin", "active": False,
         "joined_on": None, "created_at": T2},
    ],
    "duty": [
        {"id": 1, "department_id": 1, "seq": 1, "title": "负责食品安全监督管理",
         "function_type": "core", "default_task_type_code": "business", "standard_hours": 2.5,
         "active": True},
    ],
    "keytask": [{"id": 1, "department_id": 1, "year": 2026, "title": "食品安全示范县创建"}],
    "keytaskduty": [{"key_task_id": 1, "duty_id": 1}],
    "apitoken": [
        {"id": 1, "staff_id": 2, "token_hash": "ab" * 32, "label": "审核接口", "created_at": T1,
         "last_used_at": T2, "revoked_at": None},
    ],
    "dutyentry": [
        {"id": 1, "staff_id": 1, "department_id": 1, "section_id": 1,
         "work_date": date(2026, 11, 19), "duty_id": 1, "key_task_id": 1,
         "task_type_code": "business", "hours": 3.5, "items": 4,
         "description": "检查农贸市场 4 家，发现问题 2 处", "status": "approved", "flags": "",
         "reviewer_id": 2, "reviewed_at": T2, "return_reason": None, "source": "chat",
         "client_key": "msg-1", "created_at": T1, "updated_at": T2},
        {"id": 2, "staff_id": 1, "department_id": 1, "section_id": None,
         "work_date": date(2026, 11, 20), "duty_id": 1, "key_task_id": None,
         "task_type_code": "party", "hours": 0.5, "items": None, "description": "学习'两会'精神",
         "status": "returned", "flags": "vague,short", "reviewer_id": 2, "reviewed_at": T2,
         "return_reason": "请写明学习内容", "source": "console", "client_key": None,
         "created_at": T1, "updated_at": T1},
    ],
    "monthclosure": [{"id": 1, "year_month": "2026-10", "closed_by": 2, "closed_at": T1}],
    "monthreopening": [
        {"id": 1, "year_month": "2026-09", "reopened_by": 2, "reopened_at": T2,
         "reason": "补录出差期间工作", "closed_by": 2, "closed_at": T1},
    ],
    "reviewcursor": [{"staff_id": 2, "entry_id": 2, "updated_at": T2}],
    "conversation": [
        {"wecom_userid": "alice", "form": "entry", "step": "hours",
         "answers": '{"duty_id": 1}', "history": '["duty"]', "paused": False, "updated_at": T1},
    ],
    "jobrun": [
        {"key": "weekly:2026-W47:1", "job": "weekly", "status": "done", "started_at": T1,
         "finished_at": T2, "detail": "3 messages"},
    ],
    "outboxmessage": [
        {"id": 1, "channel": "webhook", "target": '{"key": "key-1"}', "msgtype": "file",
         "payload": "{}", "blob": BLOB, "filename": "周报.pdf", "dedupe_key": "weekly#0",
         "status": "sent", "attempts": 1, "next_attempt_at": T1, "lease_until": None,
         "last_error": None, "result": '{"errcode": 0}', "created_at": T1, "sent_at": T2},
    ],
    "processedmessage": [{"key": "wx:123", "reply_xml": "<xml>好</xml>", "created_at": T1}],
    "schedulerlease": [{"name": "scheduler", "holder": "host:1:ab", "expires_at": T1}],
    "wecomtoken": [{"key": "corp:1000002", "token": "t" * 200, "expires_at": T2}],
}  # fmt: skip

# Tables that the last migration before the hardening one gained columns in.
BEFORE_HARDENING_ROWS: dict[str, list[dict[str, object]]] = {
    "account": [
        {"id": 1, "username": "admin", "password_hash": "scrypt$x", "role": "admin",
         "department_id": 1, "staff_id": 2, "active": True, "created_at": T1, "updated_at": T2,
         "last_login_at": None},
        {"id": 2, "username": "viewer", "password_hash": "scrypt$y", "role": "viewer",
         "department_id": None, "staff_id": None, "active": True, "created_at": T1,
         "updated_at": T1, "last_login_at": T2},
    ],
    "supervisioncode": [
        {"id": 1, "code": "QR7F3K", "department_id": 1, "staff_id": 1, "post_title": "窗口",
         "active": True, "created_at": T1},
    ],
    "rating": [
        {"id": 1, "code_id": 1, "department_id": 1, "staff_id": 1, "level": "bad",
         "tags": "态度差", "comment": "等了很久", "rated_on": date(2026, 11, 20),
         "dedupe_key": "r1", "is_followup": False, "created_at": T1},
    ],
    "workorder": [
        {"id": 1, "ticket": "GD0001", "rating_id": 1, "department_id": 1, "staff_id": 1,
         "is_complaint": True, "complaint": "等了很久", "contact_name": "王先生",
         "contact_phone": "13800000000", "status": "open", "opened_on": date(2026, 11, 20),
         "visit_due": date(2026, 11, 23), "rectify_due": date(2026, 11, 27), "visited_on": None,
         "visit_note": "", "rectified_on": None, "rectify_note": "", "closed_on": None,
         "close_note": "", "followup_rating_id": None, "created_at": T1, "updated_at": T1},
    ],
}  # fmt: skip


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
