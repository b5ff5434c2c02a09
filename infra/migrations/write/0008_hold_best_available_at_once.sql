-- A best-available hold in one statement (write_model.hold_best_available_at_once),
-- the way write_model.hold_seats_at_once (0006) makes an explicit hold one.
-- It picks as command_side.handlers.best_available's first round does: among the
-- free seats of the zone's first page (the 128 front seats free now, available or
-- held by a lapsed hold, in row and seat order; a row the page may cut short is not
-- judged), the frontmost row with ``quantity`` adjacent seats, and there the run
-- closest to the row's centre, then the lower seat number. It locks that run with
-- SKIP LOCKED (never waiting on another command) and holds it only when every seat
-- is locked and available and the customer's limit allows; anything else (no run in
-- the page, a seat taken meanwhile or held by a lapsed hold, the limit, an unknown
-- show or zone) it leaves to the usual path, having written nothing (its own claim
-- deleted). The seat ids are only known here, so the event and the answer come cut
-- around both the seq and the seat ids' JSON array, which is spliced in from the
-- seat ids (whose characters, [A-Za-z0-9_-], JSON writes as they are) in seat id
-- order, as the usual path sorts them. Same lock order and guarantees as 0006.
CREATE FUNCTION write_model.hold_best_available_at_once(
    p_scope text,
    p_key text,
    p_request_hash bytea,
    p_show_id uuid,
    p_customer_id text,
    p_zone_id text,
    p_quantity integer,
    p_page integer,
    p_now timestamptz,
    p_limit integer,
    p_lock_space integer,
    p_hold_id uuid,
    p_expires_at timestamptz,
    p_event_id uuid,
    p_event_type text,
    p_head bytea,
    p_middle bytea,
    p_tail bytea,
    p_traceparent text,
    p_status_code integer,
    p_answer_head bytea,
    p_answer_middle bytea,
    p_answer_tail bytea,
    OUT outcome text,
    OUT last_seq bigint,
    OUT answer bytea,
    OUT stored_hash bytea,
    OUT stored_status integer
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_has bigint;
    v_row integer;
    v_first integer;
    v_pick text[];
    v_locked integer;
    v_seats bytea;
BEGIN
    IF p_key IS NOT NULL THEN
        INSERT INTO write_model.idempotency_keys (scope, idempotency_key, request_hash)
        VALUES (p_scope, p_key, p_request_hash) ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            SELECT request_hash, status_code, response INTO stored_hash, stored_status, answer
            FROM write_model.idempotency_keys WHERE scope = p_scope AND idempotency_key = p_key;
            outcome := 'claimed';
            RETURN;
        END IF;
    END IF;
    IF p_limit > 0 THEN
        PERFORM pg_advisory_xact_lock(p_lock_space, hashtext(CAST(p_show_id AS text) || '/' || p_customer_id));
        SELECT (SELECT COALESCE(sum(cardinality(seat_ids)), 0) FROM write_model.holds
                WHERE show_id = p_show_id AND customer_id = p_customer_id AND status = 'live'
                AND expires_at > p_now)
             + (SELECT COALESCE(sum(jsonb_array_length(lines)), 0) FROM write_model.orders
                WHERE show_id = p_show_id AND customer_id = p_customer_id
                AND (status = 'paid' OR (status = 'pending' AND pay_by > p_now)))
        INTO v_has;
    END IF;
    IF NOT (p_limit > 0 AND v_has + p_quantity > p_limit) THEN
        WITH page AS (
            SELECT seat_id, row_ordinal, row_seats, number FROM (
                (SELECT seat_id, row_ordinal, row_seats, number FROM write_model.seat_inventory
                 WHERE show_id = p_show_id AND zone_id = p_zone_id AND status = 'available'
                 AND row_ordinal >= 0 ORDER BY row_ordinal, number LIMIT p_page)
                UNION ALL
                (SELECT seat_id, row_ordinal, row_seats, number FROM write_model.seat_inventory
                 WHERE show_id = p_show_id AND zone_id = p_zone_id AND status = 'held'
                 AND order_id IS NULL AND held_until <= p_now AND row_ordinal >= 0)
            ) AS free ORDER BY row_ordinal, number LIMIT p_page
        ), judged AS (  -- the page's complete rows: all of them if the page ends the zone
            SELECT row_ordinal, row_seats, number,
                   lead(number, p_quantity - 1) OVER (PARTITION BY row_ordinal ORDER BY number) AS last
            FROM (SELECT *, count(*) OVER () AS n, max(row_ordinal) OVER () AS last_row FROM page) AS p
            WHERE n < p_page OR row_ordinal < last_row
        )
        SELECT row_ordinal, number INTO v_row, v_first FROM judged
        WHERE last - number = p_quantity - 1
        ORDER BY row_ordinal, abs(number + last - (row_seats + 1)), number LIMIT 1;
        IF FOUND THEN
            -- only available seats, so that the partial index seat_inventory_available finds
            -- them (without the status the zone's every seat is read); a run with a seat of a
            -- lapsed hold comes short and goes to the usual path, which expires that hold first
            SELECT array_agg(seat_id ORDER BY seat_id COLLATE "C") INTO v_pick
            FROM write_model.seat_inventory
            WHERE show_id = p_show_id AND zone_id = p_zone_id AND status = 'available'
            AND row_ordinal = v_row AND number BETWEEN v_first AND v_first + p_quantity - 1;
            SELECT count(*) INTO v_locked
            FROM (SELECT 1 FROM write_model.seat_inventory
                  WHERE show_id = p_show_id AND seat_id = ANY(v_pick) AND status = 'available'
                  ORDER BY seat_id FOR UPDATE SKIP LOCKED) AS locked;
        END IF;
    END IF;
    IF v_pick IS NULL OR v_locked <> p_quantity OR cardinality(v_pick) <> p_quantity
       OR EXISTS (SELECT 1 FROM unnest(v_pick) AS s(seat_id) WHERE seat_id !~ '^[A-Za-z0-9_-]+$') THEN
        IF p_key IS NOT NULL THEN
            DELETE FROM write_model.idempotency_keys WHERE scope = p_scope AND idempotency_key = p_key;
        END IF;
        outcome := 'usual';
        RETURN;
    END IF;
    v_seats := convert_to('["' || array_to_string(v_pick, '","') || '"]', 'UTF8');
    UPDATE write_model.seat_inventory
    SET status = 'held', hold_id = p_hold_id, order_id = NULL, held_until = p_expires_at
    WHERE show_id = p_show_id AND seat_id = ANY(v_pick);
    INSERT INTO write_model.holds (hold_id, show_id, customer_id, seat_ids, status, expires_at, created_at)
    VALUES (p_hold_id, p_show_id, p_customer_id, v_pick, 'live', p_expires_at, p_now);
    UPDATE write_model.shows SET stream_version = stream_version + 1
    WHERE show_id = p_show_id RETURNING stream_version INTO STRICT last_seq;
    INSERT INTO write_model.outbox (event_id, show_id, seq, event_type, body, occurred_at, traceparent)
    VALUES (p_event_id, p_show_id, last_seq, p_event_type,
            p_head || convert_to(CAST(last_seq AS text), 'UTF8') || p_middle || v_seats || p_tail,
            p_now, p_traceparent);
    answer := p_answer_head || v_seats || p_answer_middle || convert_to(CAST(last_seq AS text), 'UTF8')
              || p_answer_tail;
    IF p_key IS NOT NULL THEN
        UPDATE write_model.idempotency_keys SET status_code = p_status_code, response = answer
        WHERE scope = p_scope AND idempotency_key = p_key;
    END IF;
    outcome := 'held';
END
$$;
