"""Event timestamps are UTC, whatever the time zone of the server or the database session.

A fold buckets by the date of a timestamp (``paid_at.date()`` is the sales day),
so two events about one payment must carry it in the same zone. A ``datetime``
built in Python with another offset is refused, so a producer that read a
value back in its session's zone fails loudly instead of moving a refund to
another day; text with an offset (from the wire) is read and normalised to UTC.
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator


def _refuse_non_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.utcoffset() not in (None, timedelta(0)):
        raise ValueError(f"event timestamps must be UTC, got offset {value.utcoffset()}; use astimezone(UTC)")
    return value


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, BeforeValidator(_refuse_non_utc), AfterValidator(_as_utc)]
"""An aware datetime in UTC: a non-UTC ``datetime`` object is refused, text is normalised."""
