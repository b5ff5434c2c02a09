"""HTTP plumbing of the query API: errors, auth, caching headers, metrics."""
