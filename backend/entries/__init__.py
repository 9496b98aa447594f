"""Duty entries, absences and their assisted review."""
