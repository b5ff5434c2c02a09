"""The live dashboard page: static HTML, JS and CSS served by the query API.

No build step and nothing fetched from elsewhere: the page polls the query
API's JSON endpoints (with ``If-None-Match``) and draws everything itself.
"""
