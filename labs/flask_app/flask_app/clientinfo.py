"""Describe the client's address and the X-Forwarded-For chain a request arrived with.

Pure functions, no Flask: they take strings and numbers and return plain data, so the
book can call them too. The address arithmetic is the standard library's ``ipaddress``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class AddressInfo:
    """What an address string says about the client.

    Attributes
    ----------
    address : str
        The address as received (may be anything a proxy wrote).
    version : int or None
        4 or 6, or None when the text is not an IP address.
    family : str
        ``"IPv4"``, ``"IPv6"``, ``"IPv4-mapped IPv6"`` or ``"unknown"``.
    ipv4_mapped : str or None
        For an IPv4-mapped IPv6 address, the IPv4 client inside it.
    """

    address: str
    version: int | None
    family: str
    ipv4_mapped: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "address": self.address,
            "version": self.version,
            "family": self.family,
            "ipv4_mapped": self.ipv4_mapped,
        }


@dataclass(frozen=True)
class Hop:
    """One entry of the X-Forwarded-For chain, or the TCP peer at its end.

    Attributes
    ----------
    address : str
        The text of the entry.
    source : str
        ``"header"`` for an ``X-Forwarded-For`` entry, ``"peer"`` for the TCP connection.
    trusted : bool
        Whether the app believes this entry.
    note : str
        One sentence a reader understands.
    """

    address: str
    source: str
    trusted: bool
    note: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "address": self.address,
            "source": self.source,
            "trusted": self.trusted,
            "note": self.note,
        }


def _without_port(text: str) -> str:
    """Drop a port from ``203.0.113.9:443`` or ``[2001:db8::1]:443`` (ALB client-port mode).

    An unbracketed IPv6 address (several colons) is left as it is.
    """
    if text.startswith("[") and "]" in text:
        return text[1 : text.index("]")]
    host, colon, port = text.rpartition(":")
    if colon and host.count(":") == 0 and port.isdigit():
        return host
    return text


def address_info(text: str | None) -> AddressInfo:
    """Classify a client address as IPv4, IPv6 or IPv4-mapped IPv6.

    Parameters
    ----------
    text : str or None
        What the server sees as the client address, e.g. ``"::ffff:192.0.2.7"``.

    Returns
    -------
    AddressInfo
        ``family`` is ``"unknown"`` for text that is not an IP address (a forged header
        behind a trusting proxy setting can put anything here).

    Examples
    --------
    >>> address_info("::ffff:192.0.2.7").ipv4_mapped
    '192.0.2.7'
    """
    raw = _without_port((text or "").strip())
    try:
        addr = ipaddress.ip_address(raw)
    except ValueError:
        return AddressInfo(address=raw, version=None, family="unknown")
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return AddressInfo(raw, 6, "IPv4-mapped IPv6", str(addr.ipv4_mapped))
    return AddressInfo(raw, addr.version, f"IPv{addr.version}")


def split_forwarded_for(header: str | None) -> list[str]:
    """Split an ``X-Forwarded-For`` header into its entries, leftmost first.

    Parameters
    ----------
    header : str or None
        The header value, e.g. ``"203.0.113.9, 10.0.1.23"``; several headers of the same
        name are joined with commas by the server before this point.

    Returns
    -------
    list of str
        Entries with surrounding spaces removed; empty entries dropped.
    """
    if not header:
        return []
    return [part.strip() for part in header.split(",") if part.strip()]


def client_address(peer: str, forwarded_for: list[str], trusted_hops: int) -> str:
    """Pick the client address the way werkzeug's ``ProxyFix(x_for=trusted_hops)`` does.

    Parameters
    ----------
    peer : str
        Address of the TCP peer (the last proxy, or the client itself).
    forwarded_for : list of str
        ``X-Forwarded-For`` entries, leftmost first.
    trusted_hops : int
        Number of proxies whose entries are believed.

    Returns
    -------
    str
        The entry the outermost trusted proxy wrote, or ``peer`` when no proxy is trusted
        or the header has fewer entries than trusted proxies.
    """
    if trusted_hops < 0:
        raise ValueError(f"trusted_hops={trusted_hops}: cannot be negative")
    if trusted_hops and len(forwarded_for) >= trusted_hops:
        return forwarded_for[-trusted_hops]
    return peer


def forwarded_chain(peer: str, forwarded_for: list[str], trusted_hops: int) -> list[Hop]:
    """Explain each ``X-Forwarded-For`` entry and the TCP peer, with what is trusted.

    Proxies append the address they received the request from, so the entries are read
    from the right: the last ``trusted_hops`` entries were written by proxies we run, the
    leftmost of those is the client address, and anything further left was written by
    someone we cannot check (often the client itself).

    Parameters
    ----------
    peer : str
        Address of the TCP peer.
    forwarded_for : list of str
        ``X-Forwarded-For`` entries, leftmost first.
    trusted_hops : int
        Number of proxies in front of the app (``TRUSTED_PROXY_HOPS``).

    Returns
    -------
    list of Hop
        One per header entry, leftmost first, then the TCP peer.
    """
    used = client_address(peer, forwarded_for, trusted_hops)
    count = len(forwarded_for)
    hops: list[Hop] = []
    for index, entry in enumerate(forwarded_for):
        from_right = count - index  # 1 = written by the proxy nearest to the app
        if trusted_hops == 0:
            note = "sent by the client or an unknown proxy: shown, never trusted (0 trusted hops)"
            trusted = False
        elif count < trusted_hops:
            note = "fewer entries than trusted proxies: the header is ignored"
            trusted = False
        elif from_right > trusted_hops:
            note = "written before the first trusted proxy: could be forged, not trusted"
            trusted = False
        elif from_right == trusted_hops:
            note = "written by the outermost trusted proxy: used as the client address"
            trusted = True
        else:
            note = "written by an inner trusted proxy: the address of another proxy"
            trusted = True
        hops.append(Hop(entry, "header", trusted, note))
    if used == peer:
        peer_note = "TCP connection: this is the client address"
    else:
        peer_note = "TCP connection from the nearest proxy"
    hops.append(Hop(peer, "peer", True, peer_note))
    return hops
