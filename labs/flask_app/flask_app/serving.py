"""Choose the addresses gunicorn listens on, for a laptop or for a container.

On a laptop the app should answer only on the loopback addresses of both families,
``127.0.0.1`` and ``[::1]``. In a container it must answer on every interface of both
families. Linux makes the second case subtle: with ``net.ipv6.bindv6only = 0`` (the
default) a socket bound to ``[::]`` is *dual-stack* and already receives IPv4 traffic,
with IPv4 clients shown as IPv4-mapped addresses such as ``::ffff:192.0.2.7``
(RFC 4291, section 2.5.5.2). Binding ``0.0.0.0`` as well then fails with "Address already in
use", so the right list depends on the host.
"""

from __future__ import annotations

import socket
from pathlib import Path

BINDV6ONLY = Path("/proc/sys/net/ipv6/bindv6only")


def ipv6_available(address: str = "::1") -> bool:
    """Tell whether an IPv6 socket can be bound to ``address`` on this host.

    Parameters
    ----------
    address : str
        IPv6 address to try, ``"::1"`` (loopback) or ``"::"`` (all interfaces).

    Returns
    -------
    bool
        False when the kernel has no IPv6 or the address is not configured.
    """
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind((address, 0))
    except OSError:
        return False
    return True


def v6only_default() -> bool:
    """Tell whether new IPv6 sockets are IPv6-only (``bindv6only = 1``) on this host."""
    try:
        return BINDV6ONLY.read_text().strip() == "1"
    except OSError:
        return False  # not Linux, or /proc not mounted: assume the usual dual-stack default


def choose_binds(port: int, *, bind_all: bool, ipv6: bool, v6only: bool) -> list[str]:
    """Return gunicorn ``bind`` strings for both address families.

    Parameters
    ----------
    port : int
        TCP port, 1-65535.
    bind_all : bool
        True in a container (all interfaces), False on a laptop (loopback only).
    ipv6 : bool
        Whether IPv6 is usable here (see :func:`ipv6_available`).
    v6only : bool
        Whether IPv6 sockets are IPv6-only by default (see :func:`v6only_default`).

    Returns
    -------
    list of str
        For example ``["127.0.0.1:5000", "[::1]:5000"]`` on a laptop, or ``["[::]:5000"]``
        in a container whose ``[::]`` socket is dual-stack.
    """
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port}: must be between 1 and 65535")
    if not bind_all:
        return [f"127.0.0.1:{port}", f"[::1]:{port}"] if ipv6 else [f"127.0.0.1:{port}"]
    if not ipv6:
        return [f"0.0.0.0:{port}"]
    if v6only:
        return [f"0.0.0.0:{port}", f"[::]:{port}"]
    return [f"[::]:{port}"]  # dual-stack: IPv4 clients arrive as ::ffff:a.b.c.d
