"""One lifecycle for every lab's AWS resources: tag, check, create in steps, wait, tear down.

Chapter: Designing a VPC, Deploy the service, Fargate, ECS and EKS (the lab steps).

The network build (:mod:`cloudlab.vpc.build`), the service deployment
(:mod:`cloudlab.deploy.service`) and the EKS steps (:mod:`cloudlab.compute.eks`) share
this shape:

* every resource carries :func:`tags` (its ``Name`` and the lab's owner tag);
* before creating anything, :func:`refuse_existing` stops a run whose name is taken
  (several creates are idempotent by name, and undoing one would delete another run's);
* :func:`run_steps` runs the steps in order; each records the ids it creates as soon as
  AWS returns them, so that ``undo`` (the lab's teardown) can always delete exactly what
  exists, and a reader is never left with half a deployment and a traceback;
* :func:`wait` uses boto3's waiters on a real account (delay injectable, so tests never
  sleep);
* :class:`Teardown` deletes with retry for the errors no waiter covers
  (:data:`RETRY_CODES`: DependencyViolation, ResourceInUse, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from botocore.exceptions import ClientError

from cloudlab.aws.session import Connection


def first_line(error: BaseException) -> str:
    """The first line of an error's message (or its type's name when it has none)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def run_steps(
    conn: Connection,
    steps: Iterable[tuple[str, Callable[[], object]]],
    *,
    undo: Callable[[], object],
    error: type[Exception],
    what: str,
) -> None:
    """Run ``steps`` in order; if one fails, run ``undo`` and raise ``error`` in one line.

    Parameters
    ----------
    conn
        Where progress lines are printed (``conn.out``).
    steps
        ``(label, step)`` pairs; ``label`` reads after "failed at step", e.g. "create the VPC".
    undo
        Deletes whatever the steps so far created (idempotent teardown).
    error
        The exception class raised on failure; the original error is its ``__cause__``.
    what
        The whole job, e.g. ``"building plan 'book'"``.

    Raises
    ------
    error
        A step failed (after ``undo`` ran). KeyboardInterrupt and other non-``Exception``
        errors are re-raised as they are, after ``undo``.
    """
    for label, step in steps:
        try:
            step()
        except BaseException as failure:
            conn.say(f"Failed to {label}: {first_line(failure)}. Deleting what was created…")
            extra = ""
            try:
                undo()
            except Exception as cleanup:
                extra = f"; cleaning up also failed ({first_line(cleanup)}): run leftovers()"
            if not isinstance(failure, Exception):  # KeyboardInterrupt and the like
                raise
            done = "everything it had created was deleted" if not extra else "cleanup incomplete"
            raise error(
                f"{what} failed at step '{label}' "
                f"({type(failure).__name__}: {first_line(failure)}); {done}{extra}"
            ) from failure


# ------------------------------------------------------------------------- tags


def tags(name: str, key: str, value: str) -> list[dict[str, str]]:
    """The two tags every lab resource carries: ``Name`` and the lab's own key (its owner).

    Parameters
    ----------
    name
        The resource's ``Name`` tag, e.g. ``"book-vpc"``.
    key, value
        The owner tag, e.g. ``("cloudlab:plan", "book")``: teardown and leftovers find
        the lab's resources by it.
    """
    return [{"Key": "Name", "Value": name}, {"Key": key, "Value": value}]


def tag_specifications(resource_type: str, name: str, key: str, value: str) -> list[dict[str, Any]]:
    """:func:`tags` in EC2's ``TagSpecifications`` form, for one resource type."""
    return [{"ResourceType": resource_type, "Tags": tags(name, key, value)}]


def lower_tags(items: list[dict[str, str]]) -> list[dict[str, str]]:
    """Tags in the lower-case ``key``/``value`` form ECS uses."""
    return [{"key": t["Key"], "value": t["Value"]} for t in items]


def tag_map(key: str, value: str) -> dict[str, str]:
    """The owner tag as the ``{key: value}`` map EKS and CloudWatch Logs take."""
    return {key: value}


# ----------------------------------------------------------- before creating anything


def need(value: object, what: str, step: str) -> None:
    """Stop a step whose prerequisite is missing: ``"the VPC does not exist yet: run
    create_vpc first"`` (a reader running a notebook's steps out of order)."""
    if not value:
        raise RuntimeError(f"{what} does not exist yet: run {step} first")


def refuse_existing(kind: str, name: str, found: list[str]) -> None:
    """Refuse, in one line, to create a ``kind`` named ``name`` when ``found`` lists one.

    Several AWS creates are idempotent by name (``CreateLoadBalancer`` returns the
    existing load balancer): a second run would record the first run's resources, and
    its failure clean-up would delete them. So every lab looks first and stops here.

    Raises
    ------
    ValueError
        ``"a deployment named 'x' exists (load balancer x-alb): tear it down or choose
        another name"``.
    """
    if found:
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        raise ValueError(
            f"a {kind} named {name!r} exists ({found[0]}{more}): "
            "tear it down or choose another name"
        )


# ------------------------------------------------------------------------- waiters


def wait(
    conn: Connection,
    client: Any,
    waiter: str,
    *,
    delay: float,
    attempts: int,
    always: bool = False,
    **kwargs: Any,
) -> None:
    """Wait with boto3's ``waiter`` on a real account (the emulator's state is final at once).

    Parameters
    ----------
    delay, attempts
        Seconds between polls and how many polls; ``conn.wait_delay`` overrides the
        delay (tests set 0, so they never sleep).
    always
        Wait in the emulator too (one poll there: e.g. a NAT gateway is available at once).
    kwargs
        The describe call's arguments, e.g. ``name="cluster"``.
    """
    if not (conn.real or always):
        return
    seconds = delay if conn.wait_delay is None else conn.wait_delay
    client.get_waiter(waiter).wait(
        **kwargs, WaiterConfig={"Delay": seconds, "MaxAttempts": attempts}
    )


# ------------------------------------------------------------------ delete with retry

#: Errors a delete hits while AWS still releases what depended on the resource (a NAT
#: gateway's network interface, a load balancer's target groups, a draining service).
#: No waiter covers them, so :class:`Teardown` retries them on a real account.
RETRY_CODES = frozenset(
    {
        "DependencyViolation",
        "InvalidIPAddress.InUse",
        "ResourceInUse",
        "ResourceInUseException",
        "ClusterContainsServicesException",
        "ClusterContainsTasksException",
        "DeleteConflict",
        "ConcurrentUpdateException",
    }
)
#: Attempts and seconds between them: three minutes in all.
RETRY_ATTEMPTS = 18
RETRY_SECONDS = 10.0

Outcome = Literal["done", "gone", "failed"]


def error_code(error: ClientError) -> str:
    """The AWS error code of a boto3 ``ClientError`` (``""`` when it has none)."""
    return str(error.response.get("Error", {}).get("Code", ""))


@dataclass
class Teardown:
    """One teardown's bookkeeping: delete with retry, forget what is gone, report, raise once.

    Every lab's teardown deletes in dependency order; for each resource it calls
    :meth:`call` (or :meth:`one`, :meth:`sweep`), removes the id from its record unless
    the delete failed, and reports what this call deleted. Failures are collected in
    :attr:`problems`, and :meth:`finish` raises one line naming the first.

    Attributes
    ----------
    conn
        The connection (``conn.real`` decides whether to retry; ``conn.pause`` waits).
    gone
        Tells whether an error means "already deleted" (each service words it its own way).
    """

    conn: Connection
    gone: Callable[[ClientError], bool]
    problems: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def call(self, method: Callable[..., Any], *, quiet: bool = False, **kwargs: Any) -> Outcome:
        """Call a delete-like ``method``: ``"done"``, ``"gone"`` (already deleted) or ``"failed"``.

        On a real account, :data:`RETRY_CODES` errors are retried (:data:`RETRY_ATTEMPTS`
        times, :data:`RETRY_SECONDS` apart). ``quiet`` failures are not problems (a
        best-effort step such as scaling a service to 0 before deleting it).
        """
        attempts = RETRY_ATTEMPTS if self.conn.real else 1
        for attempt in range(attempts):
            try:
                method(**kwargs)
                return "done"
            except ClientError as error:
                if self.gone(error):
                    return "gone"
                code = error_code(error)
                if self.conn.real and code in RETRY_CODES and attempt < attempts - 1:
                    self.conn.pause(RETRY_SECONDS)
                    continue
                if not quiet:
                    shown = ", ".join(map(str, kwargs.values()))
                    name = getattr(method, "__name__", "call")
                    self.problems.append(f"{name}({shown}): {code or first_line(error)}")
                return "failed"
        return "failed"  # pragma: no cover - the loop always returns

    def report(self, what: str, now: list[str]) -> None:
        """Print ``what: a, b`` and remember them as deleted (nothing when ``now`` is empty)."""
        if now:
            self.conn.say(f"{what}: {', '.join(now)}")
            self.deleted.extend(now)

    def one(self, method: Callable[..., Any], what: str, label: str, **kwargs: Any) -> bool:
        """Delete one resource; report ``label`` if this call deleted it; False if that failed."""
        outcome = self.call(method, **kwargs)
        if outcome == "done":
            self.report(what, [label])
        return outcome != "failed"

    def sweep(
        self,
        records: dict[str, str],
        method: Callable[..., Any],
        key: str,
        what: str,
        *,
        shown: Callable[[str, str], str] | None = None,
        **extra: Any,
    ) -> list[str]:
        """Delete every id in ``records`` with ``method(key=id, **extra)``; forget the gone.

        ``shown(label, id)`` names a deleted one in the report (default: its id).
        Returns the ids this call deleted.
        """
        now: list[str] = []
        labels: list[str] = []
        for label, resource_id in list(records.items()):
            arguments: dict[str, Any] = {key: resource_id, **extra}
            outcome = self.call(method, **arguments)
            if outcome != "failed":
                del records[label]
            if outcome == "done":
                now.append(resource_id)
                labels.append(shown(label, resource_id) if shown else resource_id)
        self.report(what, labels)
        return now

    def wait(self, client: Any, waiter: str, what: str, **kwargs: Any) -> None:
        """:func:`wait`, with a failure recorded as a problem instead of raised."""
        try:
            wait(self.conn, client, waiter, **kwargs)
        except Exception as error:
            self.problems.append(f"waiting for {what}: {first_line(error)}")

    def finish(self, name: str) -> list[str]:
        """What was deleted; raise one line if anything could not be."""
        if self.problems:
            raise RuntimeError(
                f"teardown of {name!r} could not delete everything: {self.problems[0]}"
                + (f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else "")
            )
        return self.deleted
