"""The projections this code base knows, by name, and their production deployments."""

from contracts import EVENTS_TOPIC
from projections.dashboard import Dashboard
from projections.runtime.projection import Deployment, Projection
from projections.seat_availability import SeatAvailability

PROJECTIONS: dict[str, Projection] = {p.name: p for p in (SeatAvailability(), Dashboard())}


def deployment(name: str, topic: str = EVENTS_TOPIC) -> Deployment:
    """The production deployment of projection ``name``; raises KeyError naming the known ones."""
    if name not in PROJECTIONS:
        raise KeyError(f"unknown projection {name!r}; known: {', '.join(sorted(PROJECTIONS))}")
    return Deployment(PROJECTIONS[name], name, topic)
