-- A customer may hold or own a limited number of seats of a show at once
-- (BOXOFFICE_MAX_SEATS_PER_CUSTOMER). Each hold counts the customer's live holds
-- and open orders of the show; these partial indexes keep that count to the
-- customer's own few rows, whatever the size of the show.
CREATE INDEX holds_live_by_customer
    ON write_model.holds (show_id, customer_id)
    WHERE status = 'live';
CREATE INDEX orders_open_by_customer
    ON write_model.orders (show_id, customer_id)
    WHERE status IN ('pending', 'paid');
