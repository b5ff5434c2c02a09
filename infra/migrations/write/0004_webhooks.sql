-- Webhooks: endpoints registered by operators and the deliveries owed to them.
-- The dispatcher records one delivery per (webhook, event) before it
-- acknowledges the event's offset; the unique key makes a re-read event a no-op.
CREATE TABLE write_model.webhooks (
    webhook_id uuid PRIMARY KEY,
    url text NOT NULL,
    event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
    description text,
    -- The HMAC key of the signatures; shown to the operator once, never served again.
    secret text NOT NULL,
    idempotency_key text,
    request_hash bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE UNIQUE INDEX webhooks_live_url ON write_model.webhooks (url) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX webhooks_idempotency_key ON write_model.webhooks (idempotency_key);

CREATE TABLE write_model.webhook_deliveries (
    delivery_id bigserial PRIMARY KEY,
    webhook_id uuid NOT NULL REFERENCES write_model.webhooks,
    event_id uuid NOT NULL,
    show_id uuid NOT NULL,
    seq bigint NOT NULL,
    event_type text NOT NULL,
    -- The event exactly as it was on the topic: the body of every POST.
    body bytea NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    last_status integer,
    last_error text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- A worker that claimed the delivery owns it until then (a crashed worker's claim lapses).
    leased_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    UNIQUE (webhook_id, event_id)
);
-- The head of each (webhook, show) lane is its lowest pending seq: deliveries go in seq order.
CREATE INDEX webhook_deliveries_lanes
    ON write_model.webhook_deliveries (webhook_id, show_id, seq)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_webhook
    ON write_model.webhook_deliveries (webhook_id, delivery_id);
