"""Command handlers: load under locks, let the domain decide, then write state and events."""
