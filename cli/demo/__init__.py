"""``boxoffice demo``: an on-sale simulator that drives the real stack over HTTP.

The simulator is a client like any checkout front end: it talks to the command
API and the query API over loopback HTTP only and imports no side of the
project, so what it shows is what a real deployment would do.
"""
