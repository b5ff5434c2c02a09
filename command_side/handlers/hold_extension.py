"""Extending a live hold while its customer is still paying."""

from sqlalchemy.ext.asyncio import AsyncConnection

from command_side.adapters import holds_repo, seat_inventory
from command_side.domain.commands import ExtendHold
from command_side.domain.hold_limits import decide_extension
from command_side.domain.holds import HoldPolicy
from command_side.handlers.holds import locked_hold
from command_side.handlers.runner import CommandContext, Decision, Handler
from contracts import HoldExtended


def extend_hold(command: ExtendHold, policy: HoldPolicy) -> Handler:
    """Move a live hold's expiry to ``ttl_seconds`` from now, capped at its maximum lifetime.

    The hold is read after its seats are locked, as every change of a hold does,
    so a concurrent order, release, expiry or take-over of the hold either
    happened before (409 ``hold_not_live``) or waits for this extension. The new
    expiry is written to the hold and to its seats (``held_until``, which decides
    whether another hold may take them), and HoldExtended is appended. An
    extension that would not move the expiry records nothing and answers the
    current one.
    """

    async def handle(conn: AsyncConnection, context: CommandContext) -> Decision:
        ttl = policy.ttl(command.ttl_seconds)
        hold, _ = await locked_hold(conn, command.hold_id, command.customer_id)
        extension = decide_extension(hold, ttl, policy.max_lifetime, context.now)
        body = {
            "hold_id": hold.hold_id,
            "show_id": hold.show_id,
            "expires_at": extension.expires_at,
            "max_expires_at": extension.max_expires_at,
        }
        if not extension.extended:
            return Decision("done", body)
        event = HoldExtended(
            hold_id=hold.hold_id,
            customer_id=hold.customer_id,
            seat_ids=hold.seat_ids,
            expires_at=extension.expires_at,
        )
        writes = (
            seat_inventory.extend_held(hold.hold_id, extension.expires_at),
            holds_repo.extend_hold(hold.hold_id, extension.expires_at),
        )
        return Decision("done", body, show_id=hold.show_id, events=(event,), writes=writes)

    return handle
