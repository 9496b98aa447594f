"""A visitor's rating form, checked (pure): level on the scale, tags of that level, bounded text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.models.supervision import RatingLevel
from backend.supervision import texts
from backend.supervision.errors import SupervisionError
from bot.neutral import strip_controls

MAX_COMMENT = 500
MAX_CONTACT = 20
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})$")


@dataclass(frozen=True)
class RatingInput:
    """A visitor's validated answers."""

    level: RatingLevel
    tags: tuple[str, ...] = ()
    comment: str = ""
    complaint: bool = False
    contact_name: str = ""
    contact_phone: str = ""


def check_rating(
    scale: list[RatingLevel],
    *,
    level: str | None,
    tags: list[str],
    comment: str,
    complaint: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
) -> RatingInput:
    """Validate a visitor's form, raising SupervisionError with the first problem found."""
    if not level:
        raise SupervisionError(texts.NO_LEVEL)
    if level not in scale:
        raise SupervisionError(texts.LEVEL_NOT_ON_SCALE)
    chosen = RatingLevel(level)
    if any(tag not in texts.LEVEL_TAGS[chosen] for tag in tags):
        raise SupervisionError(texts.BAD_TAG)
    comment = strip_controls(comment).strip()
    if len(comment) > MAX_COMMENT:
        raise SupervisionError(texts.COMMENT_TOO_LONG.format(limit=MAX_COMMENT, count=len(comment)))
    if complaint and not comment:
        raise SupervisionError(texts.COMPLAINT_EMPTY)
    name, phone = strip_controls(contact_name).strip(), re.sub(r"\s", "", contact_phone)
    if len(name) > MAX_CONTACT:
        raise SupervisionError(texts.CONTACT_TOO_LONG)
    if phone and not PHONE.match(phone):
        raise SupervisionError(texts.BAD_PHONE)
    return RatingInput(chosen, tuple(dict.fromkeys(tags)), comment, complaint, name, phone)
