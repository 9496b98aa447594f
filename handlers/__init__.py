"""Conversations: what the bot answers to each message or event."""

from handlers.router import Dispatch, answer, needs_write

dispatch = Dispatch(needs_write=needs_write, answer=answer)

__all__ = ["Dispatch", "dispatch"]
