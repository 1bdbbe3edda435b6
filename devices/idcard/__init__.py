"""Identity-card readers: the card model, its parser and the drivers."""
