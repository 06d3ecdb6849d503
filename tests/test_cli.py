"""Tests for the ``python -m cloudlab`` command line: output, JSON and every bad-input class."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys

import pytest

from cloudlab.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real command in a new interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "cloudlab", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# ------------------------------------------------------- a few real subprocesses


def test_subprocess_ip_json():
    done = run("ip", "10.1.2.3/24", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["network"] == "10.1.2.0/24"
    assert data["version"] == 4
    assert data["prefixlen"] == 24
    assert data["netmask"] == "255.255.255.0"
    assert data["hostmask"] == "0.0.0.255"
    assert data["broadcast"] == "10.1.2.255"
    assert (data["first_host"], data["last_host"]) == ("10.1.2.1", "10.1.2.254")
    assert (data["num_addresses"], data["usable_hosts"], data["aws_usable"]) == (256, 254, 251)
    assert data["type"] == "private"
    assert data["compressed"] == data["exploded"] == "10.1.2.0/24"


def test_subprocess_split_json_last_page_of_ipv6():
    done = run("split", "2001:db8::/32", "--prefix", "64", "--page", "-1", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total"] == 2**32
    assert data["page"] == data["pages"] == 2**28
    assert data["per_page"] == 16
    assert data["subnets"][-1] == "2001:db8:ffff:ffff::/64"


def test_subprocess_bad_input_is_one_line_and_status_2():
    done = run("ip", "banana")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "cloudlab ip: error: banana: not an IPv4 or IPv6 address or network\n"


def test_subprocess_argparse_error_is_one_line():
    done = run("split", "10.0.0.0/24", "--prefix", "abc")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
    assert "--prefix" in done.stderr


# ------------------------------------------------------------------- in-process


def test_ip_table(capsys):
    assert main(["ip", "10.1.2.3/20"]) == 0
    out = capsys.readouterr().out
    assert "10.1.0.0/20" in out
    assert "255.255.240.0" in out
    assert "4,094" in out
    assert "00001010.00000001.0000 | 0010.00000011" in out


def test_ip_json_ipv6(capsys):
    assert main(["ip", "2001:db8::1/64", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["broadcast"] is None
    assert data["aws_usable"] == 2**64 - 5  # the rule of net.aws.aws_usable
    assert data["network"] == "2001:db8::/64"
    assert data["exploded"].startswith("2001:0db8:0000")


def test_split_prefix_table(capsys):
    assert main(["split", "10.0.0.0/24", "--prefix", "26"]) == 0
    out = capsys.readouterr().out
    assert "4 subnets, page 1 of 1" in out
    for subnet in ("10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26", "10.0.0.192/26"):
        assert subnet in out


def test_split_prefix_json_in_address_order(capsys):
    assert main(["split", "10.0.0.0/16", "--prefix", "/24", "--page", "2", "--per-page", "5",
                 "--json"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("network", "prefix", "total", "page", "per_page")} == {
        "network": "10.0.0.0/16",
        "prefix": 24,
        "total": 256,
        "page": 2,
        "per_page": 5,
    }
    subnets = [ipaddress.ip_network(s) for s in data["subnets"]]
    assert subnets == sorted(subnets)
    assert data["subnets"][0] == "10.0.5.0/24"


def test_split_prefix_aws(capsys):
    assert main(["split", "10.0.0.0/20", "--prefix", "24", "--aws", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["aws_usable_per_subnet"] == 251
    assert main(["split", "10.0.0.0/20", "--prefix", "24", "--aws"]) == 0
    assert "usable on AWS" in capsys.readouterr().out


def test_split_hosts_table_and_json(capsys):
    assert main(["split", "10.0.0.0/22", "--hosts", "500,120,60", "--aws"]) == 0
    out = capsys.readouterr().out
    assert "10.0.0.0/23" in out
    assert "free: 10.0.3.0/24" in out
    assert main(["split", "10.0.0.0/22", "--hosts", "60, 500,120", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["subnets"] == ["10.0.0.0/23", "10.0.2.0/25", "10.0.2.128/26"]
    assert data["allocations"][0]["hosts"] == 500
    assert data["free"] == ["10.0.2.192/26", "10.0.3.0/24"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # garbage
        (["ip", "banana"], "banana: not an IPv4 or IPv6 address or network"),
        (["ip", "1.2.3.4.5"], "1.2.3.4.5: an IPv4 address is 4 numbers"),
        (["split", "cheese", "--prefix", "24"], "cheese: not an IPv4 or IPv6"),
        # prefix out of range
        (["ip", "10.0.0.0/33"], "10.0.0.0/33: an IPv4 prefix is 0\u201332"),
        (["ip", "2001:db8::/200"], "an IPv6 prefix is 0\u2013128"),
        (["split", "10.0.0.0/24", "--prefix", "40"], "/40: an IPv4 prefix is 0\u201332"),
        # new prefix shorter than the network
        (["split", "10.0.0.0/24", "--prefix", "16"], "/16 is shorter than 10.0.0.0/24's /24"),
        # page out of range
        (["split", "10.0.0.0/24", "--prefix", "30", "--page", "5"], "page 5 is out of range"),
        (["split", "10.0.0.0/24", "--prefix", "30", "--page", "0"], "page 0 is out of range"),
        (["split", "10.0.0.0/24", "--prefix", "30", "--per-page", "0"], "subnets per page"),
        # non-numeric values
        (["split", "10.0.0.0/24", "--prefix", "abc"], "argument --prefix: 'abc' is not a whole"),
        (["split", "10.0.0.0/24", "--prefix", "30", "--page", "x"], "argument --page: 'x'"),
        (["split", "10.0.0.0/24", "--prefix", "30", "--per-page", "lots"], "--per-page: 'lots'"),
        # bad host lists
        (["split", "10.0.0.0/24", "--hosts", "5,x"], "argument --hosts: 'x' is not a host count"),
        (["split", "10.0.0.0/24", "--hosts", ","], "argument --hosts: give host counts"),
        (["split", "10.0.0.0/24", "--hosts", "0"], "host counts must be 1 or more"),
        (["split", "10.0.0.0/24", "--hosts", "500,120"], "needs 512 addresses (a /23)"),
        (["split", "10.0.0.0/16", "--hosts", "70000", "--aws"], "largest AWS subnet"),
        # AWS sizes and option mix-ups
        (["split", "10.0.0.0/24", "--prefix", "30", "--aws"], "an AWS IPv4 subnet must be"),
        (["split", "10.0.0.0/24", "--hosts", "5", "--page", "2"], "only apply with --prefix"),
        (["split", "10.0.0.0/24", "--prefix", "26", "--hosts", "5"], "not allowed with"),
        (["split", "10.0.0.0/24"], "one of the arguments --prefix --hosts is required"),
        (["ip"], "the following arguments are required: ADDRESS_OR_CIDR"),
        ([], "the following arguments are required"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, expected):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith("cloudlab")
    assert ": error: " in captured.err
    assert expected in captured.err
    assert "Traceback" not in captured.err


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "ip" in capsys.readouterr().out
