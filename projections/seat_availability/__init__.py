"""Seat availability: per seat status, per zone and per show counts, per show watermark."""

from projections.seat_availability.projection import SeatAvailability

__all__ = ["SeatAvailability"]
