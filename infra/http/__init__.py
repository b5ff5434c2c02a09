"""HTTP plumbing both APIs share."""
