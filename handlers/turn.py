"""One message being answered: who sent it, when, the session to read, and their form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from backend.chat.conversations import FormSlot
from backend.models import Staff


@dataclass
class Turn:
    """What every conversation handler is given for one inbound message."""

    session: Session
    staff: Staff
    now: datetime
    form: FormSlot
    key: str = ""
