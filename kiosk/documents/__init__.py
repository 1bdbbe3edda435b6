"""What the terminal prints: the A4 report PDF and the receipt layout."""
