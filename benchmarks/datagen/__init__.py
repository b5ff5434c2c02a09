"""Fast data sets: events made with ``contracts``, bulk-loaded into the write model and a topic."""
