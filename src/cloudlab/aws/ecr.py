"""The container registry step: an ECR repository, its login and the docker push commands.

Chapter: The Flask lab (notebooks/flask-lab.ipynb) and Deploy the service.

The functions take boto3 clients (from :func:`cloudlab.aws.session.connect`), so the same
code runs against the local emulator and, after opt-in, a real account. Nothing here
writes an account id or a region: both are read from the connection at run time.
"""

from __future__ import annotations

import base64
import re
import shlex
from dataclasses import dataclass
from typing import Any

#: The repository name the book's labs use (the seed's name, kept for continuity).
DEFAULT_REPOSITORY = "flask_deployment-prod-ecr"

# ECR repository names: lowercase letters, digits and ._-/ separators, 2-256 characters.
# Source: Amazon ECR API Reference, CreateRepository, repositoryName.
_REPOSITORY_NAME = re.compile(
    r"^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$"
)
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True)
class RegistryLogin:
    """What ``docker login`` needs for an ECR registry.

    Attributes
    ----------
    registry
        The registry host, ``ACCOUNT.dkr.ecr.REGION.amazonaws.com`` on real AWS.
    username
        Always ``AWS`` for ECR tokens.
    password
        A temporary token (valid 12 hours on real AWS). Never print it.
    """

    registry: str
    username: str
    password: str

    def __repr__(self) -> str:
        return (
            f"RegistryLogin(registry={self.registry!r}, username={self.username!r}, password=***)"
        )


def check_repository_name(name: str) -> str:
    """Return ``name`` if ECR accepts it as a repository name, else raise ValueError."""
    if not _REPOSITORY_NAME.match(name):
        raise ValueError(
            f"{name!r}: an ECR repository name is 2-256 lowercase letters, digits and "
            "'.', '_', '-' or '/' between them"
        )
    return name


def check_tag(tag: str) -> str:
    """Return ``tag`` if Docker accepts it as an image tag, else raise ValueError."""
    if not _TAG.match(tag):
        raise ValueError(
            f"{tag!r}: an image tag is 1-128 letters, digits, '_', '.' or '-', "
            "not starting with '.' or '-'"
        )
    return tag


def ensure_repository(ecr: Any, name: str = DEFAULT_REPOSITORY) -> dict[str, Any]:
    """Create the repository if it does not exist; return its description either way.

    Scan on push is on and tags are mutable (a lab re-pushes ``latest``).
    """
    check_repository_name(name)
    try:
        found = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    except ecr.exceptions.RepositoryNotFoundException:
        found = []
    if found:
        return dict(found[0])
    created = ecr.create_repository(
        repositoryName=name,
        imageScanningConfiguration={"scanOnPush": True},
        imageTagMutability="MUTABLE",
    )
    return dict(created["repository"])


def registry_login(ecr: Any) -> RegistryLogin:
    """Exchange the connection's credentials for a registry login (GetAuthorizationToken)."""
    data = ecr.get_authorization_token()["authorizationData"][0]
    decoded = base64.b64decode(data["authorizationToken"]).decode()
    username, _, password = decoded.partition(":")
    registry = data["proxyEndpoint"].removeprefix("https://").removeprefix("http://")
    return RegistryLogin(registry=registry, username=username, password=password)


def account_id(sts: Any) -> str:
    """The account the connection is signed in to, from STS (never written in the project)."""
    return str(sts.get_caller_identity()["Account"])


def image_uri(repository: dict[str, Any], tag: str = "latest") -> str:
    """The full image reference to tag and push, from a repository description."""
    return f"{repository['repositoryUri']}:{check_tag(tag)}"


def push_commands(
    login: RegistryLogin,
    repository: dict[str, Any],
    *,
    local_image: str = "flask_app:latest",
    tag: str = "latest",
    region: str,
) -> list[str]:
    """The exact shell commands that log in, tag and push ``local_image``.

    The password is not embedded: ``aws ecr get-login-password`` pipes it to ``docker
    login --password-stdin``, as AWS recommends, so it never lands in shell history.
    """
    target = image_uri(repository, tag)
    return [
        f"aws ecr get-login-password --region {shlex.quote(region)} | "
        f"docker login --username {shlex.quote(login.username)} --password-stdin "
        f"{shlex.quote(login.registry)}",
        f"docker tag {shlex.quote(local_image)} {shlex.quote(target)}",
        f"docker push {shlex.quote(target)}",
    ]


def delete_repository(ecr: Any, name: str = DEFAULT_REPOSITORY) -> bool:
    """Delete the repository and its images; return False if it was already gone."""
    try:
        ecr.delete_repository(repositoryName=check_repository_name(name), force=True)
    except ecr.exceptions.RepositoryNotFoundException:
        return False
    return True


def push_skip_reason(*, real: bool, docker: str | None) -> str | None:
    """Why the push commands cannot run now, or None when they can.

    Parameters
    ----------
    real
        Whether the connection is a real, opted-in AWS account.
    docker
        Path to the ``docker`` command, or None when it is not installed.
    """
    if docker is None:
        return "skipped: no docker command on this machine (nothing to build or push)"
    if not real:
        return (
            "skipped: the emulator stands in for ECR's API but cannot store image layers; "
            "opt into real AWS to push"
        )
    return None
