"""Request and response bodies of the command API (pydantic v2)."""

from dataclasses import dataclass
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, model_validator

from contracts.events import LAYOUT_ID
from infra.http.error_models import ErrorPublic

CustomerId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:@-]{1,100}$", examples=["cust-42"])]
ZoneId = Annotated[str, Field(pattern=LAYOUT_ID, examples=["A"])]
# PostgreSQL text cannot hold NUL; refusing it here keeps such input a 422
NO_NUL = r"^[^\x00]*$"
Cents = Annotated[StrictInt, Field(ge=0, le=10**12)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RowIn(_Body):
    row: str = Field(pattern=LAYOUT_ID, examples=["1"])
    seats: StrictInt = Field(ge=1, le=1000, description="Seats are numbered 1..seats.")


class ZoneIn(_Body):
    zone_id: ZoneId
    name: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    rows: list[RowIn] = Field(min_length=1, max_length=1000, description="Front row first.")


class VenueIn(_Body):
    name: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    zones: list[ZoneIn] = Field(min_length=1, max_length=100)


class ShowIn(_Body):
    venue_id: UUID
    title: str = Field(min_length=1, max_length=300, pattern=NO_NUL)
    starts_at: AwareDatetime
    prices: dict[ZoneId, Cents] = Field(description="Price in cents of every zone of the venue.")


class HoldIn(_Body):
    """Either ``seat_ids`` (1..20 explicit seats) or ``zone_id`` + ``quantity`` (1..10, best available)."""

    customer_id: CustomerId
    seat_ids: list[Annotated[str, Field(min_length=1, max_length=50, pattern=NO_NUL)]] | None = Field(
        default=None, max_length=100, examples=[["A-1-7", "A-1-8"]]
    )
    zone_id: ZoneId | None = None
    quantity: StrictInt | None = None
    ttl_seconds: StrictInt | None = Field(
        default=None, ge=-(10**9), le=10**9, description="Default 600, between 30 and 3600."
    )

    @model_validator(mode="after")
    def _one_way_to_choose(self) -> Self:
        self.choice()
        return self

    def choice(self) -> "tuple[str, ...] | BestOfZone":
        """The seats asked for: explicit ``seat_ids``, or the best of a zone; ValueError for neither."""
        explicit = self.seat_ids is not None
        best = self.zone_id is not None or self.quantity is not None
        if explicit == best:
            raise ValueError("send either seat_ids, or zone_id with quantity")
        if self.seat_ids is not None:
            return tuple(self.seat_ids)
        if self.zone_id is None or self.quantity is None:
            raise ValueError("best-available needs both zone_id and quantity")
        return BestOfZone(self.zone_id, self.quantity)


@dataclass(frozen=True, slots=True)
class BestOfZone:
    zone_id: str
    quantity: int


class HoldExtensionIn(_Body):
    ttl_seconds: StrictInt = Field(
        ge=-(10**9),
        le=10**9,
        description="The hold then expires this many seconds from now (between the hold TTL bounds, "
        "default 30 and 3600), but never later than BOXOFFICE_HOLD_MAX_LIFETIME_SECONDS after it was made.",
        examples=[300],
    )


class OrderIn(_Body):
    hold_id: UUID
    customer_id: CustomerId
    referrer_id: str | None = Field(default=None, min_length=1, max_length=100, pattern=NO_NUL)


class PaymentIn(_Body):
    payment_ref: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    amount_cents: StrictInt = Field(ge=0, le=10**14, description="Must equal the order's total_cents.")


class CancelIn(_Body):
    reason: str | None = Field(default=None, max_length=500, pattern=NO_NUL)


class _Answer(BaseModel):
    consistency_token: str = Field(description="Pass to the query API to read your own write.")


class VenueCreated(_Answer):
    venue_id: UUID
    seat_count: int


class ShowCreated(_Answer):
    show_id: UUID


class HoldCreated(_Answer):
    hold_id: UUID
    show_id: UUID
    seat_ids: list[str]
    expires_at: AwareDatetime


class HoldExtendedPublic(_Answer):
    hold_id: UUID
    show_id: UUID
    expires_at: AwareDatetime
    max_expires_at: AwareDatetime = Field(description="The latest expiry any extension can give this hold.")


class HoldReleasedPublic(_Answer):
    hold_id: UUID
    show_id: UUID
    status: str


class OrderCreated(_Answer):
    order_id: UUID
    show_id: UUID
    status: str
    total_cents: int
    seat_ids: list[str]
    pay_by: AwareDatetime


class OrderPaidPublic(_Answer):
    order_id: UUID
    status: str
    amount_cents: int


class OrderCancelledPublic(_Answer):
    order_id: UUID
    status: str
    refunded_cents: int


def documented(status: int, model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses of a command route: its success and the error shape of every refusal."""
    responses: dict[int | str, dict[str, Any]] = {status: {"model": model}}
    responses |= {code: {"model": ErrorPublic} for code in (401, 403, 404, 409, 413, 422, 503)}
    return responses
