"""Template cards (button_interaction) whose button keys the form engine understands."""

from __future__ import annotations

import hashlib

from bot.replies import TemplateCardReply

MAX_BUTTONS = 6
KEY_SEPARATOR = "|"


def button_key(step: str, value: str) -> str:
    """Return the event key of a button that answers `value` to `step`."""
    return f"{step}{KEY_SEPARATOR}{value}"


def read_button_key(event_key: str) -> tuple[str, str] | None:
    """Split an event key into (step, value); None when it is not one of ours."""
    step, sep, value = event_key.partition(KEY_SEPARATOR)
    return (step, value) if sep else None


def task_id(userid: str, step: str, stamp: float) -> str:
    """Return a card task id unique per user, step and moment (WeCom's allowed characters)."""
    digest = hashlib.sha256(f"{userid}:{step}:{stamp}".encode()).hexdigest()[:16]
    return f"form_{step}_{digest}"[:128]


def button_card(
    *, title: str, description: str, step: str, buttons: list[tuple[str, str]], task: str
) -> TemplateCardReply:
    """Build a button_interaction card; each button answers its value to the step."""
    button_list = [
        {"text": label[:10], "style": 1 if i == 0 else 2, "key": button_key(step, value)}
        for i, (value, label) in enumerate(buttons[:MAX_BUTTONS])
    ]
    card = {
        "card_type": "button_interaction",
        "main_title": {"title": title[:26], "desc": description[:30]},
        "task_id": task,
        "button_list": button_list,
    }
    return TemplateCardReply(card=card)
