"""Validate what the web layer reads from paths, queries and forms: bad input is a 400, never a 500.

Values are read by `backend.common.values` (the same rules as the chat side's
`handlers.parsing.small_number`); this module turns a value that does not fit into a 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from urllib.parse import urlsplit

from flask import abort, request
from werkzeug.routing import IntegerConverter

from backend.common.values import MAX_DATE, MAX_ID, MIN_DATE, parse_day, parse_int

_UNSAFE_IN_TARGET = re.compile(r"[\x00-\x20\x7f\\]")


class BoundedIntegerConverter(IntegerConverter):
    """The `<int:...>` URL converter limited to ASCII digits and the id range: bigger values 404."""

    regex = r"[0-9]{1,19}"

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = 0,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def refuse_nul_characters() -> None:
    """Refuse a request with a NUL character anywhere (PostgreSQL cannot store one): a 400."""
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        texts += [*request.form.keys(), *request.form.values()]
    body = request.get_data(cache=True) if request.is_json else b""
    if any("\x00" in text for text in texts) or b"\x00" in body or b"\\u0000" in body:
        bad_input("请求中含有不允许的控制字符")


def bad_input(message: str):
    """Stop the request with a 400 and a Chinese message."""
    abort(400, description=message)


def _source(source: Mapping | None) -> Mapping:
    return request.values if source is None else source


def int_arg(
    name: str, lo: int = 0, hi: int = MAX_ID, *, default: int | None = None, source=None
) -> int | None:
    """Read a whole number field (query or form); empty gives `default`, bad input a 400."""
    raw = _source(source).get(name, "")
    if not str(raw).strip():
        return default
    value = parse_int(raw, lo, hi)
    if value is None:
        bad_input(f"参数 {name} 须为 {lo} 到 {hi} 之间的整数")
    return value


def date_arg(name: str, *, default: date | None = None, source=None) -> date | None:
    """Read a YYYY-MM-DD field between 2000 and 2100; empty gives `default`, bad input a 400."""
    raw = _source(source).get(name, "")
    if not str(raw).strip():
        return default
    value = parse_day(raw)
    if value is None:
        bad_input(f"参数 {name} 须为 {MIN_DATE} 到 {MAX_DATE} 之间的有效日期（如 2026-01-31）")
    return value


def safe_target(target: object, fallback: str, *, prefix: str = "/") -> str:
    """Return `target` when it is a same-site path under `prefix`, else `fallback`.

    No scheme or host, no `//` (another host to a browser), no backslashes (read as `/` by
    browsers), no spaces or control characters (CR/LF would break the Location header).
    """
    value = target if isinstance(target, str) else ""
    if not value.startswith(prefix) or value.startswith("//") or _UNSAFE_IN_TARGET.search(value):
        return fallback
    parts = urlsplit(value)
    return fallback if parts.scheme or parts.netloc else value
