"""What a form is: data (steps with prompts, parsers, conditions), run by the one engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from backend.chat.conversations import FormSlot
from backend.models import Staff
from bot.replies import Reply


class Invalid(ValueError):
    """The answer is not acceptable; the message says what is wrong and what to type."""


class GoBack(Exception):
    """The answer asks to return to the previous step (e.g. 否 to a confirmation)."""


@dataclass
class Context:
    """Everything a step needs: who is answering, when, and the answers so far."""

    session: Session
    staff: Staff
    now: datetime
    answers: dict[str, Any]
    key: str = ""
    form: FormSlot | None = None  # the member's form as it will be stored
    memo: dict[str, Any] = field(default_factory=dict)  # look-ups reused within one message

    @property
    def today(self) -> date:
        """Return the local date of `now`."""
        return self.now.date()


Prompt = Callable[[Context], str]
Parser = Callable[[Context, str], Any]
Condition = Callable[[Context], bool]
Buttons = Callable[[Context], list[tuple[str, str]]]


@dataclass(frozen=True)
class Step:
    """One question: its key, how to ask, how to read the answer, when it applies."""

    key: str
    label: str
    prompt: Prompt
    parse: Parser
    condition: Condition | None = None
    buttons: Buttons | None = None
    resets: tuple[str, ...] = ()

    def applies(self, ctx: Context) -> bool:
        """Return True when this step should be asked given the answers so far."""
        return self.condition is None or self.condition(ctx)


@dataclass(frozen=True)
class Form:
    """A named list of steps, a confirmation summary and what to do when confirmed."""

    name: str
    title: str
    steps: tuple[Step, ...]
    summary: Prompt
    finish: Callable[[Context], list[Reply]]
    extra: dict[str, Any] = field(default_factory=dict, hash=False)
    # The form's own reading of a text at its confirmation (such as "修改 2" to redo the second
    # of several entries): True when it changed the answers, which are then asked again.
    edit: Callable[[Context, str], bool] | None = None

    def step(self, key: str) -> Step | None:
        """Return the step with this key, or None."""
        return next((s for s in self.steps if s.key == key), None)

    def step_by_label(self, word: str) -> Step | None:
        """Return the step a member names in `修改 <步骤>` (by label or key)."""
        word = word.strip()
        if not word:
            return None
        return next((s for s in self.steps if word in (s.label, s.key)), None)
