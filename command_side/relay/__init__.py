"""The command worker: outbox relay (one leader) and hold/order expiry; republishing from the store."""
