"""Side-by-side benchmarks: boxoffice's read models against a compute-on-read baseline.

``python -m benchmarks`` (or ``boxoffice bench``) builds a private data set in a
private database and topic, runs every measurement (reads, scale, freshness,
commands, replay, floors) and writes a Markdown report, a JSON report and PNG
plots. See docs/performance.md for what each figure means.
"""
