"""``boxoffice events show`` and ``boxoffice events tail``: a show's stream and the live topic, for operators.

Both print the same one-line summaries (``cli.event_log.summary``); both only
read: the store through a read-only keyset walk, the topic through a consumer
without a group, which commits nothing and disturbs no consumer group.
"""
