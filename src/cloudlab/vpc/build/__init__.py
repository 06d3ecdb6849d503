"""Build a network plan with boto3, one AWS concept per function; describe, verify, tear down.

Chapter: Designing a VPC (notebooks/designing-a-vpc.ipynb).

Every function takes a :class:`~cloudlab.aws.session.Connection` (the local emulator
unless the reader opted into a real account), the :class:`~cloudlab.vpc.plan.NetworkPlan`
and a :class:`BuiltNetwork` record. Each step writes the id of everything it creates
into the record *as soon as AWS returns it*, prints one line saying what it made, and
returns it, so that :func:`teardown` can always delete exactly what exists, in
dependency order, however far a build got. Before a billable resource is created the
step prints its dated price (:meth:`Connection.costs`, prices from
:mod:`cloudlab.vpc.prices`).

:func:`build_network` runs the steps in order after checking every rule of the plan
(the emulator does not enforce several of AWS's rules); if any step fails it deletes
what was made and raises :class:`BuildError` with one line saying where and why.
:func:`describe` reads everything back, :func:`verify` compares it with the plan, and
:func:`leftovers` lists anything still tagged ``cloudlab:plan``.

The stages live in their own modules: :mod:`~cloudlab.vpc.build.spec` (the record and
the security groups as data), :mod:`~cloudlab.vpc.build.create` (the steps),
:mod:`~cloudlab.vpc.build.teardown` (teardown, leftovers) and
:mod:`~cloudlab.vpc.build.inspect` (describe, verify); every public name is importable
from here, as before.
"""

from cloudlab.vpc.build.create import (
    associate_route_tables,
    build_network,
    create_egress_only_internet_gateway,
    create_internet_gateway,
    create_nat_gateways,
    create_route_tables,
    create_security_groups,
    create_subnets,
    create_vpc,
    resolve_azs,
    temporary_network,
)
from cloudlab.vpc.build.inspect import DescribedNetwork, describe, verify
from cloudlab.vpc.build.spec import (
    APP_PORT,
    BuildError,
    BuiltNetwork,
    SecurityRule,
    security_group_rules,
)
from cloudlab.vpc.build.teardown import leftovers, teardown

__all__ = [
    "APP_PORT",
    "BuildError",
    "BuiltNetwork",
    "DescribedNetwork",
    "SecurityRule",
    "associate_route_tables",
    "build_network",
    "create_egress_only_internet_gateway",
    "create_internet_gateway",
    "create_nat_gateways",
    "create_route_tables",
    "create_security_groups",
    "create_subnets",
    "create_vpc",
    "describe",
    "leftovers",
    "resolve_azs",
    "security_group_rules",
    "teardown",
    "temporary_network",
    "verify",
]
