"""What the tests share: processes, private databases and topics, waiting, and reading what processes expose.

- :mod:`tests.support.processes`: child processes (``infra.launcher.child``,
  which the benchmarks and the supervisor share), free ports, the environment
  and argv a child is started with;
- :mod:`tests.support.database`: a private database (empty or migrated) on the
  shared server, dropped afterwards, and one-shot queries;
- :mod:`tests.support.kafka`: a private topic, deleted afterwards, and one show's messages read back;
- :mod:`tests.support.launcher`: a private Kafka + PostgreSQL pair (own state dir and ports) a test may kill;
- :mod:`tests.support.tracing`: tracing on into memory for a test, off again afterwards;
- :mod:`tests.support.polling`: waiting for another process, within a bound, naming what was awaited;
- :mod:`tests.support.metrics`: a Prometheus exposition's samples by name and labels;
- :mod:`tests.support.status_cli`: ``boxoffice status`` run in a test, and an outbox state for it;
- :mod:`tests.support.alert_rules` (with ``promql_parse`` and ``promql_eval``): the alert rules
  evaluated in Python against promtool's test cases;
- :mod:`tests.support.http_stub`: a stub HTTP server recording the requests of a load generator.

The read model's names (views, columns, the dashboard's totals) are the agreement's own,
``contracts.read_model``: tests import them from there.

The projections' own test harness (an in-memory write side, its truth, and
helpers to run a projection against Kafka) is ``projections.testing``.
"""
