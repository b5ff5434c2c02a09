"""Read-only HTTP API over the projections' read views (port 8002).

Consistency tokens give read-your-writes; ETags come from projection versions
and watermarks, so revalidation costs one indexed select.
"""
