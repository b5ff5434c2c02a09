"""The baseline's SQL: aggregation over the booking table (``seat_inventory``, one row per seat
of a show with its status and holder) and the order and hold tables, at request time.

Meanings match the read models (docs/internals.md): a seat of a pending order
or a live hold is ``held``; revenue is net of refunds; a refunded order leaves
``orders_paid`` and its payment day; sales by day are by UTC day of payment.
"""

from sqlalchemy import text

AVAILABILITY = text("""
SELECT z.zone_id, z.name, p.price_cents, count(*) AS capacity,
       count(*) FILTER (WHERE i.status = 'available') AS available,
       count(*) FILTER (WHERE i.status = 'held') AS held,
       count(*) FILTER (WHERE i.status = 'sold') AS sold
FROM write_model.shows s
JOIN write_model.zones z ON z.venue_id = s.venue_id
JOIN write_model.show_prices p ON p.show_id = s.show_id AND p.zone_id = z.zone_id
JOIN write_model.seat_inventory i ON i.show_id = s.show_id AND i.zone_id = z.zone_id
WHERE s.show_id = :show_id
GROUP BY z.zone_id, z.name, p.price_cents, z.ordinal
ORDER BY z.ordinal
""")

SHOW = text(
    "SELECT show_id, title, starts_at, stream_version FROM write_model.shows WHERE show_id = :show_id"
)

SEATS = text("""
SELECT i.seat_id, i.zone_id, i.row, i.number, i.status
FROM write_model.seat_inventory i
JOIN write_model.shows s ON s.show_id = i.show_id
JOIN write_model.zones z ON z.venue_id = s.venue_id AND z.zone_id = i.zone_id
WHERE i.show_id = :show_id
ORDER BY z.ordinal, i.row_ordinal, i.number
""")

TOTALS = text("""
SELECT count(*) FILTER (WHERE status = 'pending') AS orders_pending,
       count(*) FILTER (WHERE status = 'paid') AS orders_paid,
       count(*) FILTER (WHERE status = 'cancelled') AS orders_cancelled,
       count(*) FILTER (WHERE status = 'expired') AS orders_expired,
       coalesce(sum(jsonb_array_length(lines)) FILTER (WHERE status = 'paid'), 0) AS tickets_sold,
       coalesce(sum(total_cents) FILTER (WHERE status = 'paid'), 0)::bigint AS revenue_cents,
       coalesce(sum(refunded_cents), 0)::bigint AS refunded_cents,
       coalesce(sum(jsonb_array_length(lines)) FILTER (WHERE status = 'pending'), 0) AS pending_seats
FROM write_model.orders
""")

LIVE_HOLDS = text("""
SELECT count(*) AS live_holds, coalesce(sum(cardinality(seat_ids)), 0) AS seats
FROM write_model.holds WHERE status = 'live'
""")

SALES_BY_DAY = text("""
SELECT (paid_at AT TIME ZONE 'UTC')::date AS day, count(*) AS orders_paid,
       sum(jsonb_array_length(lines)) AS tickets_sold, sum(total_cents)::bigint AS revenue_cents
FROM write_model.orders WHERE status = 'paid'
GROUP BY 1 ORDER BY 1
""")

BY_SHOW = text("""
SELECT s.show_id, s.title, s.starts_at, count(*) AS capacity,
       count(*) FILTER (WHERE i.status = 'sold') AS sold,
       count(*) FILTER (WHERE i.status = 'held') AS held,
       coalesce(r.revenue_cents, 0) AS revenue_cents
FROM write_model.shows s
JOIN write_model.seat_inventory i ON i.show_id = s.show_id
LEFT JOIN (SELECT show_id, sum(total_cents)::bigint AS revenue_cents FROM write_model.orders
           WHERE status = 'paid' GROUP BY show_id) r ON r.show_id = s.show_id
GROUP BY s.show_id, s.title, s.starts_at, r.revenue_cents
ORDER BY s.starts_at, s.show_id
""")

BY_ZONE = text("""
SELECT i.show_id, i.zone_id, z.name, count(*) AS capacity,
       count(*) FILTER (WHERE i.status = 'sold') AS sold,
       coalesce(sum(p.price_cents) FILTER (WHERE i.status = 'sold'), 0)::bigint AS revenue_cents
FROM write_model.seat_inventory i
JOIN write_model.shows s ON s.show_id = i.show_id
JOIN write_model.zones z ON z.venue_id = s.venue_id AND z.zone_id = i.zone_id
JOIN write_model.show_prices p ON p.show_id = i.show_id AND p.zone_id = i.zone_id
GROUP BY i.show_id, i.zone_id, z.name
ORDER BY i.show_id, i.zone_id
""")

BY_REFERRER = text("""
SELECT referrer_id, count(*) AS orders_paid, sum(jsonb_array_length(lines)) AS tickets_sold,
       sum(total_cents)::bigint AS revenue_cents
FROM write_model.orders WHERE status = 'paid' AND referrer_id IS NOT NULL
GROUP BY referrer_id ORDER BY revenue_cents DESC, referrer_id
""")

# The indexes the replaced design had on its booking and order tables. "seat/show" is
# already the booking table's primary key (show_id, seat_id); the others are added here.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS baseline_booking_show_status ON write_model.seat_inventory (show_id, status)",
    "CREATE INDEX IF NOT EXISTS baseline_order_created_status ON write_model.orders (created_at, status)",
    "CREATE INDEX IF NOT EXISTS baseline_order_referrer_created"
    " ON write_model.orders (referrer_id, created_at)",
)
