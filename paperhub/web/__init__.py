"""The HTML front door."""
