"""Shipped reader profiles (one JSON file per reader model); see ``devices.idcard.profile``."""
