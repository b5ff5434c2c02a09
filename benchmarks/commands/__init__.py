"""The command benchmark: holds against the whole stack, load from wrk (``python -m benchmarks.commands``).

The side-by-side benchmark (``boxoffice bench``) drives its command cases with
a Python client, which on a small machine measures itself as much as the
command API. This one drives them with wrk (``benchmarks.wrk``), measures the
generator's floor in the same run, and refuses a non-durable PostgreSQL unless
told otherwise. Parts: ``config`` (cases, zone plans), ``durability``,
``setup`` (venues and shows), ``quiet`` (idle pipeline between cases), ``run``,
``report``, ``cli``.
"""
