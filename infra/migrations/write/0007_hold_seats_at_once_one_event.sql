-- write_model.hold_seats_at_once (migration 0006) takes its one event (the hold's
-- SeatsHeld) as scalars instead of arrays of one: the command API's driver spent a
-- good part of a hold's CPU adapting those arrays. Same steps, same guarantees.
DROP FUNCTION write_model.hold_seats_at_once(
    text, text, bytea, uuid, text, text[], timestamptz, integer, integer, uuid, timestamptz,
    uuid[], text[], bytea[], bytea[], text, integer, bytea, bytea
);
CREATE FUNCTION write_model.hold_seats_at_once(
    p_scope text,
    p_key text,
    p_request_hash bytea,
    p_show_id uuid,
    p_customer_id text,
    p_seat_ids text[],
    p_now timestamptz,
    p_limit integer,
    p_lock_space integer,
    p_hold_id uuid,
    p_expires_at timestamptz,
    p_event_id uuid,
    p_event_type text,
    p_head bytea,
    p_tail bytea,
    p_traceparent text,
    p_status_code integer,
    p_answer_head bytea,
    p_answer_tail bytea,
    OUT outcome text,
    OUT last_seq bigint,
    OUT stored_hash bytea,
    OUT stored_status integer,
    OUT stored_response bytea
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_has bigint;
    v_free integer;
BEGIN
    IF p_key IS NOT NULL THEN
        INSERT INTO write_model.idempotency_keys (scope, idempotency_key, request_hash)
        VALUES (p_scope, p_key, p_request_hash) ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            SELECT request_hash, status_code, response INTO stored_hash, stored_status, stored_response
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
    SELECT count(*) FILTER (WHERE locked.status = 'available') INTO v_free
    FROM (SELECT status FROM write_model.seat_inventory
          WHERE show_id = p_show_id AND seat_id = ANY(p_seat_ids) ORDER BY seat_id FOR UPDATE) AS locked;
    IF v_free <> cardinality(p_seat_ids) OR (p_limit > 0 AND v_has + cardinality(p_seat_ids) > p_limit) THEN
        IF p_key IS NOT NULL THEN
            DELETE FROM write_model.idempotency_keys WHERE scope = p_scope AND idempotency_key = p_key;
        END IF;
        outcome := 'usual';
        RETURN;
    END IF;
    UPDATE write_model.seat_inventory
    SET status = 'held', hold_id = p_hold_id, order_id = NULL, held_until = p_expires_at
    WHERE show_id = p_show_id AND seat_id = ANY(p_seat_ids);
    INSERT INTO write_model.holds (hold_id, show_id, customer_id, seat_ids, status, expires_at, created_at)
    VALUES (p_hold_id, p_show_id, p_customer_id, p_seat_ids, 'live', p_expires_at, p_now);
    UPDATE write_model.shows SET stream_version = stream_version + 1
    WHERE show_id = p_show_id RETURNING stream_version INTO STRICT last_seq;
    INSERT INTO write_model.outbox (event_id, show_id, seq, event_type, body, occurred_at, traceparent)
    VALUES (p_event_id, p_show_id, last_seq, p_event_type,
            p_head || convert_to(CAST(last_seq AS text), 'UTF8') || p_tail, p_now, p_traceparent);
    IF p_key IS NOT NULL THEN
        UPDATE write_model.idempotency_keys
        SET status_code = p_status_code,
            response = p_answer_head || convert_to(CAST(last_seq AS text), 'UTF8') || p_answer_tail
        WHERE scope = p_scope AND idempotency_key = p_key;
    END IF;
    outcome := 'held';
END
$$;
