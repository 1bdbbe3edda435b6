"""``make bench``: measurements printed as JSON lines (one object per figure)."""
