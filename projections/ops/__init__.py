"""Operator tasks over projections: status, replay and swap, dead letters and redrive."""
