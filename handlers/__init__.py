"""Conversations: what the bot answers to each message or event."""

from handlers.router import dispatch

__all__ = ["dispatch"]
