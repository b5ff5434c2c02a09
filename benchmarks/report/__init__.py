"""The reports of a run: JSON (every figure), Markdown (tables), PNG plots; and publishing the latest one
to docs/bench, with docs/performance.md's generated "Latest figures" (``latest``, ``publish``)."""
