"""AWS connections for the labs: a local emulator by default, a real account only on opt-in.

Chapter: every AWS lab (flask-lab, designing-a-vpc, fargate-ecs-eks, deploy-the-service,
terraform-lab).

Every lab step that talks to AWS gets its boto3 clients from :func:`connect`. Without an
explicit opt-in it starts moto's server on 127.0.0.1 (a random free port) and returns
clients pointed at it with dummy credentials, so no request can reach a real account by
accident. A real account is used only when the reader sets ``CLOUDLAB_REAL_AWS=1`` (or
passes ``real=True``) *and* names a profile and a region; every step that costs money
then says so first (:meth:`Connection.costs`).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

import boto3
import botocore.config
import botocore.session

#: Environment variable that opts into a real AWS account ("1", "true" or "yes").
OPT_IN_VARIABLE = "CLOUDLAB_REAL_AWS"
#: Environment variables naming the real account's profile and region (after opt-in).
PROFILE_VARIABLE = "CLOUDLAB_AWS_PROFILE"
REGION_VARIABLE = "CLOUDLAB_AWS_REGION"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}

# Dummy credentials for the emulator. They look like nothing real on purpose.
_EMULATOR_KEY_ID = "cloudlab-emulator"
_EMULATOR_SECRET = "cloudlab-emulator-secret"  # not a secret: moto accepts any
# botocore session variables (name: (config key, env var, default, converter)) that stop
# an emulator session from reading AWS_PROFILE or the reader's ~/.aws files.
_SEALED = {
    "profile": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}


def emulator_region() -> str:
    """Return the region name the emulator uses, unless ``CLOUDLAB_AWS_REGION`` sets one.

    Inside the emulator the region is only a label. The project writes no region in: by
    default this is the first region botocore lists for the standard ``aws`` partition.

    Returns
    -------
    str
        A region name moto accepts.
    """
    chosen = os.environ.get(REGION_VARIABLE, "").strip()
    if chosen:
        return chosen
    regions = botocore.session.Session(session_vars=_SEALED).get_available_regions("ec2", "aws")
    if not regions:  # pragma: no cover - botocore always ships its endpoint data
        raise RuntimeError("botocore lists no AWS regions; reinstall botocore")
    return str(sorted(regions)[0])


def opted_in(environ: dict[str, str] | None = None) -> bool:
    """Tell whether the reader explicitly opted into a real AWS account.

    Parameters
    ----------
    environ
        The environment to read (defaults to ``os.environ``).

    Raises
    ------
    ValueError
        If the opt-in variable holds something other than a clear yes or no.
    """
    value = (environ if environ is not None else os.environ).get(OPT_IN_VARIABLE, "")
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{OPT_IN_VARIABLE}={value!r}: use 1 to opt into real AWS, or leave it unset")


@dataclass
class Connection:
    """boto3 clients for one target: the local emulator or an opted-in real account.

    Attributes
    ----------
    real
        True only for a real AWS account.
    region
        The region the clients use.
    endpoint_url
        The emulator's URL (``http://127.0.0.1:PORT``), or None for real AWS.
    profile
        The named AWS profile (real AWS only).
    wait_delay, pause
        How long waiters poll and retries wait (see :mod:`cloudlab.aws.steps`).
    """

    real: bool
    region: str
    endpoint_url: str | None = None
    profile: str | None = None
    out: TextIO = field(default=sys.stdout, repr=False)
    _session: boto3.session.Session | None = field(default=None, repr=False)
    #: Seconds between a waiter's polls; None keeps each waiter's own delay. Tests set 0.
    wait_delay: float | None = field(default=None, repr=False)
    #: How a retried delete waits (tests pass a recorder, so they never sleep).
    pause: Callable[[float], None] = field(default=time.sleep, repr=False)

    @property
    def session(self) -> boto3.session.Session:
        """The boto3 session behind every client of this connection."""
        if self._session is None:
            if self.real:
                self._session = boto3.session.Session(
                    profile_name=self.profile, region_name=self.region
                )
            else:
                # Dummy credentials, and none of the reader's AWS settings (profile,
                # ~/.aws files) are read: the emulator session is sealed off.
                sealed = botocore.session.Session(session_vars=_SEALED)
                self._session = boto3.session.Session(
                    aws_access_key_id=_EMULATOR_KEY_ID,
                    aws_secret_access_key=_EMULATOR_SECRET,
                    region_name=self.region,
                    botocore_session=sealed,
                )
        return self._session

    def client(self, service: str) -> Any:
        """Return a boto3 client for ``service`` (e.g. ``"ec2"``, ``"ecr"``) on this target."""
        config = botocore.config.Config(retries={"max_attempts": 2, "mode": "standard"})
        return self.session.client(service, endpoint_url=self.endpoint_url, config=config)

    def say(self, line: str) -> None:
        """Print one progress line of a lab step."""
        print(line, file=self.out)

    def describe(self) -> str:
        """One line saying where the calls go, for the top of every lab."""
        if self.real:
            return (
                f"REAL AWS: profile {self.profile!r}, region {self.region}. "
                "Resources you create here are billed to that account."
            )
        return f"Local AWS emulator (moto) at {self.endpoint_url}: nothing leaves this machine."

    def costs(self, step: str, usd_per_hour: float = 0.0, *, note: str = "") -> None:
        """Say what a step costs before it runs (only real accounts are billed).

        Parameters
        ----------
        step
            What is about to be created, e.g. ``"NAT gateway"``.
        usd_per_hour
            Its price in USD per hour in the reader's region (from the book's dated table).
        note
            Anything else billed, e.g. ``"plus USD 0.045 per GB processed"``.
        """
        if usd_per_hour < 0:
            raise ValueError(f"{step}: a price cannot be negative ({usd_per_hour} USD per hour)")
        extra = f" {note}" if note else ""
        if self.real:
            print(
                f"COSTS MONEY: {step} is billed at about USD {usd_per_hour:.4f} per hour"
                f"{extra} until you delete it.",
                file=self.out,
            )
        else:
            print(
                f"{step}: free in the emulator (on real AWS about USD {usd_per_hour:.4f} "
                f"per hour{extra}).",
                file=self.out,
            )


@contextmanager
def local_emulator(*, region: str | None = None, out: TextIO | None = None) -> Iterator[Connection]:
    """Run moto's AWS emulator on 127.0.0.1 for the duration of a ``with`` block.

    Parameters
    ----------
    region
        Region label for the clients (default: :func:`emulator_region`).
    out
        Where cost notes are printed (default: standard output).

    Yields
    ------
    Connection
        Clients pointed at the emulator. The server stops when the block ends.
    """
    # Load AWS managed IAM policies so labs can attach e.g. the ECS task execution policy.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield Connection(
            real=False,
            region=region or emulator_region(),
            endpoint_url=f"http://{host}:{port}",
            out=out or sys.stdout,
        )
    finally:
        server.stop()


@contextmanager
def connect(
    real: bool | None = None,
    *,
    profile: str | None = None,
    region: str | None = None,
    out: TextIO | None = None,
) -> Iterator[Connection]:
    """Give a lab its AWS connection: the emulator unless the reader opted into real AWS.

    Parameters
    ----------
    real
        True to use a real account, False to force the emulator, None (default) to follow
        the ``CLOUDLAB_REAL_AWS`` environment variable.
    profile, region
        The real account's AWS profile and region (or ``CLOUDLAB_AWS_PROFILE`` and
        ``CLOUDLAB_AWS_REGION``). Both are required for real AWS.
    out
        Where the connection's announcements are printed.

    Raises
    ------
    ValueError
        Real AWS was requested without a profile or a region.
    """
    use_real = opted_in() if real is None else real
    stream = out or sys.stdout
    if not use_real:
        with local_emulator(region=region, out=stream) as connection:
            print(connection.describe(), file=stream)
            yield connection
        return
    profile = profile or os.environ.get(PROFILE_VARIABLE, "").strip() or None
    region = region or os.environ.get(REGION_VARIABLE, "").strip() or None
    missing = [
        name
        for name, value in ((PROFILE_VARIABLE, profile), (REGION_VARIABLE, region))
        if not value
    ]
    if missing:
        raise ValueError(
            "real AWS needs a named profile and a region: set " + " and ".join(missing)
        )
    connection = Connection(real=True, region=str(region), profile=profile, out=stream)
    print(connection.describe(), file=stream)
    yield connection
