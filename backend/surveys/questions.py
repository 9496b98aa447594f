"""Answers and scores, pure: read an answer, check it, turn it into points, score a response.

Scoring (also shown on the console survey page):

* Every question has a weight w ≥ 0; free-text questions always have weight 0 (not scored).
* An answer earns points p between 0 and 100:
  - single choice: the chosen option's score;
  - multiple choice: the sum of the chosen options' scores, capped at 100;
  - rating 1–N (N = 5 or 10): (v − 1) ÷ (N − 1) × 100;
  - score 0–100: the number itself.
* A response's score is Σ(w·p) ÷ Σ(w) over the weighted questions it answered (an optional
  question left blank drops out of both sums); no weighted answer means no score.
* A department's score is the mean of the scores of the responses that evaluate it, shown
  rounded half-up to two decimals (99.7 = 99.70).
* Options without a score get 100 for the first down to 0 for the last, evenly:
  round(100 × (n − i) ÷ (n − 1), 2) for option i of n (i from 1).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from backend.common.values import parse_int
from backend.models.surveys import QuestionKind, SurveyQuestion
from backend.surveys import texts
from bot.neutral import strip_controls

TEXT_LIMIT = 1000
RATING_TOPS = {QuestionKind.RATING5: 5, QuestionKind.RATING10: 10}
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
_SEPARATORS = re.compile(r"[\s,，、;；]+")
_SCORE = re.compile(r"^\d{1,3}(\.\d)?$")


class AnswerError(ValueError):
    """The answer cannot be accepted; the message says why and what to give."""


@dataclass(frozen=True)
class Option:
    """One choice and the points it earns."""

    label: str
    score: float


def options_of(question: SurveyQuestion) -> list[Option]:
    """Return the question's options."""
    return list(_parse_options(question.options or "[]"))


@lru_cache(maxsize=4096)
def _parse_options(stored: str) -> tuple[Option, ...]:
    return tuple(Option(o["label"], float(o["score"])) for o in json.loads(stored))


def default_scores(count: int) -> list[float]:
    """Return 100 … 0 evenly spread over `count` options."""
    if count <= 1:
        return [100.0] * count
    return [round(100 * (count - 1 - i) / (count - 1), 2) for i in range(count)]


def is_blank(value: Any) -> bool:
    """Tell whether an answer value is empty (skipped)."""
    return value is None or value == "" or value == []


def read_text(question: SurveyQuestion, text: str) -> Any:
    """Read a typed answer (chat) into a value, or raise AnswerError."""
    text = text.strip()
    if question.kind == QuestionKind.MULTIPLE:
        numbers = [parse_int(p, 0, 9999) for p in _SEPARATORS.split(text) if p]
        if not numbers or None in numbers:
            raise AnswerError(texts.MULTIPLE_HINT.format(count=len(options_of(question))))
        return check(question, numbers)
    if question.kind == QuestionKind.TEXT:
        return check(question, text)
    return check(question, _number(question, text))


def _number(question: SurveyQuestion, text: str) -> int | float:
    if question.kind == QuestionKind.SINGLE:
        choice = parse_int(text, 0, 9999)
        if choice is None:
            raise AnswerError(texts.CHOICE_NOT_NUMBER.format(count=len(options_of(question))))
        return choice
    if question.kind == QuestionKind.SCORE:
        if not _SCORE.match(text):
            raise AnswerError(texts.SCORE_RANGE)
        return float(text)
    rating = parse_int(text, 0, 9999)
    if rating is None:
        raise AnswerError(texts.RATING_RANGE.format(top=RATING_TOPS[question.kind]))
    return rating


def check(question: SurveyQuestion, value: Any) -> Any:
    """Return the value when acceptable for the question, else raise AnswerError."""
    if isinstance(value, str):
        value = strip_controls(value).strip()
    if is_blank(value):
        if question.required:
            raise AnswerError(texts.REQUIRED)
        return None
    kind = question.kind
    if kind in CHOICE_KINDS:
        return _check_choices(question, value)
    if kind in RATING_TOPS:
        top = RATING_TOPS[kind]
        if not isinstance(value, int) or not 1 <= value <= top:
            raise AnswerError(texts.RATING_RANGE.format(top=top))
        return value
    if kind == QuestionKind.SCORE:
        if not isinstance(value, int | float) or not 0 <= value <= 100:
            raise AnswerError(texts.SCORE_RANGE)
        return value
    if len(str(value)) > TEXT_LIMIT:
        raise AnswerError(texts.TEXT_TOO_LONG.format(length=len(str(value)), limit=TEXT_LIMIT))
    return str(value)


def _check_choices(question: SurveyQuestion, value: Any) -> Any:
    count = len(options_of(question))
    chosen = value if isinstance(value, list) else [value]
    for number in chosen:
        if not isinstance(number, int) or not 1 <= number <= count:
            raise AnswerError(texts.CHOICE_UNKNOWN.format(number=number, count=count))
    if question.kind == QuestionKind.SINGLE:
        if len(chosen) != 1:
            raise AnswerError(texts.CHOICE_NOT_NUMBER.format(count=count))
        return chosen[0]
    if len(set(chosen)) != len(chosen):
        raise AnswerError(texts.MULTIPLE_REPEATED)
    return sorted(chosen)


def points(question: SurveyQuestion, value: Any) -> float | None:
    """Return the 0–100 points an answer earns (None for text or a blank answer)."""
    if is_blank(value) or question.kind == QuestionKind.TEXT:
        return None
    if question.kind == QuestionKind.SINGLE:
        return options_of(question)[value - 1].score
    if question.kind == QuestionKind.MULTIPLE:
        scores = options_of(question)
        return min(100.0, sum(scores[n - 1].score for n in value))
    if question.kind in RATING_TOPS:
        return (value - 1) / (RATING_TOPS[question.kind] - 1) * 100
    return float(value)


def response_score(questions: list[SurveyQuestion], values: dict[int, Any]) -> float | None:
    """Return Σ(w·p) ÷ Σ(w) over the weighted questions answered (None when there are none)."""
    weighted = total = 0.0
    for question in questions:
        answer = None if question.id is None else values.get(question.id)
        earned = points(question, answer)
        if earned is None or question.weight <= 0:
            continue
        weighted += question.weight * earned
        total += question.weight
    return weighted / total if total else None


def rounded(score: float | None) -> float | None:
    """Round a score half-up to two decimals for display and reports."""
    if score is None:
        return None
    return float(Decimal(repr(score)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def describe(question: SurveyQuestion, value: Any) -> str:
    """Return a short human text for an answer (summaries and exports)."""
    if is_blank(value):
        return "（未答）"
    if question.kind in CHOICE_KINDS:
        labels = [o.label for o in options_of(question)]
        chosen = value if isinstance(value, list) else [value]
        return "、".join(labels[n - 1] for n in chosen)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
