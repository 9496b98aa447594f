"""scheduled package."""

# Load the job list first, so an area module imported on its own finds `Job` defined.
import scheduled.jobs  # noqa: F401
