"""What the tests share: processes, private databases and topics, and the read models' names.

- :mod:`tests.support.processes`: child processes (``infra.launcher.child``,
  which the benchmarks and the supervisor share), free ports, the environment
  and argv a child is started with;
- :mod:`tests.support.database`: a private database (empty or migrated) on the
  shared server, dropped afterwards, and one-shot queries;
- :mod:`tests.support.kafka`: a private topic, deleted afterwards, and one show's messages read back;
- :mod:`tests.support.launcher`: a private Kafka + PostgreSQL pair (own state dir and ports) a test may kill;
- :mod:`tests.support.read_model`: the dashboard totals as the projection names them.
- :mod:`tests.support.tracing`: tracing on into memory for a test, off again afterwards.

The projections' own test harness (an in-memory write side, its truth, and
helpers to run a projection against Kafka) is ``projections.testing``.
"""
