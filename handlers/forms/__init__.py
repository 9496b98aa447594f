"""Forms are data; one engine runs them (duty entry now, surveys later)."""

from handlers.forms.engine import (
    CONFIRM,
    IDLE_TIMEOUT,
    confirms,
    form_named,
    handle,
    handle_button,
    paused_title,
    register,
    register_factory,
    start,
)
from handlers.forms.model import Context, Form, GoBack, Invalid, Step

__all__ = [
    "CONFIRM",
    "IDLE_TIMEOUT",
    "Context",
    "Form",
    "GoBack",
    "Invalid",
    "Step",
    "confirms",
    "form_named",
    "handle",
    "handle_button",
    "paused_title",
    "register",
    "register_factory",
    "start",
]
