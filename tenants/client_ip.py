"""The client's address, the one every per-address limit and audit row counts against.

Behind the reverse proxy (Caddy, an ingress) ``REMOTE_ADDR`` is the proxy's address, so every
customer would share one counter. The real address travels in ``X-Forwarded-For``, but any client
can send that header too. ``TRUSTED_PROXIES`` (comma-separated CIDRs, empty by default) names the
peers whose forwarded headers are believed:

* the peer (``REMOTE_ADDR``) is not a trusted proxy → the peer is the client; headers ignored;
* it is → the chain in ``X-Forwarded-For`` is read from the right (each proxy appends the address
  it saw), skipping further trusted proxies; the first untrusted hop is the client.

The header is parsed by python-ipware (django-ipware's engine: ports, IPv6 brackets, junk entries),
and django-ipware's ``get_client_ip`` picks the hop once the number of trusted hops is known.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip
from python_ipware.modern.parsers import split_proxy_chain

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address

FORWARDED_HEADER = "HTTP_X_FORWARDED_FOR"


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def trusted_networks() -> tuple[_Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(value: str) -> _Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address: str | None) -> bool:
    """True when ``address`` (a peer) is inside one of ``TRUSTED_PROXIES``."""
    parsed = _parse(address or "")
    if parsed is None:
        return False
    return any(parsed in network for network in trusted_networks())


def client_ip(request: HttpRequest) -> str:
    """The client's address as a string (``"unknown"`` when the server gave none)."""
    peer = str(request.META.get("REMOTE_ADDR") or "")
    if not peer or not is_trusted_proxy(peer):
        return peer or "unknown"
    chain = split_proxy_chain(str(request.META.get(FORWARDED_HEADER) or ""), False) or []
    if not chain:
        return peer
    trusted_hops = 0
    for hop in reversed(chain[1:]):
        if not is_trusted_proxy(str(hop)):
            break
        trusted_hops += 1
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=trusted_hops,
        request_header_order=[FORWARDED_HEADER],
        strict=False,
    )
    return address or peer
