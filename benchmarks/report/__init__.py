"""The reports of a run: JSON (every figure), Markdown (tables and how to read them), PNG plots."""
