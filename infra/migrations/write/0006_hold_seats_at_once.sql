-- An explicit hold in one statement (command_side.handlers.hold_at_once): the
-- command API sends one call of this function as a transaction of its own, so
-- the hold is one statement and one round trip. It does what the usual path
-- does, in the same order and under the same locks:
--   1. claims the Idempotency-Key (a racing duplicate waits: INSERT ... ON CONFLICT
--      waits for the transaction inserting the same key to end); when the
--      key is taken, it returns that key's stored answer and its request hash, and
--      writes nothing;
--   2. with a customer limit, takes the (show, customer) advisory lock of
--      command_side.adapters.customer_seats and counts the customer's seats
--      afterwards (a VOLATILE function's every statement takes a new snapshot
--      under READ COMMITTED, so the count sees every hold committed before the
--      lock was granted);
--   3. locks the requested seats in seat id order;
--   4. only when every seat exists, every one is available (not held, not even
--      by a lapsed hold) and the customer stays within the limit: marks the seats
--      held, inserts the hold, bumps the show's stream last (its row locked until
--      commit: gapless seqs in commit order), inserts the outbox rows with the
--      real seq spliced into the event bytes, stores the answer under the key.
-- Otherwise it deletes its own claim and answers 'usual': nothing was written,
-- and the caller runs the hold the usual way, which decides and answers the
-- refusal (or expires the lapsed holds first).
-- The caller's connection must be READ COMMITTED (the count in step 2 relies on
-- each statement's own snapshot). The hold's one event (SeatsHeld) comes as
-- scalars: the driver's adapting of arrays of one cost a good part of a hold's
-- CPU. A hold of no seat is never one (the API refuses it before): answered
-- 'usual', having written nothing.
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
    IF coalesce(cardinality(p_seat_ids), 0) = 0 THEN
        outcome := 'usual';
        RETURN;
    END IF;
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
