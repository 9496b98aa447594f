"""scheduled package."""
