"""The shared AWS lifecycle: tags, the name check, waiters and delete-with-retry."""

from __future__ import annotations

import io

import pytest
from botocore.exceptions import ClientError

from cloudlab.aws.session import Connection
from cloudlab.aws.steps import (
    RETRY_ATTEMPTS,
    RETRY_SECONDS,
    Teardown,
    refuse_existing,
    tag_specifications,
    tags,
    wait,
)


def _error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}}, "DeleteThing")


def _conn(real: bool, pauses: list[float]) -> Connection:
    return Connection(real=real, region="r", out=io.StringIO(), pause=pauses.append)


def _failing(codes: list[str]):
    def delete_thing(**_kwargs):
        if codes:
            raise _error(codes.pop(0))

    return delete_thing


def test_dependency_errors_are_retried_on_a_real_account_without_sleeping():
    pauses: list[float] = []
    job = Teardown(_conn(True, pauses), gone=lambda e: False)
    assert job.call(_failing(["DependencyViolation", "ResourceInUse"]), Id="x") == "done"
    assert pauses == [RETRY_SECONDS, RETRY_SECONDS]
    assert job.problems == []


def test_retries_give_up_with_one_problem_line():
    pauses: list[float] = []
    job = Teardown(_conn(True, pauses), gone=lambda e: False)
    assert job.call(_failing(["DependencyViolation"] * 99), Id="x") == "failed"
    assert len(pauses) == RETRY_ATTEMPTS - 1
    with pytest.raises(RuntimeError, match=r"^teardown of 'lab' could not delete everything: "):
        job.finish("lab")


def test_the_emulator_never_retries_and_gone_is_not_a_failure():
    pauses: list[float] = []
    job = Teardown(_conn(False, pauses), gone=lambda e: "NotFound" in str(e))
    assert job.call(_failing(["DependencyViolation"]), Id="x") == "failed"
    assert job.call(_failing(["Thing.NotFound"]), Id="y") == "gone"
    assert pauses == []
    assert job.problems == ["delete_thing(x): DependencyViolation"]


def test_sweep_forgets_what_is_gone_and_keeps_what_failed():
    job = Teardown(_conn(False, []), gone=lambda e: "NotFound" in str(e))
    outcomes = {"a": None, "b": "Thing.NotFound", "c": "Boom"}

    def delete_thing(Id: str) -> None:
        if outcomes[Id]:
            raise _error(str(outcomes[Id]))

    records = {"one": "a", "two": "b", "three": "c"}
    assert job.sweep(records, delete_thing, "Id", "Deleted things") == ["a"]
    assert records == {"three": "c"}
    assert job.deleted == ["a"]


class _Waiter:
    def __init__(self, seen: list[dict]) -> None:
        self.seen = seen

    def wait(self, **kwargs) -> None:
        self.seen.append(kwargs)


class _Client:
    def __init__(self) -> None:
        self.seen: list[dict] = []

    def get_waiter(self, name: str) -> _Waiter:
        self.seen.append({"waiter": name})
        return _Waiter(self.seen)


def test_waiters_run_on_real_accounts_only_with_the_injected_delay():
    client = _Client()
    wait(_conn(False, []), client, "cluster_active", delay=30, attempts=40, name="c")
    assert client.seen == []
    real = _conn(True, [])
    real.wait_delay = 0
    wait(real, client, "cluster_active", delay=30, attempts=40, name="c")
    assert client.seen == [
        {"waiter": "cluster_active"},
        {"name": "c", "WaiterConfig": {"Delay": 0, "MaxAttempts": 40}},
    ]


def test_tags_and_the_name_check():
    assert tags("lab-vpc", "cloudlab:plan", "lab") == [
        {"Key": "Name", "Value": "lab-vpc"},
        {"Key": "cloudlab:plan", "Value": "lab"},
    ]
    assert tag_specifications("vpc", "lab-vpc", "k", "lab")[0]["ResourceType"] == "vpc"
    refuse_existing("deployment", "web", [])
    with pytest.raises(
        ValueError,
        match=r"^a deployment named 'web' exists \(load balancer web-alb and 1 more\): "
        r"tear it down or choose another name$",
    ):
        refuse_existing("deployment", "web", ["load balancer web-alb", "ECS cluster web"])
