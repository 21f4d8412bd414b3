"""The client's address, taken in one place for sign-in lock-out, the access logs and rate limits.

Behind a TLS proxy every connection comes from the proxy, and the client's address is only
in ``X-Forwarded-For``, a header anyone can send. So the header is read only when the
connection comes from a proxy we trust (``TRUSTED_PROXIES``: addresses or networks), and
then walked from the right: each trusted proxy appends the address it received the request
from, so the first entry from the right that is not one of our proxies is the client.
Anything further left is whatever the client chose to send.

With no trusted proxies (the default), the connection's own address is the client's.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    # settings.py has already refused an entry that is not an address or network.
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _address(text: str) -> Address | None:
    """An address as a header or the server writes it, or None when it is not one.

    Accepts ``[2001:db8::1]``, ``[2001:db8::1]:443`` and ``192.0.2.1:443`` (some proxies add
    the port), drops an IPv6 zone (``fe80::1%eth0``) and reads an IPv4-mapped IPv6 address
    (``::ffff:192.0.2.1``, from a dual-stack socket) as the IPv4 address it is.
    """
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]
    if not text or len(text) > 45:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address as text; "" only when the server gave no usable address at all.

    A malformed entry in X-Forwarded-For ends the walk: everything left of it came through
    a hop we cannot name, so the last address we can vouch for (one of our proxies) stands.
    """
    peer = _address(str(request.META.get("REMOTE_ADDR") or ""))
    if peer is None:
        return ""
    networks = _trusted()
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    client = peer
    for entry in reversed(str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")):
        hop = _address(entry)
        if hop is None:
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)
