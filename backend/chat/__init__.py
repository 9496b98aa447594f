"""Inbound chat messages handled exactly once, and each member's conversation state."""
