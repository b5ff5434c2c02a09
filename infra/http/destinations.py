"""Which URLs boxoffice may send HTTP requests to on an operator's behalf (webhooks).

Only ``http`` and ``https`` URLs with a host are accepted. Unless private
destinations are allowed, every address the host resolves to must be a public
one: loopback, link-local, private, multicast, reserved and unspecified
addresses are refused, so a registered URL cannot reach the machine's own
services or its network. The check is made on the resolved addresses (a name
that resolves to 127.0.0.1 is refused like the address itself) and is repeated
at every delivery, which then connects to the address that was checked.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Literal
from urllib.parse import SplitResult, urlsplit

from pydantic_settings import BaseSettings, SettingsConfigDict

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2000


class DestinationRefusedError(ValueError):
    """The URL may not be called: bad shape, unresolvable, or a non-public address."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Destination:
    """A checked URL and the address to connect to."""

    url: SplitResult
    address: IpAddress

    @property
    def host(self) -> str:
        return self.url.hostname or ""

    def pinned_url(self) -> str:
        """The URL with its host replaced by the checked address (the Host header keeps the name)."""
        host = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        netloc = f"{host}:{self.url.port}" if self.url.port else host
        return self.url._replace(netloc=netloc).geturl()

    def host_header(self) -> str:
        return self.url.netloc.rpartition("@")[2]


def is_public(address: IpAddress) -> bool:
    """An address on the internet: not loopback, link-local, private, multicast, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


def parse_url(url: str) -> SplitResult:
    """The URL split, if it is an absolute http(s) URL with a host and no credentials."""
    if len(url) > MAX_URL_LENGTH:
        raise DestinationRefusedError("url_invalid", f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise DestinationRefusedError("url_invalid", f"the URL cannot be parsed: {exc}") from exc
    if parts.scheme not in SCHEMES:
        raise DestinationRefusedError("url_invalid", "only http and https URLs are accepted")
    if not parts.hostname:
        raise DestinationRefusedError("url_invalid", "the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise DestinationRefusedError("url_invalid", "credentials in the URL are not accepted")
    return parts


async def resolve(host: str, port: int) -> list[IpAddress]:
    """Every address ``host`` resolves to (an address literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DestinationRefusedError("url_unresolvable", f"the host {host!r} does not resolve") from exc
    return [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in infos]


async def check_destination(url: str, *, allow_private: bool) -> Destination:
    """The URL checked and pinned to one of its addresses; raises DestinationRefusedError."""
    parts = parse_url(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolve(parts.hostname or "", port)
    if not addresses:
        raise DestinationRefusedError("url_unresolvable", "the host resolves to no address")
    refused = [a for a in addresses if not is_public(a)]
    if refused and not allow_private:
        raise DestinationRefusedError(
            "url_refused",
            f"the host resolves to a non-public address ({refused[0]}); "
            "set BOXOFFICE_WEBHOOK_ALLOW_PRIVATE=1 to allow private destinations",
        )
    return Destination(parts, addresses[0])


class DestinationSettings(BaseSettings):
    """Whether webhooks may target private addresses (``BOXOFFICE_WEBHOOK_ALLOW_PRIVATE``).

    Unset: allowed in development (receivers on localhost), refused in production.
    """

    model_config = SettingsConfigDict(env_prefix="BOXOFFICE_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    webhook_allow_private: bool | None = None

    @property
    def allow_private(self) -> bool:
        if self.webhook_allow_private is None:
            return self.environment == "development"
        return self.webhook_allow_private
