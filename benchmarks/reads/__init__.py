"""The read benchmark: reads at the machine's limit, load from wrk (``python -m benchmarks.reads``).

The query API against the same process's ``/healthz`` (the floor) and against
the compute-on-read baseline in its cached mode, on the same data, in one run,
while a paced background load of holds runs through the command API; an open
loop at a steady rate; freshness under holds; availability again with two
query API processes. Parts: ``config`` (sizes, rates, durations), ``loads``
(wrk command lines, the background hold load), ``run``, ``report``, ``cli``.
"""
