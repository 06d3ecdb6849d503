"""Address families and the X-Forwarded-For chain (pure functions)."""

from __future__ import annotations

import pytest

from flask_app.clientinfo import (
    address_info,
    client_address,
    forwarded_chain,
    split_forwarded_for,
)


@pytest.mark.parametrize(
    ("text", "version", "family", "mapped"),
    [
        ("127.0.0.1", 4, "IPv4", None),
        ("203.0.113.9", 4, "IPv4", None),
        ("::1", 6, "IPv6", None),
        ("2001:db8::7", 6, "IPv6", None),
        ("::ffff:192.0.2.7", 6, "IPv4-mapped IPv6", "192.0.2.7"),
        ("::ffff:127.0.0.1", 6, "IPv4-mapped IPv6", "127.0.0.1"),
        # The ALB's X-Forwarded-For client-port mode appends the port.
        ("203.0.113.9:443", 4, "IPv4", None),
        ("[2001:db8::1]:443", 6, "IPv6", None),
        ("banana", None, "unknown", None),
        ("banana:80", None, "unknown", None),
        ("", None, "unknown", None),
        (None, None, "unknown", None),
    ],
)
def test_address_info(text, version, family, mapped):
    info = address_info(text)
    assert info.version == version
    assert info.family == family
    assert info.ipv4_mapped == mapped
    assert info.to_dict()["family"] == family


@pytest.mark.parametrize(
    ("header", "entries"),
    [
        (None, []),
        ("", []),
        ("203.0.113.9", ["203.0.113.9"]),
        (" 203.0.113.9 ,10.0.1.23,, ", ["203.0.113.9", "10.0.1.23"]),
    ],
)
def test_split_forwarded_for(header, entries):
    assert split_forwarded_for(header) == entries


@pytest.mark.parametrize(
    ("entries", "hops", "expected"),
    [
        ([], 0, "10.0.0.2"),
        (["6.6.6.6"], 0, "10.0.0.2"),  # a client's own header is never believed with 0 hops
        (["203.0.113.9"], 1, "203.0.113.9"),
        (["6.6.6.6", "203.0.113.9"], 1, "203.0.113.9"),  # spoofed entry left of the real one
        (["203.0.113.9", "10.0.1.5"], 2, "203.0.113.9"),
        (["203.0.113.9"], 2, "10.0.0.2"),  # too few entries: header ignored, like ProxyFix
    ],
)
def test_client_address_matches_proxyfix(entries, hops, expected):
    assert client_address("10.0.0.2", entries, hops) == expected


def test_client_address_rejects_negative_hops():
    with pytest.raises(ValueError, match="negative"):
        client_address("10.0.0.2", [], -1)


def test_chain_with_no_trusted_proxy_shows_but_distrusts_the_header():
    chain = forwarded_chain("127.0.0.1", ["6.6.6.6"], 0)
    assert [hop.address for hop in chain] == ["6.6.6.6", "127.0.0.1"]
    assert chain[0].trusted is False
    assert "never trusted" in chain[0].note
    assert chain[1].source == "peer"
    assert "client address" in chain[1].note


def test_chain_behind_one_proxy_marks_the_spoofed_entry():
    chain = forwarded_chain("10.0.1.23", ["6.6.6.6", "203.0.113.9"], 1)
    spoofed, client, peer = chain
    assert not spoofed.trusted
    assert "could be forged" in spoofed.note
    assert client.trusted
    assert "used as the client address" in client.note
    assert "nearest proxy" in peer.note


def test_chain_behind_two_proxies():
    chain = forwarded_chain("10.0.2.2", ["203.0.113.9", "10.0.1.5"], 2)
    assert chain[0].trusted
    assert "client address" in chain[0].note
    assert chain[1].trusted
    assert "another proxy" in chain[1].note


def test_chain_with_too_few_entries():
    chain = forwarded_chain("10.0.2.2", ["203.0.113.9"], 2)
    assert not chain[0].trusted
    assert "ignored" in chain[0].note
    assert chain[-1].to_dict()["note"] == "TCP connection: this is the client address"
