-- Best-available holds read only the free seats of a zone's front rows, in row
-- and seat order, so a hold costs the same on a 200-seat and a 20,000-seat zone.
-- Available seats in layout order:
CREATE INDEX seat_inventory_available
    ON write_model.seat_inventory (show_id, zone_id, row_ordinal, number)
    WHERE status = 'available';
-- Seats of live holds by expiry, so the lapsed ones (free again) are found by range:
CREATE INDEX seat_inventory_lapsing
    ON write_model.seat_inventory (show_id, zone_id, held_until)
    WHERE status = 'held' AND order_id IS NULL;
