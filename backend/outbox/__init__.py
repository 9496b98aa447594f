"""Everything the system sends: the outbox table, its delivery worker, the access token."""
