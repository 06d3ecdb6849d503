"""Read what a reader types as an IPv4 or IPv6 address or network: the package's one parser.

Also the one home of the ``Network``, ``Address`` and ``Interface`` types, and of the
two questions ``ipaddress`` asks only of two networks of one family (:func:`within`,
:func:`overlap`), asked here of any two. Everything else in :mod:`cloudlab.net` builds on
this module, which imports nothing of the package but :mod:`cloudlab.checks`.
"""

# Ranges are written with an en dash (0–32), as in the book's text.

from __future__ import annotations

import ipaddress

from cloudlab.checks import digits, one_line

__all__ = [
    "Address",
    "Interface",
    "Network",
    "overlap",
    "parse_address",
    "parse_network",
    "split_prefix",
    "within",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Interface = ipaddress.IPv4Interface | ipaddress.IPv6Interface


def within(inner: Network, outer: Network) -> bool:
    """Whether ``inner`` lies entirely inside ``outer`` (False across IPv4/IPv6)."""
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False


def overlap(a: Network, b: Network) -> bool:
    """Whether two networks share an address (False across IPv4/IPv6)."""
    if isinstance(a, ipaddress.IPv4Network) and isinstance(b, ipaddress.IPv4Network):
        return a.overlaps(b)
    if isinstance(a, ipaddress.IPv6Network) and isinstance(b, ipaddress.IPv6Network):
        return a.overlaps(b)
    return False


# --------------------------------------------------------------------------- parsing


def _learner_reason(error: ValueError) -> str:
    """Turn one of ``ipaddress``'s messages into a sentence a learner can act on."""
    message = str(error)
    if "Expected 4 octets" in message:
        return "an IPv4 address is 4 numbers separated by dots, like 192.168.1.10"
    if "> 255" in message:
        return "each of the 4 numbers in an IPv4 address must be 0–255"
    if "Leading zeros" in message:
        return "leading zeros are not allowed (write 10.0.0.1, not 010.0.0.1)"
    if "has host bits set" in message:
        return "the address has host bits set"
    return f"not an IPv4 or IPv6 address or network ({message})"


def split_prefix(text: str) -> tuple[str, str | None]:
    """``"10.0.0.0 / 24"`` as ``("10.0.0.0", "24")``; no slash: ``(text, None)``."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r}: expected text such as 10.0.0.0/24")
    address, slash, prefix = text.partition("/")
    return address.strip(), (prefix.strip() if slash else None)


def parse_network(text: str | Network | Address) -> Network:
    """Read an IPv4 or IPv6 network the way people type it.

    Parameters
    ----------
    text : str or network or address
        ``"10.0.0.0/24"``, ``"10.1.2.3/24"`` (host bits are cleared: this is
        ``10.1.2.0/24``), a netmask form such as ``"10.0.0.0/255.255.255.0"``, or a
        bare address, which becomes a one-address network (``/32`` or ``/128``).
        ``ipaddress`` objects are accepted as they are.

    Returns
    -------
    IPv4Network or IPv6Network
        The canonical network.

    Raises
    ------
    ValueError
        With one line naming the input and the problem, e.g.
        ``"10.0.0.0/33: an IPv4 prefix is 0–32"`` or
        ``"banana: not an IPv4 or IPv6 address or network"``.
    """
    if isinstance(text, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return text
    if isinstance(text, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return ipaddress.ip_network(text)
    if not isinstance(text, str):
        raise ValueError(f"{text!r}: expected text such as 10.0.0.0/24")
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("nothing to read: type an address or network such as 10.0.0.0/24")
    if len(cleaned.splitlines()) > 1:
        raise ValueError(f"{one_line(cleaned)}: an address or network is one line of text")
    address_part, prefix_part = split_prefix(cleaned)
    if prefix_part is not None:
        cleaned = f"{address_part}/{prefix_part}"  # "10.0.0.0 / 24" -> "10.0.0.0/24"
    if "%" in address_part:
        zone = address_part[address_part.index("%") :]
        raise ValueError(
            f"{cleaned}: remove the zone index {zone!r}: it names a network interface "
            "on one machine and is not part of the address"
        )
    try:
        address = ipaddress.ip_address(address_part)
    except ValueError:
        address = None
    if address is None:
        # Let the stdlib say why (octet out of range, 3 octets, ...) when it looks like IPv4.
        if address_part.count(".") and ":" not in address_part:
            try:
                ipaddress.IPv4Address(address_part)
            except ValueError as error:
                raise ValueError(f"{cleaned}: {_learner_reason(error)}") from None
        raise ValueError(f"{cleaned}: not an IPv4 or IPv6 address or network")
    family = "IPv4" if address.version == 4 else "IPv6"
    if prefix_part is not None:
        if prefix_part == "":
            raise ValueError(f"{cleaned}: nothing after '/': add a prefix length such as /24")
        prefix = digits(prefix_part.removeprefix("-"))
        if prefix is not None:
            if prefix_part.startswith("-") or not 0 <= prefix <= address.max_prefixlen:
                raise ValueError(f"{cleaned}: an {family} prefix is 0–{address.max_prefixlen}")
        elif address.version == 6:
            raise ValueError(f"{cleaned}: after '/' an IPv6 network needs a prefix length 0–128")
    try:
        return ipaddress.ip_network(cleaned, strict=False)
    except ValueError as error:
        if prefix_part is not None and address.version == 6:
            raise ValueError(
                f"{cleaned}: after '/' an IPv6 network needs a prefix length 0–128"
            ) from None
        if prefix_part is not None:
            raise ValueError(
                f"{cleaned}: after '/' put a prefix length 0–32 or a netmask such as 255.255.255.0"
            ) from None
        raise ValueError(f"{cleaned}: {_learner_reason(error)}") from None


def parse_address(text: str | Address) -> Address:
    """Read a single IPv4 or IPv6 address.

    Parameters
    ----------
    text : str or address
        For example ``"192.0.2.7"`` or ``"2001:db8::1"``.

    Returns
    -------
    IPv4Address or IPv6Address

    Raises
    ------
    ValueError
        If the text is a network (has a ``/``) or is not an address.
    """
    if isinstance(text, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return text
    if not isinstance(text, str):
        raise ValueError(f"{text!r}: expected text such as 192.0.2.7")
    cleaned = text.strip()
    if len(cleaned.splitlines()) > 1:
        raise ValueError(f"{one_line(cleaned)}: an address is one line of text")
    if "/" in cleaned:
        raise ValueError(f"{cleaned}: expected one address, not a network with a prefix")
    network = parse_network(cleaned)
    return network.network_address
