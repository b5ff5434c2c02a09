"""ETags and Cache-Control.

ETags are strong and derived from what the body depends on (projection version
and watermarks) plus the variant of the resource, so a 304 needs no body read;
where no cheap version exists the body bytes are hashed instead.
"""

import hashlib

# Clients may keep a copy but must revalidate each time; revalidation is cheap.
PUBLIC = "public, no-cache"
PRIVATE = "private, no-cache"


def dashboard_variant(from_day: object, to_day: object, show_id: object, csv: bool) -> str:
    """The dashboard's cache variant (its ETag's first part): the route's and the lean path's."""
    return f"dashboard:{from_day}:{to_day}:{show_id}:{'csv' if csv else 'json'}"


def etag_for(*parts: object) -> str:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def etag_of_body(body: bytes) -> str:
    return f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """True when ``If-None-Match`` lists ``etag`` (weak comparison, as RFC 9110 asks) or is ``*``."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False
