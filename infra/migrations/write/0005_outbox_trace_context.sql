-- The trace context of the command that wrote each outbox row (W3C traceparent,
-- e.g. 00-<trace id>-<span id>-01), so the relay's publish span continues the
-- command's trace and the Kafka record carries it on. NULL when the command was
-- not traced (tracing is off by default). Adding a nullable column without a
-- default rewrites nothing, so this is instant on a large outbox.
ALTER TABLE write_model.outbox ADD COLUMN traceparent text;
