"""One widget per screen; the window switches between them as the session changes."""
