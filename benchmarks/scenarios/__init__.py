"""One module per measurement: floors, reads, freshness, commands, replay."""
