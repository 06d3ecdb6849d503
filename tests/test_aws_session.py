"""The AWS helper: emulator by default, never real AWS by accident, clean shutdown."""

from __future__ import annotations

import io
import socket
from urllib.parse import urlsplit

import pytest

from cloudlab.aws import session as aws


@pytest.fixture(autouse=True)
def _no_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (aws.OPT_IN_VARIABLE, aws.PROFILE_VARIABLE, aws.REGION_VARIABLE):
        monkeypatch.delenv(name, raising=False)


def test_default_is_the_local_emulator_on_loopback() -> None:
    out = io.StringIO()
    with aws.connect(out=out) as conn:
        assert conn.real is False
        parts = urlsplit(conn.endpoint_url)
        assert parts.hostname == "127.0.0.1"
        ec2 = conn.client("ec2")
        assert ec2.meta.endpoint_url == conn.endpoint_url
        vpcs = ec2.describe_vpcs()["Vpcs"]
        assert [v["CidrBlock"] for v in vpcs] == ["172.31.0.0/16"]  # moto's default VPC
    assert "emulator" in out.getvalue()


def test_emulator_ignores_the_readers_own_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA-LOOKS-REAL-BUT-IS-NOT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "should-never-be-used")
    monkeypatch.setenv("AWS_PROFILE", "someones-real-profile")
    with aws.connect(out=io.StringIO()) as conn:
        creds = conn.session.get_credentials()
        assert creds.access_key == "cloudlab-emulator"


def test_server_stops_and_frees_its_port() -> None:
    with aws.local_emulator() as conn:
        port = urlsplit(conn.endpoint_url).port
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize(
    ("value", "expected"), [("", False), ("0", False), ("no", False), ("1", True), ("YES", True)]
)
def test_opt_in_values(value: str, expected: bool) -> None:
    assert aws.opted_in({aws.OPT_IN_VARIABLE: value}) is expected


def test_unclear_opt_in_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="CLOUDLAB_REAL_AWS='maybe'"):
        aws.opted_in({aws.OPT_IN_VARIABLE: "maybe"})


def test_real_aws_needs_profile_and_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(aws.OPT_IN_VARIABLE, "1")
    with (
        pytest.raises(ValueError, match="CLOUDLAB_AWS_PROFILE and CLOUDLAB_AWS_REGION"),
        aws.connect(out=io.StringIO()),
    ):
        pass


def test_real_connection_points_at_aws_and_announces_cost() -> None:
    # Builds the connection object only: no client is created, no request is sent.
    out = io.StringIO()
    conn = aws.Connection(real=True, region="example-region-1", profile="lab", out=out)
    assert conn.endpoint_url is None
    assert "REAL AWS" in conn.describe()
    conn.costs("NAT gateway", 0.045, note="plus data processed")
    assert out.getvalue().startswith("COSTS MONEY: NAT gateway")


def test_emulator_cost_note_says_free_and_rejects_negative_prices() -> None:
    out = io.StringIO()
    conn = aws.Connection(real=False, region="r", endpoint_url="http://127.0.0.1:1", out=out)
    conn.costs("ALB", 0.0225)
    assert "free in the emulator" in out.getvalue()
    with pytest.raises(ValueError, match="cannot be negative"):
        conn.costs("ALB", -1)
