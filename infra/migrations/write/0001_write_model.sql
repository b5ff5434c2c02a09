-- The command side's write model: layout, shows, per-show seat inventory, holds,
-- orders, idempotency records and the outbox (the durable event store).
CREATE SCHEMA IF NOT EXISTS write_model;

CREATE TABLE write_model.venues (
    venue_id uuid PRIMARY KEY,
    name text NOT NULL,
    seat_count integer NOT NULL CHECK (seat_count > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE write_model.zones (
    venue_id uuid NOT NULL REFERENCES write_model.venues,
    zone_id text NOT NULL,
    name text NOT NULL,
    ordinal integer NOT NULL,
    PRIMARY KEY (venue_id, zone_id)
);

CREATE TABLE write_model.rows (
    venue_id uuid NOT NULL,
    zone_id text NOT NULL,
    row text NOT NULL,
    ordinal integer NOT NULL,
    seats integer NOT NULL CHECK (seats BETWEEN 1 AND 1000),
    PRIMARY KEY (venue_id, zone_id, row),
    FOREIGN KEY (venue_id, zone_id) REFERENCES write_model.zones
);

CREATE TABLE write_model.seats (
    venue_id uuid NOT NULL,
    seat_id text NOT NULL,
    zone_id text NOT NULL,
    row text NOT NULL,
    number integer NOT NULL CHECK (number >= 1),
    PRIMARY KEY (venue_id, seat_id),
    FOREIGN KEY (venue_id, zone_id, row) REFERENCES write_model.rows
);

-- stream_version is the seq of the show's last event; it is bumped with the
-- row locked until commit, which makes seq order the commit order of a show.
CREATE TABLE write_model.shows (
    show_id uuid PRIMARY KEY,
    venue_id uuid NOT NULL REFERENCES write_model.venues,
    title text NOT NULL,
    starts_at timestamptz NOT NULL,
    stream_version bigint NOT NULL CHECK (stream_version >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE write_model.show_prices (
    show_id uuid NOT NULL REFERENCES write_model.shows,
    zone_id text NOT NULL,
    price_cents bigint NOT NULL CHECK (price_cents >= 0),
    PRIMARY KEY (show_id, zone_id)
);

-- One row per seat of a show: the single place a seat's holder is recorded,
-- so a seat can never be in two live holds or orders.
CREATE TABLE write_model.seat_inventory (
    show_id uuid NOT NULL REFERENCES write_model.shows,
    seat_id text NOT NULL,
    zone_id text NOT NULL,
    row text NOT NULL,
    row_ordinal integer NOT NULL,
    row_seats integer NOT NULL,
    number integer NOT NULL,
    status text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'held', 'sold')),
    hold_id uuid,
    order_id uuid,
    -- expiry of the live hold holding the seat (copied so a lapsed hold is seen without a join)
    held_until timestamptz,
    PRIMARY KEY (show_id, seat_id),
    CHECK ((status = 'available') = (hold_id IS NULL AND order_id IS NULL)),
    CHECK (status <> 'sold' OR order_id IS NOT NULL)
);
CREATE INDEX seat_inventory_zone ON write_model.seat_inventory (show_id, zone_id);
CREATE INDEX seat_inventory_hold ON write_model.seat_inventory (hold_id) WHERE hold_id IS NOT NULL;
CREATE INDEX seat_inventory_order ON write_model.seat_inventory (order_id) WHERE order_id IS NOT NULL;

CREATE TABLE write_model.holds (
    hold_id uuid PRIMARY KEY,
    show_id uuid NOT NULL REFERENCES write_model.shows,
    customer_id text NOT NULL,
    seat_ids text[] NOT NULL,
    status text NOT NULL CHECK (status IN ('live', 'released', 'expired', 'ordered')),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz
);
CREATE INDEX holds_live_expiry ON write_model.holds (expires_at) WHERE status = 'live';

CREATE TABLE write_model.orders (
    order_id uuid PRIMARY KEY,
    show_id uuid NOT NULL REFERENCES write_model.shows,
    hold_id uuid NOT NULL UNIQUE REFERENCES write_model.holds,
    customer_id text NOT NULL,
    referrer_id text,
    lines jsonb NOT NULL,
    total_cents bigint NOT NULL CHECK (total_cents >= 0),
    status text NOT NULL CHECK (status IN ('pending', 'paid', 'cancelled', 'expired')),
    pay_by timestamptz NOT NULL,
    payment_ref text,
    paid_at timestamptz,
    refunded_cents bigint NOT NULL DEFAULT 0,
    cancel_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz
);
CREATE INDEX orders_pending_pay_by ON write_model.orders (pay_by) WHERE status = 'pending';

-- A command's Idempotency-Key, claimed in the command's own transaction: a
-- racing duplicate blocks on the primary key and then reads the stored answer.
CREATE TABLE write_model.idempotency_keys (
    scope text NOT NULL,
    idempotency_key text NOT NULL,
    request_hash bytea NOT NULL,
    status_code integer,
    response bytea,  -- the exact bytes of the first answer, replayed as they were
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, idempotency_key)
);

-- The durable event store: rows are never deleted; published_at marks relayed rows.
-- body holds the exact bytes published, so a re-publication is byte-identical.
CREATE TABLE write_model.outbox (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE,
    show_id uuid NOT NULL,
    seq bigint NOT NULL CHECK (seq >= 1),
    event_type text NOT NULL,
    body bytea NOT NULL,
    occurred_at timestamptz NOT NULL,
    published_at timestamptz,
    UNIQUE (show_id, seq)
);
CREATE INDEX outbox_unpublished ON write_model.outbox (position) WHERE published_at IS NULL;
