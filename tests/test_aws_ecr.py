"""The ECR step against the emulator: repository, login, push commands, clean-up."""

from __future__ import annotations

import io

import pytest

from cloudlab.aws import ecr, local_emulator


@pytest.fixture(scope="module")
def conn():
    with local_emulator(out=io.StringIO()) as connection:
        yield connection


def test_repository_is_created_once_and_deleted(conn) -> None:
    client = conn.client("ecr")
    first = ecr.ensure_repository(client)
    again = ecr.ensure_repository(client)
    assert first["repositoryArn"] == again["repositoryArn"]
    assert first["repositoryName"] == ecr.DEFAULT_REPOSITORY
    assert len(client.describe_repositories()["repositories"]) == 1
    assert ecr.delete_repository(client) is True
    assert ecr.delete_repository(client) is False
    assert client.describe_repositories()["repositories"] == []


def test_login_and_push_commands_use_the_live_account_and_region(conn) -> None:
    client = conn.client("ecr")
    repo = ecr.ensure_repository(client, "cloudlab-test")
    try:
        login = ecr.registry_login(client)
        account = ecr.account_id(conn.client("sts"))
        assert login.username == "AWS"
        assert login.registry.startswith(account)
        assert "***" in repr(login)
        assert login.password not in repr(login)
        commands = ecr.push_commands(login, repo, region=conn.region, tag="v1")
        assert commands[0].endswith(f"--password-stdin {login.registry}")
        assert f"--region {conn.region}" in commands[0]
        assert commands[1] == f"docker tag flask_app:latest {repo['repositoryUri']}:v1"
        assert commands[2] == f"docker push {repo['repositoryUri']}:v1"
        assert login.password not in " ".join(commands)
    finally:
        ecr.delete_repository(client, "cloudlab-test")


@pytest.mark.parametrize("name", ["", "A", "Upper", "bad name", "-x", "x--", "a" * 257])
def test_bad_repository_names_are_refused_before_any_call(name: str) -> None:
    with pytest.raises(ValueError, match="ECR repository name"):
        ecr.check_repository_name(name)


@pytest.mark.parametrize("tag", ["", ".x", "-x", "a" * 129, "has space"])
def test_bad_tags_are_refused(tag: str) -> None:
    with pytest.raises(ValueError, match="image tag"):
        ecr.check_tag(tag)


@pytest.mark.parametrize(
    ("real", "docker", "reason"),
    [
        (False, None, "no docker command"),
        (True, None, "no docker command"),
        (False, "/usr/bin/docker", "opt into real AWS"),
        (True, "/usr/bin/docker", None),
    ],
)
def test_push_runs_only_with_docker_and_real_aws(real, docker, reason) -> None:
    got = ecr.push_skip_reason(real=real, docker=docker)
    assert got is None if reason is None else reason in got
