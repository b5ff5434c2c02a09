"""HTTP entry points: parse the request, call a reader, map the result to a response."""
