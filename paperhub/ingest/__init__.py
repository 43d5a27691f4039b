"""Where papers come from: one module per source, each a pure parser plus the code that fetches or reads it."""
