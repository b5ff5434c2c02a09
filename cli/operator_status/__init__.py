"""``boxoffice status``: one read-only look at a running deployment, for an operator.

``collect`` gathers the facts (each probe on its own, so one service being down
never hides the others), ``report`` holds them and decides health, and
``cli.status_cmds`` prints them.
"""
