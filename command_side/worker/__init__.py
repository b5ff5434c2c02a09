"""The command worker process (``process.CommandWorker``): while it holds the leader lock
(``leader``), the outbox relay (``relay``, ``publisher``, ``outbox_rows``, woken by ``wakeup``)
and the expiry of lapsed holds and overdue orders (``expirer``)."""
