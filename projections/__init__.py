"""Projections: read models folded from the event log, and the runtime that keeps them.

``projections.runtime`` consumes ``boxoffice.events`` and applies batches to
PostgreSQL together with the offsets they consumed; one package per read
model (``seat_availability``, ``dashboard``) holds its pure fold and its thin
SQL layer; ``projections.ops`` holds the operator tasks (status, replay, DLQ).
"""
