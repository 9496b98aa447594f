"""The scheduler process and its job list."""
