-- The one-statement holds as released: their shared steps as helper functions, a
-- best-available walk over several runs, and no durable flush on the path left to the
-- usual handler. (Measured in steps before release; docs/performance.md, #13.)
--
-- Steps the two holds (write_model.hold_seats_at_once, 0006, and
-- write_model.hold_best_available_at_once, 0008) share, instead of two copies of each:
--   write_model.claim_key: the Idempotency-Key's claim (a racing duplicate waits on
--     the key's row), or the stored answer of a key already claimed;
--   write_model.customer_seats_locked: the (show, customer) advisory lock of
--     command_side.adapters.customer_seats, then the customer's seats counted (each
--     statement of a VOLATILE function takes its own snapshot under READ COMMITTED,
--     so the count sees every hold committed before the lock was granted);
--   write_model.write_hold: the seats marked held, the hold, the show's stream last
--     bumped (its row locked until commit: gapless seqs in commit order), the outbox
--     row with the seq spliced into the event's bytes, the answer stored under the key;
--   write_model.leave_hold_to_usual_path: the claim deleted and the commit not waited
--     for. Such a call wrote nothing that stays (its claim inserted and deleted, row
--     locks), yet its transaction wrote WAL, so it paid a WAL flush before the usual
--     path's own durable commit. With synchronous_commit off for that transaction
--     nothing is at stake if a crash loses it, and a later durable commit flushes it.
-- Preconditions of the helpers, which nothing but the callers enforces: write_hold
-- marks seats held with no status guard (its caller locked every seat FOR UPDATE,
-- judged it available on the locked row and checked the customer's limit);
-- leave_hold_to_usual_path may only run in a transaction that wrote nothing but the
-- claim it deletes. So EXECUTE on both is revoked from PUBLIC: only their owner (the
-- migrating role, which the command side connects as through BOXOFFICE_DATABASE_URL)
-- and superusers may call them; the callers are SECURITY INVOKER. A deployment giving
-- the command API a role of its own must GRANT EXECUTE on both helpers to it.
-- When the customer's limit refuses an explicit hold, hold_seats_at_once answers
-- 'usual' before locking its seats.
--
-- The best-available walk. Under a hot on-sale every command's first try aims at the
-- same best run: with 0008 every loser of that run went to the usual path (73-98 % of
-- the holds on a 20,000-seat zone). Now the function does what the usual path's rounds
-- do (handlers.best_available), on the runs of the page's complete rows in its order
-- (frontmost row, most central run, lower seat number): the best run first; after each
-- lost round, one at random among the best 2, 4, 8... runs with no seat found taken,
-- up to 16 rounds. Each run is locked by its seat ids (the primary key) with SKIP
-- LOCKED, so it never waits for a seat another command locks (it does wait, as every
-- hold does, on a racing duplicate's claim, the customer lock and the show's row), and
-- is taken when every seat is locked and available on the locked rows (with the status
-- in the lock's WHERE, a plan may take the partial index seat_inventory_available by
-- the show alone and read every free seat of the show). Seats found taken rule out
-- every run that has them. A run with a seat of a lapsed hold ends the walk in round 0
-- (the usual path expires that hold and takes the run, as with 0008); from round 1 on
-- such runs are not candidates. p_quantity < 1 answers 'usual'. With no contention the
-- pick is 0008's. Anything else (no run left in the page, the limit, an unknown show
-- or zone) goes to the usual path, having written nothing but row locks.
-- Cost kept: seats locked in a lost round stay locked until the transaction ends (up
-- to 16 * p_quantity seats), so concurrent walks skip runs with them and the usual
-- explicit path waits on them. Releasing them (each round in a BEGIN ... EXCEPTION
-- block) measured no better, so it is not done.
-- Same signatures, lock order (claim -> customer lock -> seats -> show row), outcomes
-- and bytes as 0006 and 0008.
CREATE FUNCTION write_model.claim_key(
    p_scope text,
    p_key text,
    p_request_hash bytea,
    OUT ours boolean,
    OUT stored_hash bytea,
    OUT stored_status integer,
    OUT stored_response bytea
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    ours := true;  -- without a key there is nothing to claim
    IF p_key IS NOT NULL THEN
        INSERT INTO write_model.idempotency_keys (scope, idempotency_key, request_hash)
        VALUES (p_scope, p_key, p_request_hash) ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            ours := false;
            SELECT request_hash, status_code, response INTO stored_hash, stored_status, stored_response
            FROM write_model.idempotency_keys WHERE scope = p_scope AND idempotency_key = p_key;
        END IF;
    END IF;
END
$$;

CREATE FUNCTION write_model.customer_seats_locked(
    p_show_id uuid, p_customer_id text, p_now timestamptz, p_lock_space integer
) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_has bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock_space, hashtext(CAST(p_show_id AS text) || '/' || p_customer_id));
    SELECT (SELECT COALESCE(sum(cardinality(seat_ids)), 0) FROM write_model.holds
            WHERE show_id = p_show_id AND customer_id = p_customer_id AND status = 'live'
            AND expires_at > p_now)
         + (SELECT COALESCE(sum(jsonb_array_length(lines)), 0) FROM write_model.orders
            WHERE show_id = p_show_id AND customer_id = p_customer_id
            AND (status = 'paid' OR (status = 'pending' AND pay_by > p_now)))
    INTO v_has;
    RETURN v_has;
END
$$;

CREATE FUNCTION write_model.write_hold(
    p_show_id uuid,
    p_customer_id text,
    p_seat_ids text[],
    p_hold_id uuid,
    p_expires_at timestamptz,
    p_now timestamptz,
    p_event_id uuid,
    p_event_type text,
    p_traceparent text,
    p_head bytea,
    p_tail bytea,
    p_scope text,
    p_key text,
    p_status_code integer,
    p_answer_head bytea,
    p_answer_tail bytea,
    OUT last_seq bigint,
    OUT answer bytea
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
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
    answer := p_answer_head || convert_to(CAST(last_seq AS text), 'UTF8') || p_answer_tail;
    IF p_key IS NOT NULL THEN
        UPDATE write_model.idempotency_keys SET status_code = p_status_code, response = answer
        WHERE scope = p_scope AND idempotency_key = p_key;
    END IF;
END
$$;

CREATE FUNCTION write_model.leave_hold_to_usual_path(p_scope text, p_key text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_key IS NOT NULL THEN
        DELETE FROM write_model.idempotency_keys WHERE scope = p_scope AND idempotency_key = p_key;
    END IF;
    PERFORM set_config('synchronous_commit', 'off', true);  -- nothing of the call stays
END
$$;

CREATE OR REPLACE FUNCTION write_model.hold_seats_at_once(
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
    v_claim record;
    v_has bigint;
    v_free integer;
BEGIN
    IF coalesce(cardinality(p_seat_ids), 0) = 0 THEN
        outcome := 'usual';
        RETURN;
    END IF;
    v_claim := write_model.claim_key(p_scope, p_key, p_request_hash);
    IF NOT v_claim.ours THEN
        SELECT 'claimed', v_claim.stored_hash, v_claim.stored_status, v_claim.stored_response
        INTO outcome, stored_hash, stored_status, stored_response;
        RETURN;
    END IF;
    IF p_limit > 0 THEN
        v_has := write_model.customer_seats_locked(p_show_id, p_customer_id, p_now, p_lock_space);
    END IF;
    IF p_limit > 0 AND v_has + cardinality(p_seat_ids) > p_limit THEN
        v_free := -1;  -- the limit refuses it: its seats need no lock
    ELSE
        SELECT count(*) FILTER (WHERE locked.status = 'available') INTO v_free
        FROM (SELECT status FROM write_model.seat_inventory
              WHERE show_id = p_show_id AND seat_id = ANY(p_seat_ids) ORDER BY seat_id FOR UPDATE) AS locked;
    END IF;
    IF v_free <> cardinality(p_seat_ids) THEN
        PERFORM write_model.leave_hold_to_usual_path(p_scope, p_key);
        outcome := 'usual';
        RETURN;
    END IF;
    SELECT w.last_seq INTO last_seq
    FROM write_model.write_hold(p_show_id, p_customer_id, p_seat_ids, p_hold_id, p_expires_at, p_now,
                                p_event_id, p_event_type, p_traceparent, p_head, p_tail,
                                p_scope, p_key, p_status_code, p_answer_head, p_answer_tail) AS w;
    outcome := 'held';
END
$$;


COMMENT ON FUNCTION write_model.write_hold(
    uuid, text, text[], uuid, timestamptz, timestamptz, uuid, text, text, bytea, bytea, text, text,
    integer, bytea, bytea
) IS 'Step of the one-statement holds only. Precondition: the caller locked every seat of p_seat_ids '
     'and judged it available on the locked row, in this transaction, within the customer''s limit.';
COMMENT ON FUNCTION write_model.leave_hold_to_usual_path(text, text) IS
    'Step of the one-statement holds only. Precondition: the calling transaction wrote nothing but '
    'the key''s claim this deletes: it sets synchronous_commit off for the rest of the transaction.';
REVOKE EXECUTE ON FUNCTION write_model.write_hold(
    uuid, text, text[], uuid, timestamptz, timestamptz, uuid, text, text, bytea, bytea, text, text,
    integer, bytea, bytea
) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION write_model.leave_hold_to_usual_path(text, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION write_model.hold_best_available_at_once(
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
    v_claim record;
    v_has bigint;
    v_seat_ids text[];  -- the page's complete rows, in row and seat order
    v_starts integer[];  -- where each run starts in v_seat_ids, best run first
    v_lapsed boolean[];  -- whether each run has a seat of a lapsed hold
    v_open integer[];
    v_attempt integer;
    v_i integer;
    v_run text[];
    v_pick text[];
    v_locked text[];
    v_seats bytea;
    v_taken text[] := '{}';  -- the seats found taken
BEGIN
    IF p_quantity IS NULL OR p_quantity < 1 THEN
        outcome := 'usual';  -- nothing claimed or locked yet
        RETURN;
    END IF;
    v_claim := write_model.claim_key(p_scope, p_key, p_request_hash);
    IF NOT v_claim.ours THEN
        SELECT 'claimed', v_claim.stored_hash, v_claim.stored_status, v_claim.stored_response
        INTO outcome, stored_hash, stored_status, answer;
        RETURN;
    END IF;
    IF p_limit > 0 THEN
        v_has := write_model.customer_seats_locked(p_show_id, p_customer_id, p_now, p_lock_space);
    END IF;
    IF NOT (p_limit > 0 AND v_has + p_quantity > p_limit) THEN
        WITH page AS (
            SELECT seat_id, row_ordinal, row_seats, number, lapsed FROM (
                (SELECT seat_id, row_ordinal, row_seats, number, false AS lapsed
                 FROM write_model.seat_inventory
                 WHERE show_id = p_show_id AND zone_id = p_zone_id AND status = 'available'
                 AND row_ordinal >= 0 ORDER BY row_ordinal, number LIMIT p_page)
                UNION ALL
                (SELECT seat_id, row_ordinal, row_seats, number, true AS lapsed
                 FROM write_model.seat_inventory
                 WHERE show_id = p_show_id AND zone_id = p_zone_id AND status = 'held'
                 AND order_id IS NULL AND held_until <= p_now AND row_ordinal >= 0)
            ) AS free ORDER BY row_ordinal, number LIMIT p_page
        ), complete AS (  -- the page's complete rows: all of them if the page ends the zone
            SELECT *, row_number() OVER (ORDER BY row_ordinal, number) AS i
            FROM (SELECT *, count(*) OVER () AS n, max(row_ordinal) OVER () AS last_row FROM page) AS p
            WHERE n < p_page OR row_ordinal < last_row
        ), judged AS (
            SELECT i, row_ordinal, row_seats, number,
                   lead(number, p_quantity - 1) OVER seats AS last,
                   bool_or(lapsed) OVER (seats ROWS BETWEEN CURRENT ROW AND p_quantity - 1 FOLLOWING) AS lapsed
            FROM complete WINDOW seats AS (PARTITION BY row_ordinal ORDER BY number)
        )
        SELECT (SELECT array_agg(seat_id ORDER BY i) FROM complete),
               array_agg(i ORDER BY row_ordinal, abs(number + last - (row_seats + 1)), number),
               array_agg(lapsed ORDER BY row_ordinal, abs(number + last - (row_seats + 1)), number)
        INTO v_seat_ids, v_starts, v_lapsed
        FROM judged WHERE last - number = p_quantity - 1;
        FOR v_attempt IN 0 .. 15 LOOP
            -- the open runs (no seat found taken) among the best 1, 2, 4, 8... ones
            v_open := '{}';
            FOR v_i IN 1 .. coalesce(cardinality(v_starts), 0) LOOP
                CONTINUE WHEN v_attempt > 0 AND v_lapsed[v_i];  -- only the best run is left to the usual path
                CONTINUE WHEN v_taken && v_seat_ids[v_starts[v_i] : v_starts[v_i] + p_quantity - 1];
                v_open := v_open || v_i;
                EXIT WHEN cardinality(v_open) >= 2 ^ least(v_attempt, 10);
            END LOOP;
            EXIT WHEN cardinality(v_open) = 0;
            v_i := v_open[1 + floor(random() * cardinality(v_open))::integer];
            EXIT WHEN v_lapsed[v_i];  -- round 0: the usual path expires the lapsed hold and takes the run
            v_run := v_seat_ids[v_starts[v_i] : v_starts[v_i] + p_quantity - 1];
            -- by the primary key alone, the status judged on the locked rows (their latest
            -- version): with the status in the lock's WHERE, a plan may take the partial index
            -- seat_inventory_available by the show alone and read every free seat of the show
            SELECT array_agg(seat_id ORDER BY seat_id COLLATE "C") FILTER (WHERE status = 'available')
            INTO v_locked
            FROM (SELECT seat_id, status FROM write_model.seat_inventory
                  WHERE show_id = p_show_id AND seat_id = ANY(v_run)
                  ORDER BY seat_id FOR UPDATE SKIP LOCKED) AS locked;
            IF coalesce(cardinality(v_locked), 0) = p_quantity THEN
                v_pick := v_locked;
                EXIT;
            END IF;
            v_taken := v_taken || ARRAY(
                SELECT seat_id FROM unnest(v_run) AS s(seat_id) WHERE v_locked IS NULL OR seat_id <> ALL(v_locked));
        END LOOP;
    END IF;
    IF v_pick IS NULL
       OR EXISTS (SELECT 1 FROM unnest(v_pick) AS s(seat_id) WHERE seat_id !~ '^[A-Za-z0-9_-]+$') THEN
        PERFORM write_model.leave_hold_to_usual_path(p_scope, p_key);
        outcome := 'usual';
        RETURN;
    END IF;
    v_seats := convert_to('["' || array_to_string(v_pick, '","') || '"]', 'UTF8');
    SELECT w.last_seq, w.answer INTO last_seq, answer
    FROM write_model.write_hold(p_show_id, p_customer_id, v_pick, p_hold_id, p_expires_at, p_now,
                                p_event_id, p_event_type, p_traceparent, p_head, p_middle || v_seats || p_tail,
                                p_scope, p_key, p_status_code, p_answer_head || v_seats || p_answer_middle,
                                p_answer_tail) AS w;
    outcome := 'held';
END
$$;
