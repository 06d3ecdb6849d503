"""Run a tiny dual-stack TCP server on the loopback addresses; see which family connections use.

The live demo of the ``ipv4-and-ipv6`` chapter (tests: ``tests/test_web_dualstack.py``);
the model it shows for real is :mod:`cloudlab.sim.happy_eyeballs`.

Nothing here sends a packet off the machine: the server listens on the loopback
addresses ``127.0.0.1`` and ``::1`` only, the client connects to those, and
:func:`local_families` inspects the machine's own configuration (a UDP ``connect``
chooses a route and a source address without sending anything).

Use :class:`DualStackServer` as a context manager, or :func:`run_demo` for the whole
demonstration in one call::

    report = run_demo()
    print(report.text())
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from ipaddress import IPv6Address, ip_address, ip_network
from pathlib import Path
from types import TracebackType
from typing import Literal

from cloudlab import checks

__all__ = [
    "LOOPBACK_IPV4",
    "LOOPBACK_IPV6",
    "Connection",
    "DemoReport",
    "DualStackServer",
    "LocalAddress",
    "LocalFamilies",
    "Resolved",
    "connect",
    "has_ipv6_loopback",
    "local_families",
    "resolve",
    "run_demo",
]

Family = Literal["IPv4", "IPv6"]

LOOPBACK_IPV4 = "127.0.0.1"
LOOPBACK_IPV6 = "::1"
#: Seconds any single socket operation may take before the demo gives up.
DEFAULT_TIMEOUT = 2.0

_FAMILY_NAMES: dict[int, Family] = {socket.AF_INET: "IPv4", socket.AF_INET6: "IPv6"}


def _family_name(family: int) -> Family:
    return _FAMILY_NAMES[family]


def has_ipv6_loopback() -> bool:
    """Tell whether this machine can listen on the IPv6 loopback address ``::1``.

    Returns
    -------
    bool
        True when Python has IPv6 support and a socket can be bound to ``::1``.
    """
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind((LOOPBACK_IPV6, 0))
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Resolved:
    """One answer from :func:`socket.getaddrinfo`.

    Attributes
    ----------
    family : {"IPv4", "IPv6"}
        Address family of the answer.
    address : str
        The address.
    port : int
        The port, as given.
    """

    family: Family
    address: str
    port: int


def resolve(host: str, port: int) -> tuple[Resolved, ...]:
    """Ask the operating system what ``host`` means, in the order it would try them.

    This calls :func:`socket.getaddrinfo` for TCP. The order of the answers is the
    system's own choice (on most systems, RFC 6724 destination address selection).
    Use it with ``"localhost"`` or with literal addresses: any other name may make
    the system send a DNS query.

    Parameters
    ----------
    host : str
        A host name or a literal address.
    port : int
        TCP port number.

    Returns
    -------
    tuple of Resolved
        The answers, duplicates removed, in the system's order.

    Raises
    ------
    ValueError
        If the name does not resolve.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise ValueError(f"{host!r} does not resolve on this machine: {exc.strerror}") from None
    answers = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family in _FAMILY_NAMES:
            answers.append(Resolved(_family_name(family), str(sockaddr[0]), int(sockaddr[1])))
    return tuple(dict.fromkeys(answers))


class _Handler(socketserver.BaseRequestHandler):
    """Tell the client which listener took the call and which address it came from."""

    server: _Listener

    def handle(self) -> None:
        self.request.settimeout(self.server.timeout_s)
        peer = str(self.client_address[0])
        self.server.owner._record(self.server.family_name, peer)
        with contextlib.suppress(OSError):
            self.request.sendall(f"{self.server.family_name} {peer}\n".encode("ascii"))


class _Listener(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False

    def __init__(self, owner: DualStackServer, family: int, host: str, port: int) -> None:
        self.address_family = family
        self.owner = owner
        self.family_name = _family_name(family)
        self.timeout_s = owner.timeout
        super().__init__((host, port), _Handler, bind_and_activate=False)
        try:
            if family == socket.AF_INET6:
                # Listen for IPv6 only: never accept IPv4 through an IPv4-mapped address.
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            self.server_bind()
            self.server_activate()
        except BaseException:
            self.server_close()
            raise


@dataclass
class DualStackServer:
    """A small TCP server listening on ``127.0.0.1`` and, where possible, ``::1``.

    Both listeners share one port, chosen by the operating system unless given. Each
    connection is answered with one line, ``"<listener family> <peer address>"``, so a
    client learns which family carried it and what address the server saw.

    Use it as a context manager; the listeners run in daemon threads and are shut
    down and closed on exit.

    Parameters
    ----------
    port : int, optional
        TCP port; 0 (default) lets the system choose a free one.
    ipv6 : bool or None, optional
        Listen on ``::1`` too: True requires it, False skips it, None (default) uses
        it when the machine has an IPv6 loopback.
    timeout : float, optional
        Seconds each socket operation may take.

    Attributes
    ----------
    listening : list of (family, address)
        What the server listens on, once started.
    ipv6_note : str or None
        Why the IPv6 side was skipped, if it was.
    seen : list of (listener family, peer address)
        Every connection the server has accepted.
    """

    port: int = 0
    ipv6: bool | None = None
    timeout: float = DEFAULT_TIMEOUT
    listening: list[tuple[Family, str]] = field(default_factory=list, init=False)
    ipv6_note: str | None = field(default=None, init=False)
    seen: list[tuple[Family, str]] = field(default_factory=list, init=False)
    _listeners: list[_Listener] = field(default_factory=list, init=False, repr=False)
    _threads: list[threading.Thread] = field(default_factory=list, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        checks.fields(self)
        if not 0 <= int(self.port) <= 65535:
            raise ValueError(f"a TCP port is 0 to 65535 (got {self.port})")
        if not 0 < float(self.timeout) <= 60:
            raise ValueError(
                f"the timeout must be more than 0 and at most 60 s (got {self.timeout})"
            )

    def _record(self, family: Family, peer: str) -> None:
        with self._lock:
            self.seen.append((family, peer))

    def start(self) -> DualStackServer:
        """Bind, listen and start serving in background threads.

        Returns
        -------
        DualStackServer
            ``self``, to allow ``server = DualStackServer().start()``.
        """
        if self._listeners:
            raise ValueError("this server is already running")
        want_v6 = has_ipv6_loopback() if self.ipv6 is None else self.ipv6
        if self.ipv6 is None and not want_v6:
            self.ipv6_note = "this machine has no IPv6 loopback (::1), so only IPv4 is served"
        elif self.ipv6 is False:
            self.ipv6_note = "IPv6 was turned off for this server"
        attempts = 1 if self.port else 20
        for _ in range(attempts):
            v4 = _Listener(self, socket.AF_INET, LOOPBACK_IPV4, self.port)
            chosen = v4.server_address[1]
            if not want_v6:
                self._listeners = [v4]
                break
            try:
                v6 = _Listener(self, socket.AF_INET6, LOOPBACK_IPV6, chosen)
            except OSError:
                v4.server_close()
                if self.port:
                    raise
                continue  # that port is taken on ::1: try another one
            self._listeners = [v4, v6]
            break
        else:  # pragma: no cover - twenty busy ports in a row
            raise OSError("could not find a port that is free on both 127.0.0.1 and ::1")
        self.port = self._listeners[0].server_address[1]
        for listener in self._listeners:
            self.listening.append((listener.family_name, str(listener.server_address[0])))
            thread = threading.Thread(
                target=listener.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"dualstack-{listener.family_name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def close(self) -> None:
        """Stop the listeners and wait (briefly) for their threads to end."""
        for listener in self._listeners:
            listener.shutdown()
            listener.server_close()
        for thread in self._threads:
            thread.join(timeout=self.timeout)
        self._listeners.clear()
        self._threads.clear()

    @property
    def running(self) -> bool:
        """True while at least one listener thread is alive."""
        return any(t.is_alive() for t in self._threads)

    def __enter__(self) -> DualStackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class Connection:
    """What happened when the client connected to one address.

    Attributes
    ----------
    target : str
        The address the client connected to.
    family : {"IPv4", "IPv6"}
        The family of the client's socket.
    local : str
        The client's own address for this connection.
    server_family : {"IPv4", "IPv6"}
        Which listener answered, as reported by the server.
    server_saw : str
        The client address as the server saw it.
    """

    target: str
    family: Family
    local: str
    server_family: Family
    server_saw: str


def connect(address: str, port: int, *, timeout: float = DEFAULT_TIMEOUT) -> Connection:
    """Connect to a literal address and ask the server what it saw.

    Parameters
    ----------
    address : str
        A literal IPv4 or IPv6 address (no names: nothing is looked up).
    port : int
        TCP port of a :class:`DualStackServer`.
    timeout : float, optional
        Seconds for the connection and the reply.

    Returns
    -------
    Connection
        Both ends' view of the connection.

    Raises
    ------
    ValueError
        If ``address`` is not a literal address or the reply is not understood.
    OSError
        If nothing listens there (for example ``ConnectionRefusedError``).
    """
    try:
        infos = socket.getaddrinfo(
            address, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
        )
    except socket.gaierror:
        raise ValueError(f"{address!r} is not a literal IPv4 or IPv6 address") from None
    family, socktype, proto, _name, sockaddr = infos[0]
    with socket.socket(family, socktype, proto) as sock:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
        local = str(sock.getsockname()[0])
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(256)
            if not chunk:
                break
            data += chunk
    try:
        server_family, server_saw = data.decode("ascii").split()
    except ValueError:
        raise ValueError(f"unexpected reply from {address} port {port}: {data!r}") from None
    server: Family
    if server_family == "IPv4":
        server = "IPv4"
    elif server_family == "IPv6":
        server = "IPv6"
    else:
        raise ValueError(f"unexpected reply from {address} port {port}: {data!r}")
    return Connection(
        target=address,
        family=_family_name(family),
        local=local,
        server_family=server,
        server_saw=server_saw,
    )


@dataclass(frozen=True)
class DemoReport:
    """Everything :func:`run_demo` found out.

    Attributes
    ----------
    host : str
        The name that was looked up (normally ``"localhost"``).
    port : int
        The port the server used.
    listening : tuple of (family, address)
        What the server listened on.
    ipv6_note : str or None
        Why IPv6 was skipped, if it was.
    resolved : tuple of Resolved
        What ``getaddrinfo(host, port)`` returned, in order.
    connections : tuple of Connection
        One connection per address tried.
    by_name : Connection or None
        The connection :func:`socket.create_connection` made to ``(host, port)``:
        it tries the addresses in getaddrinfo's order and keeps the first that works.
    """

    host: str
    port: int
    listening: tuple[tuple[Family, str], ...]
    ipv6_note: str | None
    resolved: tuple[Resolved, ...]
    connections: tuple[Connection, ...]
    by_name: Connection | None

    def rows(self) -> list[dict[str, str]]:
        """Return one dict per connection, for a table."""
        return [
            {
                "connected to": c.target,
                "client socket family": c.family,
                "answered by listener": f"{c.server_family} {_listener_address(c.server_family)}",
                "server saw the client as": c.server_saw,
            }
            for c in self.connections
        ]

    def text(self) -> str:
        """Return the report as plain text."""
        lines = [
            "The server listens on: "
            + ", ".join(f"{addr} ({fam})" for fam, addr in self.listening)
            + f", port {self.port}"
        ]
        if self.ipv6_note:
            lines.append(f"Note: {self.ipv6_note}.")
        lines.append(f"getaddrinfo({self.host!r}, {self.port}) returned, in this order:")
        lines.extend(f"  {i}. {r.family:4}  {r.address}" for i, r in enumerate(self.resolved, 1))
        lines.append("Connections:")
        lines.extend(
            f"  to {c.target:<10} -> {c.family} socket; the server's {c.server_family} "
            f"listener saw the client as {c.server_saw}"
            for c in self.connections
        )
        if self.by_name is not None:
            lines.append(
                f"socket.create_connection(({self.host!r}, {self.port})) used "
                f"{self.by_name.family} ({self.by_name.target})."
            )
        return "\n".join(lines)


def _listener_address(family: Family) -> str:
    return LOOPBACK_IPV4 if family == "IPv4" else LOOPBACK_IPV6


def run_demo(host: str = "localhost", *, timeout: float = DEFAULT_TIMEOUT) -> DemoReport:
    """Start the dual-stack server, resolve ``host``, connect every way, and report.

    Parameters
    ----------
    host : str, optional
        Name to resolve; keep the default ``"localhost"`` so nothing leaves the
        machine.
    timeout : float, optional
        Seconds any socket operation may take.

    Returns
    -------
    DemoReport
        What was resolved and which family each connection used.
    """
    with DualStackServer(timeout=timeout) as server:
        resolved = resolve(host, server.port)
        served = {address for _family, address in server.listening}
        targets = [r.address for r in resolved if r.address in served]
        targets += [address for _family, address in server.listening if address not in targets]
        connections = tuple(connect(t, server.port, timeout=timeout) for t in targets)
        with socket.create_connection((host, server.port), timeout=timeout) as sock:
            peer = str(sock.getpeername()[0])
        by_name = next((c for c in connections if c.target == peer), None)
        return DemoReport(
            host=host,
            port=server.port,
            listening=tuple(server.listening),
            ipv6_note=server.ipv6_note,
            resolved=resolved,
            connections=connections,
            by_name=by_name,
        )


# --- the machine's own address families (no traffic) --------------------------------


@dataclass(frozen=True)
class LocalAddress:
    """One IPv6 address configured on this machine.

    Attributes
    ----------
    address : str
        The address with its prefix length, e.g. ``"fe80::1/64"``.
    interface : str
        The network interface it is on.
    kind : str
        ``"loopback"``, ``"link-local"``, ``"unique-local"``, ``"documentation"``,
        ``"global"`` or ``"other special"`` (IPv4 sources can also be ``"private"`` or
        ``"shared (CGNAT)"``).
    temporary : bool
        A temporary (privacy) address (RFC 8981).
    deprecated : bool
        Past its preferred lifetime: kept for old connections, avoided for new ones.
    """

    address: str
    interface: str
    kind: str
    temporary: bool
    deprecated: bool


@dataclass(frozen=True)
class LocalFamilies:
    """Which address families this machine has configured.

    Attributes
    ----------
    ipv4_loopback, ipv6_loopback : bool
        Whether a socket can listen on ``127.0.0.1`` / ``::1``.
    ipv4_route_source, ipv6_route_source : str or None
        The source address the system would pick to reach an internet address of
        that family, or None when it has no route for it.
    ipv6_addresses : tuple of LocalAddress
        IPv6 addresses on the machine's interfaces (Linux only; empty elsewhere).
    notes : tuple of str
        Anything worth knowing about how this was found out.
    """

    ipv4_loopback: bool
    ipv6_loopback: bool
    ipv4_route_source: str | None
    ipv6_route_source: str | None
    ipv6_addresses: tuple[LocalAddress, ...]
    notes: tuple[str, ...]

    @property
    def has_global_ipv6(self) -> bool:
        """True when some interface has a global IPv6 address."""
        return any(a.kind == "global" for a in self.ipv6_addresses)


def _kind(address: str) -> str:
    addr = ip_address(address.split("/")[0])
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local"
    if addr in ip_network("fc00::/7"):
        return "unique-local"
    if addr in ip_network("2001:db8::/32") or addr in ip_network("192.0.2.0/24"):
        return "documentation"
    if addr in ip_network("100.64.0.0/10"):
        return "shared (CGNAT)"
    if addr.is_global:
        return "global"
    if addr.is_private:
        return "private" if addr.version == 4 else "other special"
    return "other special"


def _route_source(family: int, probe: str) -> str | None:
    """Ask the kernel which source address it would use; no packet is sent."""
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect((probe, 9))
            return str(sock.getsockname()[0])
    except OSError:
        return None


_IF_INET6 = Path("/proc/net/if_inet6")
_IFA_F_TEMPORARY = 0x01
_IFA_F_DEPRECATED = 0x20


def _linux_ipv6_addresses(path: Path = _IF_INET6) -> Iterator[LocalAddress]:
    # Each line: address (32 hex digits), interface index, prefix length (hex),
    # scope (hex), flags (hex), interface name.
    for line in path.read_text().splitlines():
        fields = line.split()
        if len(fields) < 6:
            continue
        address = IPv6Address(bytes.fromhex(fields[0]))
        prefix = int(fields[2], 16)
        flags = int(fields[4], 16)
        yield LocalAddress(
            address=f"{address}/{prefix}",
            interface=fields[5],
            kind=_kind(str(address)),
            temporary=bool(flags & _IFA_F_TEMPORARY),
            deprecated=bool(flags & _IFA_F_DEPRECATED),
        )


def local_families() -> LocalFamilies:
    """Report the address families this machine has, without sending any traffic.

    The loopback checks bind a socket. The route checks "connect" a UDP socket to a
    documentation address (192.0.2.1, RFC 5737; 2001:db8::1, RFC 3849): for UDP this
    only makes the kernel pick a route and a source address, and nothing is sent.
    On Linux the IPv6 addresses are read from ``/proc/net/if_inet6``.

    Returns
    -------
    LocalFamilies
        What was found.
    """
    notes = []
    v4_loop = True
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((LOOPBACK_IPV4, 0))
    except OSError:
        v4_loop = False
    v6_loop = has_ipv6_loopback()
    v4_source = _route_source(socket.AF_INET, "192.0.2.1")
    v6_source = _route_source(socket.AF_INET6, "2001:db8::1") if socket.has_ipv6 else None
    if _IF_INET6.exists():
        addresses = tuple(_linux_ipv6_addresses())
    else:
        addresses = ()
        notes.append(
            "listing IPv6 addresses needs Linux's /proc/net/if_inet6; on macOS run "
            "`ifconfig`, on Windows `ipconfig` to see them"
        )
    if v4_source is None:
        notes.append("no IPv4 route: this machine could not reach the IPv4 internet")
    if v6_source is None:
        notes.append("no IPv6 route: this machine could not reach the IPv6 internet")
    elif _kind(v6_source) != "global":
        notes.append(
            f"the IPv6 source address {v6_source} is {_kind(v6_source)}, not global, so "
            "RFC 6724 would rank IPv6 internet destinations below IPv4 ones"
        )
    return LocalFamilies(
        ipv4_loopback=v4_loop,
        ipv6_loopback=v6_loop,
        ipv4_route_source=v4_source,
        ipv6_route_source=v6_source,
        ipv6_addresses=addresses,
        notes=tuple(notes),
    )
