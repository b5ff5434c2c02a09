"""Pure rules of webhooks: signatures, retry delays, and which destinations are refused."""

import hashlib
import hmac
import ipaddress
import random
from datetime import UTC, datetime, timedelta

import pytest

from infra.http.destinations import DestinationRefusedError, check_destination, is_public, parse_url
from webhooks.backoff import RetryPolicy
from webhooks.signing import sign, verify


def test_a_signature_is_the_hex_hmac_sha256_of_the_body_and_verifies_only_with_its_secret() -> None:
    signature = sign("whsec_a", b'{"seq":1}')
    assert signature == "sha256=" + hmac.new(b"whsec_a", b'{"seq":1}', hashlib.sha256).hexdigest()
    assert verify("whsec_a", b'{"seq":1}', signature)
    assert not verify("whsec_b", b'{"seq":1}', signature)
    assert not verify("whsec_a", b'{"seq":2}', signature)


def test_delays_double_up_to_the_cap_with_jitter_below_each_step() -> None:
    policy = RetryPolicy(base_seconds=1.0, cap_seconds=8.0, give_up_after_seconds=86_400)
    rng = random.Random(7)
    for attempts, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0), (500, 8.0)]:
        delay = policy.delay(attempts, rng)
        assert ceiling / 2 <= delay <= ceiling


def test_a_delivery_is_given_up_once_its_retries_would_pass_the_window() -> None:
    policy = RetryPolicy(base_seconds=60.0, cap_seconds=3600.0, give_up_after_seconds=86_400)
    recorded = datetime(2026, 1, 1, tzinfo=UTC)
    assert (
        policy.next_attempt(attempts=3, recorded_at=recorded, now=recorded + timedelta(hours=1)) is not None
    )
    assert policy.next_attempt(attempts=30, recorded_at=recorded, now=recorded + timedelta(hours=24)) is None


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address to refuse, not one to bind
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "http:///nohost",
        "https://u:p@example.com/",
        "http://x:99999/",
    ],
)
def test_only_plain_http_urls_with_a_host_parse(url: str) -> None:
    with pytest.raises(DestinationRefusedError) as refused:
        parse_url(url)
    assert refused.value.code == "url_invalid"


async def test_an_address_literal_is_checked_without_resolution_and_pinned() -> None:
    with pytest.raises(DestinationRefusedError):
        await check_destination("http://127.0.0.1:8080/x", allow_private=False)
    allowed = await check_destination("https://[::1]:8443/hook?a=1", allow_private=True)
    assert allowed.pinned_url() == "https://[::1]:8443/hook?a=1"
    public = await check_destination("https://93.184.216.34/hook", allow_private=False)
    assert (public.pinned_url(), public.host_header()) == ("https://93.184.216.34/hook", "93.184.216.34")
