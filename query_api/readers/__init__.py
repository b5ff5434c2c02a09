"""Readers: one indexed select (or a few) over the read views per resource; no aggregation
over orders or bookings happens here, the projections have done it."""
