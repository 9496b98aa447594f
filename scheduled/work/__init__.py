"""Long work run as jobs: the kinds of job, their registry and the one runner."""
