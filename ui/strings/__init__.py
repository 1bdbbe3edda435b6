"""User-facing Chinese text, one module per screen, so it can be reviewed in one place."""
