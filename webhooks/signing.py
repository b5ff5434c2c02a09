"""The signature of a delivery: ``sha256=<hex HMAC-SHA256 of the raw body, keyed by the secret>``."""

import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The ``X-Boxoffice-Signature`` value of ``body`` for a webhook with ``secret``."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the one ``sign`` makes (compared in constant time): what receivers do."""
    return hmac.compare_digest(sign(secret, body), signature)
