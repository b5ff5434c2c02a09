-- A best-available hold's run is locked seat by seat, each found by (show_id, seat_id)
-- in the primary key, whatever the planner estimates. 0009-0012 locked it with
-- `WHERE show_id = $show AND seat_id = ANY(run) ORDER BY seat_id FOR UPDATE SKIP
-- LOCKED`. After seat_inventory was analyzed (autovacuum's analyze, about a minute
-- into a hot on-sale), that statement could run as a walk of the show's whole
-- primary-key range in seat_id order, which needs no sort, with `seat_id = ANY(run)`
-- as a filter. Each attempt then read every seat of the show and every dead version
-- of the taken ones. A profile of the backends showed it: ExecEvalScalarArrayOp,
-- texteq and heap_hot_search_buffer under the lock's index scan. PostgreSQL's CPU per
-- hot hold then went from 0.2-2.5 ms to 8-19 ms for the rest of the session.
-- A join with unnest(run) was no cure: it could be planned as a merge join over the
-- same range, and measured 29-32 ms. The seats are now locked through a LATERAL
-- subquery that depends on each seat id, so the only plan is a primary-key lookup per
-- seat. The lock order (seat_id), SKIP LOCKED, the status judged on the locked rows,
-- and the function's signature, outcomes and bytes are as in 0012.
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
            -- seat by seat by the primary key (a LATERAL lookup per seat id: no plan can walk
            -- the show's range), the status judged on the locked rows (their latest version):
            -- with the status in the lock's WHERE, a plan may take the partial index
            -- seat_inventory_available by the show alone and read every free seat of the show
            SELECT array_agg(run.seat_id ORDER BY run.seat_id COLLATE "C") FILTER (WHERE locked.status = 'available')
            INTO v_locked
            FROM (SELECT seat_id FROM unnest(v_run) AS r(seat_id) ORDER BY seat_id) AS run
            CROSS JOIN LATERAL (SELECT s.status FROM write_model.seat_inventory AS s
                  WHERE s.show_id = p_show_id AND s.seat_id = run.seat_id
                  FOR UPDATE SKIP LOCKED) AS locked;
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
