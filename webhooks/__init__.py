"""Webhooks: signed, retried HTTP deliveries of the events to endpoints operators registered.

A FastStream consumer of ``boxoffice.events`` records one delivery per matching
endpoint in PostgreSQL before acknowledging the event (at least once, deduplicated
by (webhook, event id)); delivery workers POST them, per (webhook, show) in seq
order, retrying with backoff for a day.
"""
