"""Network addresses: which client a request came from, behind trusted reverse proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(
    peer: str | None, forwarded_for: str | None, trusted_proxies: list[str]
) -> str | None:
    """The address of the client behind a request, as a normalised IP address string.

    ``peer`` is the address of the connection's other end; ``forwarded_for`` the
    ``X-Forwarded-For`` header (several headers joined with commas, in order);
    ``trusted_proxies`` the addresses or CIDR networks of our reverse proxies.

    ``X-Forwarded-For`` is believed only when the peer is a trusted proxy. Each proxy
    appends the address it received the request from, so the list is walked from the
    right, skipping trusted proxies: the first untrusted address is the client. Entries
    to the left of it were written by the client itself and are never believed.

    Malformed entries are ignored (never returned). As a trusted proxy wrote the entry,
    nothing left of it can be vouched for either: the walk ends there and the answer is
    the last trusted hop. When every entry is a trusted proxy, the client is one of our
    own machines: the leftmost entry is the answer. A peer that is not an IP address
    (a Unix socket) gives None.
    """
    peer_address = _parse(peer)
    if peer_address is None:
        return None
    networks = _networks(trusted_proxies)
    if not forwarded_for or not _is_trusted(peer_address, networks):
        return str(peer_address)
    answer = peer_address
    for entry in reversed(forwarded_for.split(",")):
        if not entry.strip():
            continue  # "a,,b" or a trailing comma: no entry at all
        address = _parse(entry)
        if address is None:
            break
        answer = address
        if not _is_trusted(address, networks):
            break
    return str(answer)


def _networks(entries: Iterable[str]) -> list[IPNetwork]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue  # Settings validate the list; a stray entry trusts nobody
    return networks


def _is_trusted(address: IPAddress, networks: list[IPNetwork]) -> bool:
    return any(address in network for network in networks)


def _parse(text: str | None) -> IPAddress | None:
    """An address from ``1.2.3.4``, ``1.2.3.4:5678``, ``::1`` or ``[::1]:5678``;
    IPv4-mapped IPv6 addresses become IPv4 and zones (``%eth0``) are dropped, so the text
    fits an address column. None when it is none of these."""
    if text is None:
        return None
    text = text.strip()
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not _is_port(rest)):
            return None
        text = host
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
        if not _is_port(":" + port):
            return None
        text = host
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id is not None:
            return ipaddress.IPv6Address(int(address))  # the zone means nothing elsewhere
    return address


def _is_port(text: str) -> bool:
    digits = text.removeprefix(":")
    return text.startswith(":") and digits.isdigit() and len(digits) <= 5
