"""HTTP entry points: parse, authorize, run a handler, map the result to a response."""
