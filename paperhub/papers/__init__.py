"""Papers, their authors and categories: the hub's core data."""
