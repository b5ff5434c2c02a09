"""Developer tools of the command side (load measurement); not used by the services."""
