"""Limits on holds: how far a live hold may be extended, how many seats a customer may have of a show."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from command_side.domain.errors import Conflict
from command_side.domain.holds import HoldState


@dataclass(frozen=True, slots=True)
class Extension:
    """A hold's expiry after an extension, the latest it may ever have, and whether it moved."""

    expires_at: datetime
    max_expires_at: datetime
    extended: bool


def check_hold_extendable(hold: HoldState, now: datetime) -> None:
    """Only a live hold within its TTL can be extended: 409 ``hold_not_live`` for any other."""
    status = "expired" if hold.status == "live" and hold.expires_at <= now else hold.status
    if status != "live":
        raise Conflict("hold_not_live", f"this hold is {status}", status=status)


def decide_extension(hold: HoldState, ttl: int, max_lifetime: int, now: datetime) -> Extension:
    """The hold's new expiry: ``ttl`` seconds from now, capped at ``max_lifetime`` after it was made.

    An extension never shortens a hold: asking for less than it has left keeps
    its expiry (``extended`` False, nothing to record). When the cap alone stops
    it from moving (the hold already ends at or past it), 409 ``hold_lifetime_exceeded``.
    """
    check_hold_extendable(hold, now)
    latest = hold.created_at + timedelta(seconds=max_lifetime)
    wanted = now + timedelta(seconds=ttl)
    capped = min(wanted, latest)
    if capped > hold.expires_at:
        return Extension(capped, latest, extended=True)
    if wanted > hold.expires_at:
        raise Conflict(
            "hold_lifetime_exceeded",
            f"a hold lives at most {max_lifetime} seconds after it was made",
            expires_at=hold.expires_at,
            max_expires_at=latest,
        )
    return Extension(hold.expires_at, latest, extended=False)


def check_customer_limit(has: int, adding: int, limit: int) -> None:
    """409 ``customer_limit_reached`` if ``adding`` seats would take the customer past ``limit``
    seats of the show (``has``: in live holds and pending or paid orders); ``limit`` 0: no limit."""
    if limit and has + adding > limit:
        raise Conflict(
            "customer_limit_reached",
            f"a customer may hold or own at most {limit} seats of a show at once",
            limit=limit,
            customer_seats=has,
            requested=adding,
        )
