"""Choosing seats from a seat map the way a person does: together, in one row.

Pure functions over the query API's seat rows; the command API has the last
word (a pick from a slightly stale map can still get a 409), so these only
need to be good guesses.
"""

import random
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any


def available_runs(seats: Iterable[Mapping[str, Any]], exclude: Collection[str] = ()) -> list[list[str]]:
    """Runs of consecutive available seats, per row, in seat-number order."""
    rows: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for seat in seats:
        if seat.get("status") == "available" and seat["seat_id"] not in exclude:
            rows[(str(seat["zone_id"]), str(seat["row"]))].append((int(seat["number"]), str(seat["seat_id"])))
    runs: list[list[str]] = []
    for numbered in rows.values():
        numbered.sort()
        run: list[str] = []
        previous = None
        for number, seat_id in numbered:
            if previous is not None and number != previous + 1:
                runs.append(run)
                run = []
            run.append(seat_id)
            previous = number
        if run:
            runs.append(run)
    return runs


def pick_together(
    seats: Iterable[Mapping[str, Any]],
    quantity: int,
    rng: random.Random,
    exclude: Collection[str] = (),
) -> list[str]:
    """``quantity`` adjacent available seats from a random run long enough, else any available.

    Returns fewer than ``quantity`` seats only when fewer are available.
    """
    runs = available_runs(seats, exclude)
    long_enough = [r for r in runs if len(r) >= quantity]
    if long_enough:
        run = rng.choice(long_enough)
        start = rng.randrange(len(run) - quantity + 1)
        return run[start : start + quantity]
    # No run fits: split the party rather than lose the sale, like a box office would offer.
    scattered = [seat_id for run in runs for seat_id in run]
    rng.shuffle(scattered)
    return sorted(scattered[:quantity])
