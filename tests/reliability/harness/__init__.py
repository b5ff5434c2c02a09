"""Process and fault harness for the reliability and security suites.

``processes`` starts real boxoffice processes with their logs captured and
kills them by pid; ``stack`` wires a deployment of them against one pair of
services; ``load`` drives a bounded mixed load and records every accepted
command; ``verify`` checks the invariants afterwards against the write model,
the topic and a clean replay.
"""
