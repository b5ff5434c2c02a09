"""The command side: command API, handlers, pure domain rules, write schema, outbox relay, expiry."""
