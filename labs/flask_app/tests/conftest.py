"""Fixtures for the Flask lab: the app, its test client and CLI runner, and real gunicorns.

Works both from ``labs/flask_app`` (its own pyproject) and from the repository root
(``pytest labs/flask_app/tests``, under the root config): the app is an installed package
(``pip install -e .``), both configs put this folder on pytest's ``pythonpath`` for
``flask_lab_support``, and the markers are registered here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_lab_support import APP_ENV_VARS, TEST_SECRET, Server, start_gunicorn, stop

from flask_app import create_app


def pytest_configure(config: pytest.Config) -> None:
    """Register this suite's markers (the root config does not know them)."""
    config.addinivalue_line("markers", "integration: starts a real gunicorn on loopback ports")
    config.addinivalue_line("markers", "browser: drives headless Chromium")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Remove the app's variables from the environment for this test."""
    for name in APP_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def make_app(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., object]:
    """Return a factory: ``make_app(TRUSTED_PROXY_HOPS=1, ...)`` builds a test app."""

    def factory(**overrides: object) -> Flask:
        config = {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "DATABASE": str(tmp_path / "fingerprints.sqlite"),
        }
        config.update(overrides)
        return create_app(config)

    return factory


@pytest.fixture
def app(make_app):
    """The app with test settings and a throw-away database."""
    return make_app()


@pytest.fixture
def client(app):
    """A test client for :func:`app`."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for :func:`app` (``flask`` commands)."""
    return app.test_cli_runner()


@pytest.fixture
def gunicorn_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Return a starter for gunicorns; every one started is stopped after the test."""
    started: list[Server] = []

    def starter(
        env: dict[str, str] | None = None,
        args: Callable[[int], list[str]] | None = None,
        wait: bool = True,
    ) -> Server:
        server = start_gunicorn(tmp_path, env or {}, args, wait)
        started.append(server)
        return server

    yield starter
    for server in started:
        stop(server.process)
