"""Dated prices of the billable parts of a VPC, and what a plan's NAT layout costs.

Prices are data, each with the date it was read and its source (a key of the book's
bibliography). They are the rates AWS quotes on its pricing pages for a US region, in
USD; other regions differ, so check the pricing page for yours before you build for real.
:mod:`cloudlab.vpc.build` prints the matching line (:meth:`Connection.costs`) before
each billable step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["HOURS_PER_MONTH", "PRICES", "Price", "nat_costs"]

#: Hours in an average month (365 × 24 / 12), the convention AWS's examples use.
HOURS_PER_MONTH = 730


@dataclass(frozen=True)
class Price:
    """What one billable thing costs.

    Attributes
    ----------
    item : str
        What is billed.
    usd_per_hour : float
        USD per hour while it exists.
    usd_per_gb : float
        USD per GB of data (what the GB counts is in ``note``).
    note : str
    read : str
        ISO date the price was read.
    source : str
        Bibliography key.
    """

    item: str
    usd_per_hour: float
    usd_per_gb: float
    note: str
    read: str
    source: str


#: The prices the VPC chapter and the build use (read 2026-11-28).
PRICES: dict[str, Price] = {
    "nat-gateway": Price(
        "NAT gateway",
        0.045,
        0.045,
        "per GB processed, in either direction, on top of the hourly charge and of "
        "normal data transfer charges",
        "2026-11-28",
        "aws-vpc-pricing",
    ),
    "public-ipv4": Price(
        "public IPv4 address (an Elastic IP, e.g. the NAT gateway's)",
        0.005,
        0.0,
        "per address per hour, in use or idle, since 2024-02-01",
        "2026-11-28",
        "aws-public-ipv4-charge",
    ),
    "internet-gateway": Price(
        "internet gateway",
        0.0,
        0.0,
        "no charge for the gateway itself; data transfer is billed as usual",
        "2026-11-28",
        "aws-internet-gateway",
    ),
    "cross-az": Price(
        "data transfer between Availability Zones",
        0.0,
        0.01,
        "per GB in each direction (so about USD 0.02 per GB that crosses)",
        "2026-11-28",
        "aws-ec2-pricing",
    ),
}


def nat_costs(
    n_azs: int,
    nat: str,
    *,
    gb_per_month: float = 100.0,
    hours: float = HOURS_PER_MONTH,
) -> dict[str, Any]:
    """What the NAT layout of a VPC costs per month, before internet data transfer.

    Assumes the private subnets' internet traffic is spread evenly over the AZs. With
    one NAT gateway, the share from the other AZs crosses to it and pays the
    cross-AZ rate both ways; with one per AZ nothing crosses.

    Parameters
    ----------
    n_azs : int
        Availability Zones with private subnets.
    nat : {"single", "per-az", "none"}
    gb_per_month : float, default 100.0
        GB per month through the NAT gateway(s), all AZs together.
    hours : float, default 730
        Hours per month.

    Returns
    -------
    dict
        ``gateways``, ``hourly_usd`` (gateways and their public IPv4 addresses),
        ``fixed_usd``, ``processing_usd``, ``cross_az_usd``, ``total_usd`` (USD per month).

    Raises
    ------
    ValueError
        For an unknown layout, fewer than 1 AZ, or negative traffic.
    """
    if nat not in ("single", "per-az", "none"):
        raise ValueError(f"nat={nat!r}: use 'single', 'per-az' or 'none'")
    if n_azs < 1:
        raise ValueError("a VPC with private subnets has at least one Availability Zone")
    if gb_per_month < 0 or hours < 0:
        raise ValueError("traffic and hours cannot be negative")
    gateways = {"single": 1, "per-az": n_azs, "none": 0}[nat]
    nat_price, ip_price, cross = PRICES["nat-gateway"], PRICES["public-ipv4"], PRICES["cross-az"]
    hourly = gateways * (nat_price.usd_per_hour + ip_price.usd_per_hour)
    fixed = hourly * hours
    processing = gb_per_month * nat_price.usd_per_gb if gateways else 0.0
    crossing = gb_per_month * (n_azs - 1) / n_azs if nat == "single" else 0.0
    cross_az = crossing * cross.usd_per_gb * 2
    return {
        "gateways": gateways,
        "hourly_usd": hourly,
        "fixed_usd": fixed,
        "processing_usd": processing,
        "cross_az_usd": cross_az,
        "total_usd": fixed + processing + cross_az,
    }
