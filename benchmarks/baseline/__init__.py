"""The design boxoffice replaces: availability and dashboard computed by SQL on every request
over the write tables, behind an in-process TTL cache (60 s availability, 300 s dashboard)."""
