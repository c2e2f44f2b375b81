"""Industry clusters: thematic patent databases, their backfill, competitor tracking and landscapes."""
