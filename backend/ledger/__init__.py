"""The problem ledger (重点问题台账): findings, rectification, follow-up checks, reminders."""
