"""Tests for cloudlab.web.dualstack: a real server on this machine's loopback addresses."""

from __future__ import annotations

import socket
from ipaddress import ip_address
from pathlib import Path

import pytest

from cloudlab.web.dualstack import (
    LOOPBACK_IPV4,
    LOOPBACK_IPV6,
    DualStackServer,
    LocalFamilies,
    _linux_ipv6_addresses,
    connect,
    has_ipv6_loopback,
    local_families,
    resolve,
    run_demo,
)

IPV6 = has_ipv6_loopback()
needs_ipv6 = pytest.mark.skipif(
    not IPV6, reason="this machine has no IPv6 loopback (::1): the IPv6 half cannot run here"
)


def test_server_answers_on_127_0_0_1_and_reports_ipv4() -> None:
    with DualStackServer() as server:
        assert ("IPv4", LOOPBACK_IPV4) in server.listening
        conn = connect(LOOPBACK_IPV4, server.port)
    assert conn.family == "IPv4"
    assert conn.server_family == "IPv4"
    assert conn.server_saw == LOOPBACK_IPV4
    assert conn.local == LOOPBACK_IPV4
    assert server.seen == [("IPv4", LOOPBACK_IPV4)]


@needs_ipv6
def test_server_answers_on_ipv6_loopback_and_reports_ipv6() -> None:
    with DualStackServer() as server:
        assert ("IPv6", LOOPBACK_IPV6) in server.listening
        assert server.ipv6_note is None
        conn = connect(LOOPBACK_IPV6, server.port)
    assert conn.family == "IPv6"
    assert conn.server_family == "IPv6"
    assert conn.server_saw == LOOPBACK_IPV6
    assert server.seen == [("IPv6", LOOPBACK_IPV6)]


@needs_ipv6
def test_ipv6_listener_does_not_accept_ipv4_mapped_connections() -> None:
    # The ::1 listener is IPv6-only, so IPv4 traffic can only arrive at 127.0.0.1.
    with DualStackServer() as server:
        conn = connect(LOOPBACK_IPV4, server.port)
    assert conn.server_family == "IPv4"
    assert not conn.server_saw.startswith("::ffff:")


def test_both_listeners_share_one_port() -> None:
    with DualStackServer() as server:
        ports = {server.port}
        for _family, address in server.listening:
            with socket.create_connection((address, server.port), timeout=2) as sock:
                ports.add(sock.getpeername()[1])
    assert len(ports) == 1


def test_ipv6_can_be_switched_off() -> None:
    with DualStackServer(ipv6=False) as server:
        assert server.listening == [("IPv4", LOOPBACK_IPV4)]
        assert server.ipv6_note is not None
        with pytest.raises(OSError, match=r"refused|assign|not supported|unreachable"):
            connect(LOOPBACK_IPV6, server.port, timeout=1)


def test_server_stops_and_frees_the_port() -> None:
    server = DualStackServer().start()
    port = server.port
    assert server.running
    server.close()
    assert not server.running
    with pytest.raises(ConnectionRefusedError):
        connect(LOOPBACK_IPV4, port, timeout=1)


def test_server_cannot_start_twice() -> None:
    with DualStackServer() as server, pytest.raises(ValueError, match="already running"):
        server.start()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"port": 70000}, "0 to 65535"), ({"timeout": 0}, "timeout"), ({"timeout": 1000}, "timeout")],
)
def test_bad_server_settings(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DualStackServer(**kwargs)  # type: ignore[arg-type]  # the wrong type is the test


def test_connect_refuses_names_so_nothing_is_looked_up() -> None:
    with pytest.raises(ValueError, match="not a literal IPv4 or IPv6 address"):
        connect("localhost", 80)


def test_resolve_localhost_gives_loopback_addresses() -> None:
    answers = resolve("localhost", 8080)
    assert answers
    assert all(ip_address(a.address).is_loopback for a in answers)
    assert all(a.port == 8080 for a in answers)
    assert {a.family for a in answers} <= {"IPv4", "IPv6"}
    assert resolve(LOOPBACK_IPV4, 1)[0].family == "IPv4"


def test_run_demo_reports_the_family_of_every_connection() -> None:
    report = run_demo()
    targets = {c.target: c for c in report.connections}
    assert targets[LOOPBACK_IPV4].server_family == "IPv4"
    assert targets[LOOPBACK_IPV4].server_saw == LOOPBACK_IPV4
    if IPV6:
        assert targets[LOOPBACK_IPV6].server_family == "IPv6"
        assert targets[LOOPBACK_IPV6].server_saw == LOOPBACK_IPV6
    else:
        print(f"IPv6 part skipped: {report.ipv6_note}")
        assert LOOPBACK_IPV6 not in targets
    for conn in report.connections:
        assert conn.family == conn.server_family
    # socket.create_connection tries getaddrinfo's answers in order, so on a working
    # loopback it lands on the first one.
    assert report.by_name is not None
    assert report.by_name.target == report.resolved[0].address
    assert len(report.rows()) == len(report.connections)
    assert "getaddrinfo('localhost'" in report.text()


def test_local_families_reports_loopbacks_without_traffic() -> None:
    found = local_families()
    assert isinstance(found, LocalFamilies)
    assert found.ipv4_loopback
    assert found.ipv6_loopback == IPV6
    for source in (found.ipv4_route_source, found.ipv6_route_source):
        assert source is None or ip_address(source)
    assert isinstance(found.has_global_ipv6, bool)


def test_linux_address_list_is_parsed(tmp_path: Path) -> None:
    sample = tmp_path / "if_inet6"
    sample.write_text(
        "00000000000000000000000000000001 01 80 10 80       lo\n"
        "fe8000000000000000fc00fffe000001 02 40 20 80     eth0\n"
        "20010db8000000010000000000000023 02 40 00 01     eth0\n"
        "20010db8000000010000000000000024 02 40 00 20     eth0\n"
        "2a000000000000000000000000000001 02 40 00 00     eth0\n"
    )
    rows = list(_linux_ipv6_addresses(sample))
    assert [r.address for r in rows] == [
        "::1/128",
        "fe80::fc:ff:fe00:1/64",
        "2001:db8:0:1::23/64",
        "2001:db8:0:1::24/64",
        "2a00::1/64",
    ]
    assert [r.kind for r in rows] == [
        "loopback",
        "link-local",
        "documentation",
        "documentation",
        "global",
    ]
    assert (rows[2].temporary, rows[2].deprecated) == (True, False)
    assert (rows[3].temporary, rows[3].deprecated) == (False, True)


def test_the_chapter_still_imports_the_demo_from_cloudlab_net() -> None:
    from cloudlab.net import dualstack as old_home
    from cloudlab.web import dualstack

    assert old_home.run_demo is dualstack.run_demo
    assert old_home.local_families is dualstack.local_families
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        old_home.nothing  # noqa: B018
