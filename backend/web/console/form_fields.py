"""Shared pieces of the web forms: typed fields on `inputs.py`'s rules, Chinese validator messages.

The app-wide CSRFProtect checks every POST before a view runs; FlaskForm's own CSRF field checks
the same token again (it passes once CSRFProtect has). Numbers follow the chat side's rules
(ASCII or full-width digits, bounded range), so `int()` and `float()` never see raw input.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar

from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, StringField
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import TextInput

from backend.common.values import MAX_ID, parse_day, parse_float, parse_int

MOMENT_FORMAT = "%Y-%m-%dT%H:%M"
T = TypeVar("T")


class Required:
    """A required field with a Chinese message; silent when the value already failed to parse."""

    field_flags: ClassVar[dict] = {"required": True}

    def __init__(self, label: str, message: str = "") -> None:
        self.message = message or f"请填写{label}"

    def __call__(self, form, field) -> None:
        """Stop the chain when the field is empty."""
        if field.process_errors:
            raise StopValidation()
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(self.message)


def required(label: str, message: str = "") -> Required:
    """A required-field validator with a Chinese message."""
    return Required(label, message)


def at_most(limit: int, label: str, message: str = "") -> Length:
    """A length limit with a Chinese message (the model column's length)."""
    return Length(max=limit, message=message or f"{label}不能超过{limit}字")


def _text(valuelist: list) -> str:
    return str(valuelist[0]) if valuelist else ""


def filled(value: T | None) -> T:
    """Return a validated required field's value (never empty once the form has validated)."""
    if value is None:
        raise ValueError("a required field is empty after validation")
    return value


def add_error(field: Field, message: str) -> None:
    """Show one more error next to a field (a check the form itself cannot make)."""
    field.errors = [*field.errors, message]


class TextField(StringField):
    """A text input whose value is stripped of surrounding whitespace."""

    data: str

    def process_formdata(self, valuelist: list) -> None:
        """Keep the stripped text."""
        self.data = _text(valuelist).strip()


class Secret(PasswordField):
    """A password input; a submitted form always gives text."""

    data: str


class _Parsed(Field):
    """A text input parsed into a value; empty gives None, bad input a Chinese error."""

    widget = TextInput()
    message = "格式不正确"
    raw: str

    def process_formdata(self, valuelist: list) -> None:
        """Parse the submitted text; remember it for showing the page again."""
        self.raw = _text(valuelist)
        self.data = self.parse(self.raw) if self.raw.strip() else None
        if self.raw.strip() and self.data is None:
            raise ValueError(self.message)

    def parse(self, raw: str) -> Any:
        """Return the value in `raw`, or None when it is not one."""
        raise NotImplementedError

    def _value(self) -> str:
        return getattr(self, "raw", None) or ("" if self.data is None else str(self.data))


class WholeNumber(_Parsed):
    """A whole number between `lo` and `hi`."""

    data: int | None

    def __init__(
        self, label: str = "", validators=None, *, lo: int = 0, hi: int = MAX_ID, message="", **kw
    ):
        super().__init__(label, validators, **kw)
        self.lo, self.hi = lo, hi
        self.message = message or f"{label}须为 {lo} 到 {hi} 之间的整数"

    def parse(self, raw: str) -> int | None:
        """Return the whole number, or None."""
        return parse_int(raw, self.lo, self.hi)


class DecimalNumber(_Parsed):
    """A finite decimal number between `lo` and `hi`."""

    data: float | None

    def __init__(
        self, label: str = "", validators=None, *, lo: float = 0, hi: float = 1000, message="", **kw
    ):
        super().__init__(label, validators, **kw)
        self.lo, self.hi = lo, hi
        self.message = message or f"{label}须为 {lo:g} 到 {hi:g} 之间的数字"

    def parse(self, raw: str) -> float | None:
        """Return the number, or None."""
        return parse_float(raw, self.lo, self.hi)


class Day(_Parsed):
    """A YYYY-MM-DD day between 2000 and 2100."""

    data: date | None

    def __init__(self, label: str = "", validators=None, **kw):
        super().__init__(label, validators, **kw)
        self.message = f"{label}格式不对或超出 2000–2100 年，请写成如 2027-01-01"

    def parse(self, raw: str) -> date | None:
        """Return the day, or None."""
        return parse_day(raw)


class Moment(_Parsed):
    """A `datetime-local` value (YYYY-MM-DDTHH:MM) between 2000 and 2100, without a zone."""

    data: datetime | None

    def __init__(self, label: str = "", validators=None, **kw):
        super().__init__(label, validators, **kw)
        self.message = f"{label}时间格式不对或不在 2000–2100 年之间，请重新选择"

    def parse(self, raw: str) -> datetime | None:
        """Return the naive date and time, or None."""
        try:
            moment = datetime.strptime(raw.strip(), MOMENT_FORMAT)
        except ValueError:
            return None
        return moment if parse_day(moment.date().isoformat()) else None


class Flag(Field):
    """A hidden or checkbox value that is on only when it is exactly "1"."""

    data: bool

    def process_formdata(self, valuelist: list) -> None:
        """On for "1", off for anything else."""
        self.data = _text(valuelist) == "1"


class IdList(Field):
    """Repeated id values (checkboxes); any value that is not an id is an error."""

    data: list[int]

    def process_formdata(self, valuelist: list) -> None:
        """Keep the distinct ids in the order given."""
        ids = [parse_int(raw) for raw in valuelist]
        self.data = list(dict.fromkeys(i for i in ids if i is not None))
        if None in ids:
            raise ValueError(f"{self.label.text}的取值无效")

    def _value(self) -> str:
        return ",".join(map(str, self.data or []))


class Choice(StringField):
    """A select whose allowed values are `choices` (often set by the view); a Chinese error else."""

    data: str
    choices: Sequence[tuple[str, str]]

    def __init__(self, label: str = "", validators=None, *, choices=(), message: str = "", **kw):
        super().__init__(label, validators, **kw)
        self.choices = list(choices)
        self.message = message or f"请选择有效的{label}"

    def process_formdata(self, valuelist: list) -> None:
        """Keep the submitted value as it is (missing keeps the field's default)."""
        if valuelist:
            self.data = _text(valuelist)

    def pre_validate(self, form) -> None:
        """Refuse a value outside the choices."""
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(self.message)


class WebForm(FlaskForm):
    """The base of every web form here; `row` names the list row a per-row form belongs to."""

    row: object = None

    def first_error(self) -> str:
        """Return the first error message (for a flash line over the re-rendered page)."""
        for errors in self.errors.values():
            for error in errors:
                return str(error)
        return ""
